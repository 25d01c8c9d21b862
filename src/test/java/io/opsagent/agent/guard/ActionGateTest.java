package io.opsagent.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ActionGateTest {
  static ActionGate.Call call(String tool) {
    return new ActionGate.Call("tenant", "run", tool, ActionClass.SAFE,
        JsonNodeFactory.instance.objectNode());
  }

  @Test
  void theBudgetAdmitsFiveCallsAndRefusesEveryOneAfter() {
    ActionGate.Gate gate = new ActionGate(5).openCycle();

    List<Optional<Refusal>> answers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      answers.add(gate.admit(call("recordAction")));
    }

    assertThat(answers.subList(0, 5)).allSatisfy(a -> assertThat(a).isEmpty());
    assertThat(answers.subList(5, 7)).allSatisfy(a -> assertThat(a).hasValueSatisfying(
        r -> assertThat(r.message()).contains("action budget of 5")));
    assertThat(answers.get(5)).map(Refusal::reason).contains(RefusalReason.BUDGET);
    assertThat(gate.refusedOverBudget()).isEqualTo(2);
  }

  @Test
  void eachCycleHasItsOwnBudget() {
    ActionGate guardrails = new ActionGate(1);
    ActionGate.Gate first = guardrails.openCycle();
    first.admit(call("a"));

    assertThat(first.admit(call("b"))).isPresent();
    assertThat(guardrails.openCycle().admit(call("b"))).isEmpty();
  }

  @Test
  void aFurtherCheckCanRefuseAndARefusedCallDoesNotUseTheBudget() {
    List<String> executed = new ArrayList<>();
    ActionGate.Check cooldown = new ActionGate.Check() {
      @Override
      public Optional<Refusal> refusal(ActionGate.Call call) {
        return call.tool().equals("restart") ? Refusal.of(RefusalReason.COOLDOWN, "on cooldown for 29m")
            : Optional.empty();
      }

      @Override
      public void executed(ActionGate.Call call) {
        executed.add(call.tool());
      }
    };
    ActionGate.Gate gate = new ActionGate(1, cooldown).openCycle();

    assertThat(gate.admit(call("restart"))).map(Refusal::message).contains("on cooldown for 29m");
    assertThat(gate.admit(call("sendAlert"))).isEmpty();
    gate.executed(call("sendAlert"));
    assertThat(executed).containsExactly("sendAlert");
  }
}
