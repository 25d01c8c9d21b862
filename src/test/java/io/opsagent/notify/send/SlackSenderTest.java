package io.opsagent.notify.send;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.Severity;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SlackSenderTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Delivery delivery(String deploymentId) {
    return new Delivery("d-1", "t-1", "c-1", "w-1", "r-1", deploymentId, Severity.CRITICAL, "api is down",
        "FAILED since 10:00", DeliveryStatus.PENDING, 0, null, Instant.parse("2026-01-02T03:04:05Z"), null);
  }

  static String contextLine(Delivery d) throws Exception {
    JsonNode blocks = JSON.readTree(SlackSender.payload(d)).get("blocks");
    return blocks.get(2).get("elements").get(0).get("text").asText();
  }

  @Test
  void theContextLineNamesTheDeploymentTheAlertConcerns() throws Exception {
    assertThat(contextLine(delivery("dep-7")))
        .isEqualTo("opsagent · tenant t-1 · workspace w-1 · deployment dep-7 · run r-1");
    assertThat(contextLine(delivery(null))).isEqualTo("opsagent · tenant t-1 · workspace w-1 · run r-1");
  }
}
