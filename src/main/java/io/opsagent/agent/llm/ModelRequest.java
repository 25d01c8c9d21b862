package io.opsagent.agent.llm;

import java.util.List;

/**
 * What one model turn sees; {@code system} and {@code tools} are the static, cacheable prefix.
 * {@code noMoreTools}: the model must answer in text ({@code tool_choice: none}); the tools stay
 * listed, as the API requires for a conversation that holds tool calls.
 */
public record ModelRequest(String system, List<ToolSpec> tools, List<ChatMessage> messages,
    boolean noMoreTools) {
  public ModelRequest(String system, List<ToolSpec> tools, List<ChatMessage> messages) {
    this(system, tools, messages, false);
  }

  public ModelRequest {
    tools = List.copyOf(tools);
    messages = List.copyOf(messages);
  }
}
