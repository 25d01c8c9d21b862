package io.opsagent.agent.llm;

import java.util.List;

/** What one model turn sees; {@code system} and {@code tools} are the static, cacheable prefix. */
public record ModelRequest(String system, List<ToolSpec> tools, List<ChatMessage> messages) {
  public ModelRequest {
    tools = List.copyOf(tools);
    messages = List.copyOf(messages);
  }
}
