package io.opsagent.notify.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A PagerDuty Events API v2 integration ({@code config.routingKey}; {@code config.url} replaces
 * {@link #EVENTS_URL}, for tests). An incident's life becomes one PagerDuty alert, keyed by
 * {@code dedup_key} = the incident key: its page (and a reminder) is a {@code trigger}; an
 * {@code update} is a {@code trigger} too, which PagerDuty adds to the open alert's log without
 * paging anyone again; {@code acknowledged} is {@code acknowledge} and {@code resolved} is
 * {@code resolve}. An alert outside any incident triggers an alert of its own, keyed by the delivery
 * id (so a retried attempt is not a second alert).
 *
 * <p>Answers: 2xx (PagerDuty says 202) is delivered; 429 and 5xx are retried like any failed
 * delivery; any other 4xx means PagerDuty refused the event itself, so the delivery gives up at
 * once with PagerDuty's reason. The routing key travels in the body only and never in an error.
 */
public final class PagerDutySender implements Sender {
  public static final String EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";
  /** PagerDuty's limits: summary 1024, dedup_key 255 characters. */
  static final int MAX_SUMMARY = 1024;
  static final int MAX_DEDUP_KEY = 255;

  private final HttpPoster poster;

  public PagerDutySender(HttpPoster poster) {
    this.poster = poster;
  }

  @Override
  public SendOutcome send(NotificationChannel channel, Delivery d) {
    String routingKey = channel.text("routingKey").orElse("");
    return poster.post(channel, channel.text("url").orElse(EVENTS_URL), event(routingKey, d), Map.of(),
        PagerDutySender::judge);
  }

  /** The Events API v2 event of one delivery. */
  public static byte[] event(String routingKey, Delivery d) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("routing_key", routingKey);
    o.put("event_action", action(d.alertStatus()));
    o.put("dedup_key", Json.truncate(d.incidentKey() != null ? d.incidentKey() : d.id(), MAX_DEDUP_KEY));
    if (o.get("event_action").asText().equals("trigger")) {
      ObjectNode payload = o.putObject("payload");
      payload.put("summary", Json.truncate((Alert.UPDATE.equals(d.alertStatus()) ? "[UPDATE] " : "") + d.title(), MAX_SUMMARY));
      payload.put("source", d.deploymentId() != null ? "opsagent/" + d.tenantId() + "/" + d.deploymentId()
          : "opsagent/" + d.tenantId());
      payload.put("severity", d.severity().wire());
      payload.put("timestamp", d.createdAt().toString());
      if (d.deploymentId() != null) {
        payload.put("component", d.deploymentId());
      }
      if (d.workspaceId() != null) {
        payload.put("group", d.workspaceId());
      }
      ObjectNode details = payload.putObject("custom_details");
      details.put("body", d.body());
      details.put("tenantId", d.tenantId());
      details.put("workspaceId", d.workspaceId());
      details.put("deploymentId", d.deploymentId());
      details.put("incidentKey", d.incidentKey());
      details.put("runId", d.runId());
      details.put("status", d.alertStatus());
      details.put("by", d.by());
    }
    o.put("client", "opsagent");
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The Events API action of an alert's status. */
  static String action(String alertStatus) {
    return switch (alertStatus) {
      case Alert.ACKNOWLEDGED -> "acknowledge";
      case Alert.RESOLVED -> "resolve";
      default -> "trigger";
    };
  }

  private static SendOutcome judge(HttpPoster.Answer answer) {
    int status = answer.status();
    if (answer.ok()) {
      return SendOutcome.delivered();
    }
    if (status == 429 || status >= 500 || status < 400) {
      return SendOutcome.failed("PagerDuty answered HTTP " + status);
    }
    return SendOutcome.rejected("PagerDuty refused the event (HTTP " + status + ")" + reason(answer.body()));
  }

  /** PagerDuty's {@code message} and {@code errors} of a refused event, when it sent them. */
  private static String reason(String body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      if (n == null || !n.isObject()) {
        return "";
      }
      StringBuilder out = new StringBuilder();
      if (n.hasNonNull("message")) {
        out.append(": ").append(n.get("message").asText());
      }
      if (n.path("errors").isArray() && !n.get("errors").isEmpty()) {
        out.append(out.length() == 0 ? ": " : " — ");
        n.get("errors").forEach(e -> out.append(e.asText()).append("; "));
        out.setLength(out.length() - 2);
      }
      return Json.truncate(out.toString(), 500);
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }
}
