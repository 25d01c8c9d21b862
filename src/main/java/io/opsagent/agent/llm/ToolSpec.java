package io.opsagent.agent.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A tool as offered to the model: name, description and the JSON schema of its input. */
public record ToolSpec(String name, String description, ObjectNode inputSchema) {}
