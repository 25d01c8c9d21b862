package io.opsagent.incident;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import io.opsagent.agent.trust.Mode;
import io.opsagent.agent.trust.TenantSettings;
import io.opsagent.db.Ids;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incidents: alerts about a deployment's problem, grouped so people are paged once per problem and
 * told when it is over. Everything that must reach people while nothing changes (reminders,
 * resolved notices) comes from here, from code, never from a model review.
 *
 * <ul>
 *   <li>{@link #alert}: an alert naming a deployment belongs to the incident keyed
 *       {@code {tenantId}:{deploymentId}:{problem}}, the problem read from the deployment's state
 *       now ({@link Problem#of}). The first alert opens the incident and is sent (with its
 *       {@code incidentKey}, status {@code firing}); later alerts while it is open are recorded on
 *       it and not sent. An alert about a deployment with no problem is an ordinary alert.
 *   <li>{@link #deploymentChanged}: every open incident of the deployment whose problem no longer
 *       holds is resolved, and one {@code resolved} notice goes to the channels that got a firing
 *       notice of it — none when no firing notice was delivered.
 *   <li>{@link #sendReminders}: an open, unacknowledged incident is re-sent every
 *       {@code OPSAGENT_INCIDENT_REMINDER}, by {@link #reminderTask()} (a recurring job, one per
 *       cluster: it does not depend on the tenant's cycles, which may be skipped, paused or switched
 *       off); one whose problem is gone by then is resolved instead.
 * </ul>
 *
 * <p>A tenant in dry-run mode opens no incident: its alerts are neither recorded on one nor sent.
 * Nothing reaches its channels at all: an incident it opened while live is not reminded (the
 * reminder interval restarts) and resolves without a notice while the tenant is in dry-run.
 */
public final class Incidents {
  private static final Logger log = LoggerFactory.getLogger(Incidents.class);
  /** The recurring task's name in the queue table. */
  public static final String TASK_NAME = "incident-reminders";
  static final int MAX_LISTED = 500;

  private final IncidentRepository repo;
  private final DeploymentRepository deployments;
  private final Notifier notifier;
  private final Duration reminder;
  private final Clock clock;
  private final TenantSettings settings;

  public Incidents(Jdbi jdbi, Notifier notifier, Duration reminder, Clock clock) {
    this.repo = new IncidentRepository(jdbi);
    this.deployments = new DeploymentRepository(jdbi);
    this.notifier = Objects.requireNonNull(notifier, "notifier");
    this.reminder = Objects.requireNonNull(reminder, "reminder");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = new TenantSettings(jdbi, Mode.LIVE); // read only: each tenant's mode
  }

  /** What became of an alert: its deliveries, and the incident it was recorded on (if any). */
  public record Outcome(List<String> deliveries, Optional<Incident> incident, boolean paged) {
    /** A dry-run tenant's alert: no incident, nothing sent. */
    static final Outcome DRY_RUN = new Outcome(List.of(), Optional.empty(), false);

    /** The text the model gets back. */
    public String describe() {
      if (this == DRY_RUN) {
        return "the tenant is in dry-run mode: no incident was opened and the alert was not sent";
      }
      if (incident.isPresent() && !paged) {
        Incident i = incident.get();
        return "recorded on open incident " + i.id() + " (" + i.incidentKey() + "), which already paged"
            + " people at " + i.openedAt() + "; not sent again. It resolves by itself when the"
            + " deployment recovers, and is re-sent while unacknowledged.";
      }
      String sent = deliveries.isEmpty()
          ? "no enabled notification channel matches this workspace; the alert was not delivered"
          : "alert queued for delivery to " + deliveries.size() + " channel(s)";
      return incident.map(i -> sent + "; incident " + i.id() + " (" + i.incidentKey() + ") opened").orElse(sent);
    }
  }

  /**
   * Sends {@code alert}, which must name a deployment of its tenant (else
   * {@link IllegalArgumentException}), as part of its incident.
   */
  public Outcome alert(Alert alert) {
    if (dryRun(alert.tenantId())) {
      log.info("dry-run tenant: alert not sent, no incident opened tenant={} deployment={}", alert.tenantId(),
          alert.deploymentId());
      return Outcome.DRY_RUN;
    }
    Deployment d = deployments.find(alert.tenantId(), Objects.requireNonNull(alert.deploymentId(), "deploymentId"))
        .orElseThrow(() -> new IllegalArgumentException("unknown deploymentId '" + alert.deploymentId() + "'"));
    Instant now = now();
    Optional<Problem> problem = Problem.of(d, now);
    if (problem.isEmpty()) {
      return new Outcome(notifier.send(alert), Optional.empty(), true);
    }
    String key = Incident.key(d.tenantId(), d.id(), problem.get());
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<Incident> open = repo.findOpen(key);
      if (open.isPresent()) {
        repo.recordAlert(open.get().id(), now);
        log.info("alert recorded on open incident tenant={} incident={} key={}", d.tenantId(),
            open.get().id(), key);
        return new Outcome(List.of(), open, false);
      }
      String workspaceId = alert.workspaceId() != null ? alert.workspaceId() : d.workspaceId();
      Incident opened = new Incident(Ids.newId(), d.tenantId(), d.id(), workspaceId, key,
          problem.get(), alert.severity(), alert.title(), alert.body(), Incident.Status.OPEN, 1, now, now,
          now, null, null);
      if (repo.insert(opened)) {
        List<String> sent;
        try {
          sent = notifier.send(new Alert(alert.tenantId(), workspaceId, alert.severity(), alert.title(),
              alert.body(), alert.runId(), d.id(), key, Alert.FIRING));
        } catch (RuntimeException e) {
          repo.delete(opened.id()); // nobody was told: the next alert opens it again
          throw e;
        }
        log.info("incident opened tenant={} incident={} key={} severity={} deliveries={}", d.tenantId(),
            opened.id(), key, alert.severity().wire(), sent.size());
        return new Outcome(sent, Optional.of(opened), true);
      }
      // another process opened it a moment ago: record on that one
    }
    throw new IllegalStateException("incident " + key + " could neither be opened nor found");
  }

  /**
   * The deployment's facts or status changed: resolves its open incidents whose problem is gone,
   * each with one resolved notice. Returns the incidents resolved.
   */
  public List<Incident> deploymentChanged(String deploymentId) {
    Optional<Deployment> d = deployments.find(deploymentId);
    if (d.isEmpty()) {
      return List.of();
    }
    Instant now = now();
    return repo.openFor(deploymentId).stream()
        .filter(i -> !i.problem().holds(d.get(), now))
        .filter(i -> resolve(i, d.get(), now))
        .toList();
  }

  public List<Incident> list(String tenantId, Incident.Status status) {
    return repo.list(tenantId, status, MAX_LISTED);
  }

  public Optional<Incident> find(String tenantId, String incidentId) {
    return repo.find(tenantId, incidentId);
  }

  /** Acknowledges the incident (no more reminders); empty when it is not one of the tenant's. */
  public Optional<Incident> acknowledge(String tenantId, String incidentId) {
    Optional<Incident> i = repo.find(tenantId, incidentId);
    if (i.isEmpty()) {
      return i;
    }
    repo.acknowledge(i.get().id(), now());
    log.info("incident acknowledged tenant={} incident={} key={}", tenantId, incidentId, i.get().incidentKey());
    return repo.find(tenantId, incidentId);
  }

  /** Re-sends every open, unacknowledged incident not notified for a reminder interval; returns how many. */
  public int sendReminders() {
    Instant now = now();
    int sent = 0;
    for (Incident i : repo.dueReminders(now.minus(reminder), MAX_LISTED)) {
      try {
        Optional<Deployment> d = deployments.find(i.deploymentId());
        if (d.isPresent() && !i.problem().holds(d.get(), now)) {
          resolve(i, d.get(), now);
        } else if (repo.claimReminder(i, now)) {
          if (dryRun(i.tenantId())) {
            // claimed all the same: the interval restarts, so switched back to live it is reminded then
            log.info("incident reminder not sent: dry-run tenant tenant={} incident={} key={}", i.tenantId(),
                i.id(), i.incidentKey());
            continue;
          }
          notifier.send(new Alert(i.tenantId(), i.workspaceId(), i.severity(), "Reminder: " + i.title(),
              "Still open since " + i.openedAt() + " (" + i.alerts() + " alert(s); not acknowledged): "
                  + i.body(), null, i.deploymentId(), i.incidentKey(), Alert.FIRING));
          log.info("incident reminder sent tenant={} incident={} key={}", i.tenantId(), i.id(), i.incidentKey());
          sent++;
        }
      } catch (RuntimeException e) {
        log.warn("incident reminder failed tenant={} incident={} error={}", i.tenantId(), i.id(), e.toString());
      }
    }
    return sent;
  }

  /** Runs {@link #sendReminders()} on a queue, every minute (or every reminder interval, if shorter). */
  public RecurringTask<Void> reminderTask() {
    Duration every = reminder.compareTo(Duration.ofMinutes(1)) < 0 ? reminder : Duration.ofMinutes(1);
    return Tasks.recurring(TASK_NAME, Schedules.fixedDelay(every))
        .execute((instance, ctx) -> sendReminders());
  }

  private boolean resolve(Incident i, Deployment d, Instant now) {
    if (!repo.resolve(i.id(), now)) {
      return false;
    }
    if (dryRun(i.tenantId())) {
      log.info("incident resolved without notice (dry-run tenant) tenant={} incident={} key={}",
          i.tenantId(), i.id(), i.incidentKey());
      return true;
    }
    Set<String> channels = repo.deliveredFiringChannels(i.tenantId(), i.incidentKey());
    if (channels.isEmpty()) {
      log.info("incident resolved without notice (no firing notice was delivered) tenant={} incident={} key={}",
          i.tenantId(), i.id(), i.incidentKey());
      return true;
    }
    try {
      notifier.sendTo(new Alert(i.tenantId(), i.workspaceId(), i.severity(), "Resolved: " + i.title(),
          "Deployment " + d.name() + " (" + d.id() + ") is " + d.status().name() + ": the problem '"
              + i.problem().wire() + "' is over. Opened " + i.openedAt() + ", resolved " + now + ".",
          null, d.id(), i.incidentKey(), Alert.RESOLVED), channels);
      log.info("incident resolved tenant={} incident={} key={} channels={}", i.tenantId(), i.id(),
          i.incidentKey(), channels.size());
    } catch (RuntimeException e) {
      log.error("resolved notice not recorded tenant={} incident={} key={} error={}", i.tenantId(), i.id(),
          i.incidentKey(), e.toString());
    }
    return true;
  }

  private boolean dryRun(String tenantId) {
    return settings.get(tenantId).mode() == Mode.DRY_RUN;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
