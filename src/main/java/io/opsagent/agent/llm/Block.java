package io.opsagent.agent.llm;

import com.fasterxml.jackson.databind.JsonNode;

/** A content block: text, a tool call by the model, or our result for one. */
public sealed interface Block {

  record Text(String text) implements Block {}

  /** The model asks to run tool {@code name}; {@code input} is whatever JSON it sent (unvalidated). */
  record ToolUse(String id, String name, JsonNode input) implements Block {}

  /** Our answer to the tool call {@code toolUseId}; {@code isError} for refused or failed calls. */
  record ToolResult(String toolUseId, String content, boolean isError) implements Block {}
}
