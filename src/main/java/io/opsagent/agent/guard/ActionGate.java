package io.opsagent.agent.guard;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import java.util.Optional;

/**
 * The gate every admitted tool call passes before it executes: the per-cycle action budget, then
 * any further {@link Check} (the cooldown store plugs in here).
 *
 * <p>Guarantees: in one cycle at most {@code maxActionsPerCycle} calls execute; every call past the
 * budget is refused with a reason (and recorded by the caller), never executed. A {@link Check} sees
 * only calls whose input is valid and whose workspace belongs to the cycle's tenant, and is told
 * after a call executed (to start a cooldown).
 */
public final class ActionGate {
  private final int maxActionsPerCycle;
  private final Check check;

  /** A further condition on calls, e.g. "no restart of this deployment within 30 minutes". */
  public interface Check {
    Check NONE = new Check() {
      @Override
      public Optional<Refusal> refusal(Call call) {
        return Optional.empty();
      }
    };

    /** A reason to refuse the call (of the kind the check decided), or empty to let it through. */
    Optional<Refusal> refusal(Call call);

    /** The call executed successfully. */
    default void executed(Call call) {}

    /** The call was admitted but its execution threw: undo what admitting it claimed, if anything. */
    default void failed(Call call) {}

    /** This check, then {@code next} only for calls this one lets through; both are told outcomes. */
    default Check andThen(Check next) {
      Check first = this;
      return new Check() {
        @Override
        public Optional<Refusal> refusal(Call call) {
          Optional<Refusal> refused = first.refusal(call);
          return refused.isPresent() ? refused : next.refusal(call);
        }

        @Override
        public void executed(Call call) {
          first.executed(call);
          next.executed(call);
        }

        @Override
        public void failed(Call call) {
          first.failed(call);
          next.failed(call);
        }

        @Override
        public void notExecuted(Call call) {
          first.notExecuted(call);
          next.notExecuted(call);
        }
      };
    }

    /** The call was admitted but only recorded (dry-run): give back everything admitting it claimed. */
    default void notExecuted(Call call) {
      failed(call);
    }
  }

  /** A validated, in-scope tool call about to execute. */
  public record Call(String tenantId, String runId, String tool, ActionClass actionClass, JsonNode input) {}

  public ActionGate(int maxActionsPerCycle, Check check) {
    if (maxActionsPerCycle < 0) {
      throw new IllegalArgumentException("maxActionsPerCycle must be >= 0");
    }
    this.maxActionsPerCycle = maxActionsPerCycle;
    this.check = check;
  }

  public ActionGate(int maxActionsPerCycle) {
    this(maxActionsPerCycle, Check.NONE);
  }

  public Gate openCycle() {
    return new Gate();
  }

  /** The budget of one cycle; used by one thread. */
  public final class Gate {
    private int admitted;
    private int overBudget;

    public Optional<Refusal> admit(Call call) {
      if (admitted >= maxActionsPerCycle) {
        overBudget++;
        return Refusal.of(RefusalReason.BUDGET,
            "action budget of " + maxActionsPerCycle + " calls per cycle is used up");
      }
      Optional<Refusal> refusal = check.refusal(call);
      if (refusal.isEmpty()) {
        admitted++;
      }
      return refusal;
    }

    public void executed(Call call) {
      check.executed(call);
    }

    public void failed(Call call) {
      check.failed(call);
    }

    public void notExecuted(Call call) {
      check.notExecuted(call);
    }

    public int refusedOverBudget() {
      return overBudget;
    }

    public int budget() {
      return maxActionsPerCycle;
    }
  }
}
