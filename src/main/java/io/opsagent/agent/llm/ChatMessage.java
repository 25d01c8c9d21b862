package io.opsagent.agent.llm;

import java.util.List;

/** One message of the conversation, in the Messages API's shape (role plus content blocks). */
public record ChatMessage(Role role, List<Block> blocks) {
  public enum Role { USER, ASSISTANT }

  public ChatMessage {
    blocks = List.copyOf(blocks);
  }

  public static ChatMessage user(List<? extends Block> blocks) {
    return new ChatMessage(Role.USER, List.copyOf(blocks));
  }

  public static ChatMessage userText(String text) {
    return new ChatMessage(Role.USER, List.of(new Block.Text(text)));
  }

  public static ChatMessage assistant(List<Block> blocks) {
    return new ChatMessage(Role.ASSISTANT, blocks);
  }
}
