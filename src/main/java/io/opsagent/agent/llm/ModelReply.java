package io.opsagent.agent.llm;

import io.opsagent.agent.run.TokenUsage;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The model's message for one turn, why it stopped, what the turn cost, and the API's
 * {@code request-id} of the call (null when there is none, as for the rules engine).
 */
public record ModelReply(List<Block> content, StopReason stopReason, TokenUsage usage, String requestId) {
  public enum StopReason { END_TURN, TOOL_USE, MAX_TOKENS, OTHER }

  public ModelReply(List<Block> content, StopReason stopReason, TokenUsage usage) {
    this(content, stopReason, usage, null);
  }

  public ModelReply {
    content = List.copyOf(content);
  }

  public List<Block.ToolUse> toolUses() {
    return content.stream().filter(Block.ToolUse.class::isInstance).map(Block.ToolUse.class::cast).toList();
  }

  /** The text blocks joined, trimmed ("" when there are none). */
  public String text() {
    return content.stream().filter(Block.Text.class::isInstance).map(b -> ((Block.Text) b).text())
        .collect(Collectors.joining("\n")).trim();
  }
}
