package io.opsagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsagent.action.ActionKind;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.SkipReason;
import io.opsagent.incident.Problem;
import io.opsagent.notify.Severity;
import io.opsagent.trust.Mode;
import org.junit.jupiter.api.Test;

class WireTest {
  @Test
  void enumsAreWrittenAndReadInJsonByTheirWireNames() throws Exception {
    assertThat(Json.MAPPER.writeValueAsString(RunStatus.COMPLETED)).isEqualTo("\"completed\"");
    assertThat(Json.MAPPER.writeValueAsString(SkipReason.CIRCUIT_OPEN)).isEqualTo("\"circuit_open\"");
    assertThat(Json.MAPPER.writeValueAsString(Mode.DRY_RUN)).isEqualTo("\"dry-run\"");
    assertThat(Json.MAPPER.writeValueAsString(Problem.BACKUP_OVERDUE)).isEqualTo("\"backup_overdue\"");
    assertThat(Json.MAPPER.readValue("\"dry-run\"", Mode.class)).isEqualTo(Mode.DRY_RUN);
    assertThat(Json.MAPPER.readValue("\"critical\"", Severity.class)).isEqualTo(Severity.CRITICAL);
  }

  @Test
  void aWireNameParsesBackAndAnythingElseIsRefusedWithTheAcceptedNames() {
    assertThat(Severity.fromWire("warning")).isEqualTo(Severity.WARNING);
    assertThat(ActionKind.fromWire("rollback")).isEqualTo(ActionKind.ROLLBACK);
    assertThat(SkipReason.fromWire(null)).isNull();
    assertThatThrownBy(() -> Severity.fromWire("WARNING"))
        .hasMessage("severity must be one of critical, warning, info; got 'WARNING'");
    assertThatThrownBy(() -> Mode.fromWire("dry_run")).hasMessageContaining("\"live\" or \"dry-run\"");
  }
}
