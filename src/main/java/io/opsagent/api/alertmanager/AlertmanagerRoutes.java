package io.opsagent.api.alertmanager;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
import io.opsagent.api.routes.DeploymentEvents;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code POST /api/integrations/alertmanager}: Alertmanager's webhook. Each alert names its
 * deployment by its labels ({@code opsagent_deployment_id}, else the configured labels joined by
 * {@code /} as the deployment's {@code externalId}, among live deployments of any tenant); firing
 * moves it to DEGRADED, or FAILED when {@code severity} is {@code critical} or {@code page} (or another
 * firing alert of it is); resolved moves it back to RUNNING once no other alert of it fires. Every
 * change goes through {@link DeploymentEvents}, the events route's path. An alert already seen with
 * the same status and {@code startsAt} (a re-sent group) records nothing. Alerts naming no deployment
 * are answered in {@code unmatched} and counted ({@code opsagent_alertmanager_unmatched_total}).
 */
public final class AlertmanagerRoutes implements ApiServer.Routes {
  static final String EVENT_TYPE = "alertmanager";
  static final String ID_LABEL = "opsagent_deployment_id";
  private static final int MAX_MESSAGE = 1000;

  private final AlertmanagerAlerts alerts;
  private final DeploymentEvents events;
  private final List<String> labels;
  private final Counter unmatchedCount;

  /**
   * Alertmanager's webhook payload (version 4). Alertmanager sends more than this route reads
   * ({@code receiver}, {@code groupLabels}, {@code commonLabels}, {@code externalURL}, each alert's
   * {@code generatorURL}, and fields later versions add), so unknown fields are allowed here, unlike
   * every other request body: refusing them would refuse Alertmanager itself.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Payload(
      @Schema(description = "\"4\"") @Pattern(regexp = "4", message = "must be \"4\"") String version,
      @Schema(allowableValues = {"firing", "resolved"}) @Line(max = 16) String status,
      @Line(max = 4000) String groupKey,
      @NotNull(message = "is required") @Size(max = 1000, message = "at most 1000 alerts")
      List<@NotNull(message = "cannot be null") @Valid Alert> alerts) {}

  /** One alert of the payload; unknown fields are allowed for the reason given on {@link Payload}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Alert(
      @NotNull(message = "is required") @Pattern(regexp = "firing|resolved", message = "must be firing or resolved")
      String status,
      Map<String, String> labels,
      Map<String, String> annotations,
      @NotNull(message = "is required") @Line(max = 64) String startsAt,
      @Line(max = 64) String endsAt,
      @NotNull(message = "is required") @Line(max = 200) String fingerprint) {}

  /** An alert that names no live deployment, and why. */
  public record Unmatched(String fingerprint, String alertname, String reason) {}

  /** {@code accepted}: alerts that named a deployment; {@code recorded}: events written (re-sends are not). */
  public record Answer(int accepted, int recorded, List<Unmatched> unmatched) {}

  public AlertmanagerRoutes(org.jdbi.v3.core.Jdbi jdbi, DeploymentEvents events, List<String> labels,
      MeterRegistry metrics, java.time.Clock clock) {
    this.alerts = new AlertmanagerAlerts(jdbi, clock);
    this.events = events;
    this.labels = List.copyOf(labels);
    this.unmatchedCount = Counter.builder("opsagent.alertmanager.unmatched")
        .description("Alertmanager alerts that named no live deployment").register(metrics);
  }

  @Override
  public List<ApiRoute> routes() {
    return List.of(ApiRoute.of("POST /api/integrations/alertmanager", "Alertmanager's webhook: each alert moves the"
            + " deployment its labels name (firing: DEGRADED, or FAILED for severity critical/page; resolved: RUNNING"
            + " once none of its alerts fires)", this::receive)
        .body(Payload.class).answers(202, "what was accepted, and the alerts that named no deployment", Answer.class));
  }

  private void receive(Context ctx) {
    Payload payload = JsonBody.read(ctx, Payload.class);
    int accepted = 0;
    int recorded = 0;
    List<Unmatched> unmatched = new ArrayList<>();
    for (Alert alert : payload.alerts()) {
      Map<String, String> l = alert.labels() == null ? Map.of() : alert.labels();
      Target target = target(l);
      if (target.deployment().isEmpty()) {
        unmatchedCount.increment();
        unmatched.add(new Unmatched(alert.fingerprint(), l.get("alertname"), target.reason()));
        continue;
      }
      accepted++;
      if (apply(target.deployment().get(), alert, l)) {
        recorded++;
      }
    }
    ctx.status(202).json(new Answer(accepted, recorded, unmatched));
  }

  /** Records the alert's event unless it is a re-send; says whether it recorded one. */
  private boolean apply(Deployment d, Alert alert, Map<String, String> l) {
    var seen = alerts.seen(d.id(), alert.fingerprint());
    if (seen.isPresent() && seen.get().status().equals(alert.status())
        && seen.get().startsAt().equals(alert.startsAt())) {
      return false;
    }
    boolean firing = alert.status().equals("firing");
    String severity = Objects.requireNonNullElse(l.get("severity"), "").toLowerCase(Locale.ROOT);
    boolean critical = severity.equals("critical") || severity.equals("page");
    Optional<Boolean> others = alerts.firingExcept(d.id(), alert.fingerprint());
    DeploymentStatus status = firing
        ? (critical || others.orElse(false) ? DeploymentStatus.FAILED : DeploymentStatus.DEGRADED)
        : others.isEmpty() ? DeploymentStatus.RUNNING
            : others.get() ? DeploymentStatus.FAILED : DeploymentStatus.DEGRADED;
    events.record(d, EVENT_TYPE, status, message(alert, l, others.isPresent() && !firing), null);
    alerts.save(d.id(), alert.fingerprint(), new AlertmanagerAlerts.Seen(alert.status(), alert.startsAt(), critical));
    return true;
  }

  private record Target(Optional<Deployment> deployment, String reason) {}

  private Target target(Map<String, String> l) {
    String id = l.get(ID_LABEL);
    if (id != null && !id.isBlank()) {
      var d = alerts.deployment(id.strip());
      return new Target(d, "no live deployment with id " + bounded(id.strip(), 100));
    }
    List<String> parts = new ArrayList<>();
    for (String name : labels) {
      String v = l.get(name);
      if (v == null || v.isBlank()) {
        return new Target(Optional.empty(), "no label " + ID_LABEL + " nor " + String.join(" + ", labels));
      }
      parts.add(v.strip());
    }
    String externalId = String.join("/", parts);
    List<Deployment> found = alerts.byExternalId(externalId);
    return found.size() == 1 ? new Target(Optional.of(found.get(0)), null)
        : new Target(Optional.empty(), (found.isEmpty() ? "no live deployment with externalId "
            : "more than one live deployment with externalId ") + bounded(externalId, 200));
  }

  /** "alertname firing: summary" (or the description), at most 1000 characters. */
  private static String message(Alert alert, Map<String, String> l, boolean othersStillFiring) {
    Map<String, String> a = alert.annotations() == null ? Map.of() : alert.annotations();
    String text = a.getOrDefault("summary", a.getOrDefault("description", ""));
    String head = Objects.requireNonNullElse(l.get("alertname"), "alert") + " " + alert.status();
    String tail = othersStillFiring ? " (another alert of this deployment is still firing)" : "";
    return bounded(head + (text.isBlank() ? "" : ": " + text.strip()) + tail, MAX_MESSAGE);
  }

  private static String bounded(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
