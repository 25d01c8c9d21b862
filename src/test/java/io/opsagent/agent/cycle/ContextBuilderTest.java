package io.opsagent.agent.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Workspace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextBuilderTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Workspace WEB = new Workspace("ws-web", "t1", "web", NOW);

  static Deployment deployment(String id, DeploymentStatus status) {
    return new Deployment(id, "t1", WEB.id(), "app-" + id, status, "1.0", null, null, null, null,
        null, "https://internal.example/health?token=hidden", NOW, NOW);
  }

  static TenantState state(List<Deployment> deployments) {
    return new TenantState("t1", NOW, NOW.minusSeconds(300), List.of(WEB), deployments, List.of(),
        false, List.of());
  }

  @Test
  void problemsComeFirstFailedThenDegradedAndHealthyOnesAreOnlyCounted() throws Exception {
    TenantState s = state(List.of(deployment("r1", DeploymentStatus.RUNNING),
        deployment("d1", DeploymentStatus.DEGRADED), deployment("f1", DeploymentStatus.FAILED)));

    String json = ContextBuilder.stateJson(s, "run");
    JsonNode doc = JSON.readTree(json);

    assertThat(json.indexOf("\"failed\":[")).isLessThan(json.indexOf("\"degraded\":["));
    assertThat(json.indexOf("\"degraded\":[")).isLessThan(json.indexOf("\"workspaces\":["));
    assertThat(doc.at("/failed/0/deploymentId").asText()).isEqualTo("f1");
    assertThat(doc.at("/degraded/0/deploymentId").asText()).isEqualTo("d1");
    assertThat(json).doesNotContain("\"r1\"", "internal.example", "token=hidden");
    assertThat(doc.at("/workspaces/0/deployments/RUNNING").asInt()).isEqualTo(1);
    assertThat(doc.at("/counts/running").asInt()).isEqualTo(1);
  }

  @Test
  void theSameStateGivesTheSameBytesWhateverTheInputOrder() {
    Deployment a = deployment("a", DeploymentStatus.FAILED);
    Deployment b = deployment("b", DeploymentStatus.FAILED);

    assertThat(ContextBuilder.stateJson(state(List.of(a, b)), "run"))
        .isEqualTo(ContextBuilder.stateJson(state(List.of(b, a)), "run"));
  }

  @Test
  void longProblemListsAreCappedAndWhatWasLeftOutIsCounted() throws Exception {
    List<Deployment> many = new ArrayList<>();
    for (int i = 0; i < ContextBuilder.MAX_LISTED + 7; i++) {
      many.add(deployment("f" + String.format("%03d", i), DeploymentStatus.FAILED));
    }

    JsonNode doc = JSON.readTree(ContextBuilder.stateJson(state(many), "run"));

    assertThat(doc.get("failed")).hasSize(ContextBuilder.MAX_LISTED);
    assertThat(doc.at("/counts/failed").asInt()).isEqualTo(ContextBuilder.MAX_LISTED + 7);
    assertThat(doc.at("/omittedFromLists/failed").asInt()).isEqualTo(7);
  }
}
