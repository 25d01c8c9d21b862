package io.opsagent.agent.tools;

/**
 * How one tool call of the model ended. {@code Refused} calls (unknown tool, invalid input, a
 * workspace outside the tenant, a guardrail) were never executed; {@code Failed} ones were admitted
 * but their execution threw. The model sees the last two as {@code is_error} tool results.
 */
public sealed interface ToolOutcome {

  /** The text returned to the model as the tool result. */
  String text();

  record Executed(String result) implements ToolOutcome {
    @Override
    public String text() {
      return result;
    }
  }

  /** {@code kind} is what the run and the metric record; {@code reason} is what the model reads. */
  record Refused(RefusalReason kind, String reason) implements ToolOutcome {
    public Refused(Refusal refusal) {
      this(refusal.reason(), refusal.message());
    }

    @Override
    public String text() {
      return "refused: " + reason;
    }
  }

  record Failed(String error) implements ToolOutcome {
    @Override
    public String text() {
      return "failed: " + error;
    }
  }
}
