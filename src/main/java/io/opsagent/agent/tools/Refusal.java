package io.opsagent.agent.tools;

import java.util.Objects;
import java.util.Optional;

/**
 * A refused tool call, as decided where it was refused: its {@link RefusalReason} (what the run
 * records as {@code refusal} and the metric counts) and the message the model gets. The kind never
 * comes from the words, so rewording a message never moves it to another label.
 */
public record Refusal(RefusalReason reason, String message) {
  public Refusal {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** A refusal of kind {@code reason}, for a check's answer. */
  public static Optional<Refusal> of(RefusalReason reason, String message) {
    return Optional.of(new Refusal(reason, message));
  }
}
