package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuardrailsTest {
  static Guardrails.Call call(String tool) {
    return new Guardrails.Call("tenant", "run", tool, ActionClass.SAFE, JsonNodeFactory.instance.objectNode());
  }

  @Test
  void theBudgetAdmitsFiveCallsAndRefusesEveryOneAfter() {
    Guardrails.Gate gate = new Guardrails(5).openCycle();

    List<Optional<String>> answers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      answers.add(gate.admit(call("recordAction")));
    }

    assertThat(answers.subList(0, 5)).allSatisfy(a -> assertThat(a).isEmpty());
    assertThat(answers.subList(5, 7)).allSatisfy(a -> assertThat(a).hasValueSatisfying(
        r -> assertThat(r).contains("action budget of 5")));
    assertThat(gate.refusedOverBudget()).isEqualTo(2);
  }

  @Test
  void eachCycleHasItsOwnBudget() {
    Guardrails guardrails = new Guardrails(1);
    Guardrails.Gate first = guardrails.openCycle();
    first.admit(call("a"));

    assertThat(first.admit(call("b"))).isPresent();
    assertThat(guardrails.openCycle().admit(call("b"))).isEmpty();
  }

  @Test
  void aFurtherCheckCanRefuseAndARefusedCallDoesNotUseTheBudget() {
    List<String> executed = new ArrayList<>();
    Guardrails.Check cooldown = new Guardrails.Check() {
      @Override
      public Optional<String> refusal(Guardrails.Call call) {
        return call.tool().equals("restart") ? Optional.of("on cooldown for 29m") : Optional.empty();
      }

      @Override
      public void executed(Guardrails.Call call) {
        executed.add(call.tool());
      }
    };
    Guardrails.Gate gate = new Guardrails(1, cooldown).openCycle();

    assertThat(gate.admit(call("restart"))).contains("on cooldown for 29m");
    assertThat(gate.admit(call("sendAlert"))).isEmpty();
    gate.executed(call("sendAlert"));
    assertThat(executed).containsExactly("sendAlert");
  }
}
