package io.opsagent.notify.send;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A Slack incoming webhook: {@code {"text", "blocks"}} with {@code text} as the notification
 * fallback and blocks for a header, the body and a context line. Slack's length limits are respected
 * (header 150, section 3000 characters). An incident's resolved notice is labelled {@code [RESOLVED]}
 * and an update {@code [UPDATE]} instead of its severity, and the context line names the incident.
 */
public final class SlackSender implements Sender {
  private static final ObjectMapper JSON = Json.MAPPER;

  private final HttpPoster poster;

  public SlackSender(HttpPoster poster) {
    this.poster = poster;
  }

  @Override
  public SendOutcome send(NotificationChannel channel, Delivery d) {
    return poster.post(channel, payload(d), Map.of());
  }

  public static byte[] payload(Delivery d) {
    String label = "[" + (io.opsagent.notify.Alert.RESOLVED.equals(d.alertStatus()) ? "RESOLVED"
        : io.opsagent.notify.Alert.UPDATE.equals(d.alertStatus()) ? "UPDATE"
        : d.severity().wire().toUpperCase(java.util.Locale.ROOT)) + "] ";
    ObjectNode o = JSON.createObjectNode();
    o.put("text", Json.truncate(label + d.title() + "\n" + d.body(), 3000));
    ArrayNode blocks = o.putArray("blocks");
    ObjectNode header = blocks.addObject().put("type", "header");
    header.putObject("text").put("type", "plain_text").put("text", Json.truncate(label + d.title(), 150));
    ObjectNode section = blocks.addObject().put("type", "section");
    section.putObject("text").put("type", "plain_text").put("text", Json.truncate(d.body().isEmpty() ? " " : d.body(), 3000));
    String context = "opsagent · tenant " + d.tenantId()
        + (d.workspaceId() == null ? "" : " · workspace " + d.workspaceId())
        + (d.deploymentId() == null ? "" : " · deployment " + d.deploymentId())
        + (d.incidentKey() == null ? "" : " · incident " + d.incidentKey())
        + (d.runId() == null ? "" : " · run " + d.runId());
    blocks.addObject().put("type", "context").putArray("elements").addObject()
        .put("type", "plain_text").put("text", context);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }
}
