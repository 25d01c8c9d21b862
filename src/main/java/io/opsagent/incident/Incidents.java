package io.opsagent.incident;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import io.opsagent.Json;
import io.opsagent.db.Ids;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.WorkspaceRepository;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
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
import org.slf4j.MDC;

/**
 * Incidents: alerts about a deployment's problem, grouped so people are paged once per problem and
 * told when it is over. Paging is code; diagnosis is the model. Everything that must reach people
 * while nothing changes (the page of a report, the watchdog's, reminders, resolved notices) comes
 * from here, from code, never from a model review.
 *
 * <ul>
 *   <li>{@link #page}: a deployment reported FAILED or DEGRADED (or found so by the watchdog) is
 *       paged at once, in the rules engine's wording, on the incident keyed
 *       {@code {tenantId}:{deploymentId}:{problem}} — unless that incident is already paged or a
 *       page of it is on its way. A deployment failing again within {@link #FLAP_WINDOW} of its
 *       incident resolving reopens the same incident with an update instead of a new page.
 *   <li>{@link #alert}: an alert naming a deployment belongs to the same incident, the problem read
 *       from the deployment's state now ({@link Problem#of}). The first alert opens and pages it;
 *       a later alert of the model, or one sent as an {@code update} (an action's outcome), on an
 *       incident already paged (or being paged) goes out as an {@code update} (same
 *       {@code incidentKey}, a new {@code webhook-id}); code's other alerts are recorded on it; any
 *       alert on an incident nobody was reached for pages it. An alert about a deployment with no problem is
 *       an ordinary alert.
 *   <li>An incident is <em>paged</em> only once a firing delivery of it reached a receiver
 *       (the delivery log records it); while one is being retried it is {@code unpaged} but nothing else
 *       pages it (that is what makes it once). After a delivery gave up it is {@code unpaged} with
 *       nothing on its way, and the next report, alert or the watchdog pages it again.
 *   <li>{@link #watch}: every {@code OPSAGENT_WATCHDOG_INTERVAL} ({@link #watchdogTask()}, one
 *       worker at a time), every deployment FAILED or DEGRADED for longer than
 *       {@code OPSAGENT_WATCHDOG_AFTER} without a paged or paging open incident for that status is
 *       paged — whatever the model did, whatever crashed.
 *   <li>{@link #deploymentChanged}: every open incident of the deployment whose problem no longer
 *       holds is resolved, and one {@code resolved} notice goes to the channels that got a firing
 *       notice of it — none when no firing notice was delivered.
 *   <li>{@link #acknowledge}: no more reminders; the channels that track acknowledgements
 *       (PagerDuty) and got its page are told once.
 *   <li>{@link #sendReminders}: an open, unacknowledged incident is re-sent every
 *       {@code OPSAGENT_INCIDENT_REMINDER}, by {@link #reminderTask()}; one whose problem is gone by
 *       then is resolved instead.
 * </ul>
 *
 * <p>A tenant in dry-run mode opens no incident: its alerts and pages are logged as "would page"
 * and neither recorded on one nor sent. Nothing reaches its channels at all: an incident it opened
 * while live is not reminded (the reminder interval restarts) and resolves without a notice while
 * the tenant is in dry-run. A tenant whose agent is switched off is not paged by the watchdog.
 */
public final class Incidents {
  private static final Logger log = LoggerFactory.getLogger(Incidents.class);
  /** The recurring tasks' names in the queue table. */
  public static final String TASK_NAME = "incident-reminders";
  public static final String WATCHDOG_TASK_NAME = "incident-watchdog";
  /** A deployment failing again this soon after its incident resolved reopens that incident. */
  public static final Duration FLAP_WINDOW = Duration.ofMinutes(10);
  static final int MAX_LISTED = 500;
  /** At most one grouped page a minute per tenant past its page cap; listing at most this many. */
  static final Duration GROUPED_PAGE_INTERVAL = Duration.ofMinutes(1);
  static final int GROUPED_LISTED = 50;

  private final IncidentRepository repo;
  private final DeploymentRepository deployments;
  private final WorkspaceRepository workspaces;
  private final Notifier notifier;
  private final Duration reminder;
  private final Duration watchdogAfter;
  private final Duration watchdogInterval;
  private final Clock clock;
  private final TenantSettings settings;
  private final Jdbi jdbi;
  private volatile PageEvidence evidence = PageEvidence.NONE;
  private volatile int pagesPerTenantHour = 20;

  /**
   * {@code settings} is read only (each tenant's mode); {@code deployments} and {@code workspaces}
   * are the process's repositories.
   */
  public Incidents(Jdbi jdbi, DeploymentRepository deployments, WorkspaceRepository workspaces,
      TenantSettings settings, Notifier notifier, Duration reminder, Duration watchdogAfter,
      Duration watchdogInterval, Clock clock) {
    this.jdbi = jdbi;
    this.repo = new IncidentRepository(jdbi);
    this.deployments = Objects.requireNonNull(deployments, "deployments");
    this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
    this.notifier = Objects.requireNonNull(notifier, "notifier");
    this.reminder = Objects.requireNonNull(reminder, "reminder");
    this.watchdogAfter = Objects.requireNonNull(watchdogAfter, "watchdogAfter");
    this.watchdogInterval = Objects.requireNonNull(watchdogInterval, "watchdogInterval");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** What became of an alert: its deliveries, and the incident it was recorded on (if any). */
  public record Outcome(List<String> deliveries, Optional<Incident> incident, Kind kind) {
    /** Whether the alert was sent, and as what. */
    public enum Kind {
      /** Sent as the page of an incident it opened (or as an ordinary alert, outside incidents). */
      PAGED,
      /** Sent as the page of an open incident nobody had been reached for, with nothing on its way. */
      REPAGED,
      /** Sent as an update on an incident already paged or being paged. */
      UPDATE,
      /** Recorded on the open incident, not sent: it is paged or being paged, nothing new to say. */
      RECORDED,
      /**
       * Code's page past the tenant's hourly page cap: the incident is open and listed in the
       * grouped notice sent with it (or, within a minute of the last one, in the next).
       */
      GROUPED,
      /** A dry-run tenant: nothing recorded, nothing sent. */
      DRY_RUN
    }

    static final Outcome DRY_RUN = new Outcome(List.of(), Optional.empty(), Kind.DRY_RUN);

    /** Whether this alert paged people (a firing notice was queued for delivery). */
    public boolean paged() {
      return (kind == Kind.PAGED || kind == Kind.REPAGED || kind == Kind.GROUPED) && !deliveries.isEmpty();
    }

    /** The text the model gets back: the truth about the page, never "already paged" when it was not. */
    public String describe() {
      String sent = deliveries.isEmpty()
          ? "no enabled notification channel matches this workspace; the alert was not delivered"
          : "alert queued for delivery to " + deliveries.size() + " channel(s)";
      return switch (kind) {
        case DRY_RUN -> "the tenant is in dry-run mode: no incident was opened and the alert was not sent";
        case RECORDED -> "recorded on open incident " + incident.get().id() + " (" + incident.get().incidentKey()
            + "), " + incident.get().pageState() + "; not sent again. It resolves by itself when the"
            + " deployment recovers, and is re-sent while unacknowledged.";
        case UPDATE -> (deliveries.isEmpty() ? sent : "sent as an update to " + deliveries.size() + " channel(s)")
            + " on open incident " + incident.get().id() + " (" + incident.get().incidentKey() + "), "
            + incident.get().pageState() + ".";
        case PAGED -> incident.map(i -> sent + "; incident " + i.id() + " (" + i.incidentKey() + ") opened")
            .orElse(sent);
        case REPAGED -> sent + " as the page of open incident " + incident.get().id() + " ("
            + incident.get().incidentKey() + "), which nobody had been reached for";
        case GROUPED -> "the tenant is past its page cap for the hour: open incident " + incident.get().id()
            + " (" + incident.get().incidentKey() + ") is " + (deliveries.isEmpty()
                ? "listed in the next grouped page (at most one a minute)"
                : "listed in a grouped page queued for delivery to " + deliveries.size() + " channel(s)");
      };
    }
  }

  /**
   * What code's pages add to the rules engine's wording: the evidence already at hand about the
   * deployment (never a network call). Set once by the composition root, before anything pages.
   */
  /**
   * Past {@code pagesPerTenantHour} incidents paged for a tenant within an hour
   * ({@code OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR}), code's pages of newly failing deployments are
   * grouped: never dropped, at most one notice a minute listing every open incident nobody was
   * reached for. Set once by the composition root (20 until then).
   */
  public Incidents groupPagesPast(int pagesPerTenantHour) {
    if (pagesPerTenantHour < 1) {
      throw new IllegalArgumentException("pagesPerTenantHour must be at least 1");
    }
    this.pagesPerTenantHour = pagesPerTenantHour;
    return this;
  }

  public Incidents evidenceFrom(PageEvidence evidence) {
    this.evidence = Objects.requireNonNull(evidence, "evidence");
    return this;
  }

  /**
   * Pages deployment {@code d}, reported or found in {@code status} (FAILED or DEGRADED), by code:
   * the rules engine's alert on the deployment's incident for that status, unless that incident is
   * paged or being paged already. {@code runId} is the review it queued (null for the watchdog),
   * recorded with the delivery.
   */
  public Outcome page(Deployment d, DeploymentStatus status, String runId) {
    String workspace = workspaces.find(d.tenantId(), d.workspaceId()).map(w -> w.name()).orElse(d.workspaceId());
    Alert alert = new Alert(d.tenantId(), d.workspaceId(),
        status == DeploymentStatus.FAILED ? Severity.CRITICAL : Severity.WARNING,
        Deployment.statusAlertTitle(d.name(), status),
        Deployment.statusAlertBody(d.name(), d.id(), workspace, status)
            + evidence.of(d).map(e -> " " + e).orElse(""), runId, d.id());
    return send(alert, true);
  }

  /**
   * Sends {@code alert}, which must name a deployment of its tenant (else
   * {@link IllegalArgumentException}), as part of its incident.
   */
  public Outcome alert(Alert alert) {
    return send(alert, false);
  }

  /** {@code page}: code's page of a report, which has nothing to add to an incident already paged. */
  private Outcome send(Alert alert, boolean page) {
    if (dryRun(alert.tenantId())) {
      log.info("dry-run tenant: would page; alert not sent, no incident opened tenant={} deployment={} by={}",
          alert.tenantId(), alert.deploymentId(), alert.by());
      return Outcome.DRY_RUN;
    }
    Deployment d = deployments.find(alert.tenantId(), Objects.requireNonNull(alert.deploymentId(), "deploymentId"))
        .orElseThrow(() -> new IllegalArgumentException("unknown deploymentId '" + alert.deploymentId() + "'"));
    Instant now = now();
    Optional<Problem> problem = Problem.of(d, now);
    if (problem.isEmpty()) {
      return new Outcome(notifier.send(alert.on(null, Alert.FIRING)), Optional.empty(), Outcome.Kind.PAGED);
    }
    String key = Incident.key(d.tenantId(), d.id(), problem.get());
    String workspaceId = alert.workspaceId() != null ? alert.workspaceId() : d.workspaceId();
    // a page of the incident, unless it goes out as an update; an alert asking to be an update
    // (an action's outcome) keeps that wish for onOpen
    Alert onIncident = new Alert(alert.tenantId(), workspaceId, alert.severity(), alert.title(), alert.body(),
        alert.runId(), d.id(), key, Alert.UPDATE.equals(alert.status()) ? Alert.UPDATE : Alert.FIRING, alert.by());
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<Incident> open = repo.findOpen(key);
      if (open.isPresent()) {
        repo.recordAlert(open.get().id(), now);
        return onOpen(open.get(), onIncident, false, page);
      }
      Optional<Incident> reopened = repo.reopenResolvedSince(key, now.minus(FLAP_WINDOW), now);
      if (reopened.isPresent()) {
        log.info("incident reopened: failing again soon after it resolved tenant={} incident={} key={}",
            d.tenantId(), reopened.get().id(), key);
        return onOpen(reopened.get(), onIncident, true, page);
      }
      Incident opened = new Incident(Ids.newId(), d.tenantId(), d.id(), workspaceId, key,
          problem.get(), alert.severity(), alert.title(), alert.body(), Incident.Status.OPEN, 1, now, now,
          now, null, null, null, null);
      if (repo.insert(opened)) {
        if (page && pastPageCap(d.tenantId(), now)) {
          return grouped(opened, now);
        }
        List<String> sent;
        try {
          sent = notifier.send(onIncident.on(key, Alert.FIRING));
        } catch (RuntimeException e) {
          repo.delete(opened.id()); // nobody was told: the next alert opens it again
          throw e;
        }
        log.info("incident opened tenant={} incident={} key={} severity={} by={} deliveries={}", d.tenantId(),
            opened.id(), key, alert.severity().wire(), alert.by(), sent.size());
        return new Outcome(sent, Optional.of(opened), Outcome.Kind.PAGED);
      }
      // another process opened it a moment ago: record on that one
    }
    throw new IllegalStateException("incident " + key + " could neither be opened nor found");
  }

  /**
   * An alert on an open incident: it pages the incident when nobody was reached and nothing is on
   * its way; else news (the model's diagnosis, an action's outcome, a reopening) goes out as an
   * update, and an alert with nothing new to say (code's page of a report, the words that opened the
   * incident, as the rules engine repeats them, or those of the incident's latest notice) is only
   * recorded.
   */
  private Outcome onOpen(Incident i, Alert alert, boolean reopened, boolean page) {
    if (!i.pagedOrPaging() && page && pastPageCap(i.tenantId(), now())) {
      return grouped(i, now());
    }
    if (!i.pagedOrPaging()) {
      List<String> sent = notifier.send(alert.on(alert.incidentKey(), Alert.FIRING));
      log.info("incident paged tenant={} incident={} key={} by={} deliveries={} (was unpaged)", i.tenantId(),
          i.id(), i.incidentKey(), alert.by(), sent.size());
      return new Outcome(sent, Optional.of(i), Outcome.Kind.REPAGED);
    }
    boolean news = !(alert.title().equals(i.title()) && alert.body().equals(i.body()))
        && !repo.lastNotice(i.tenantId(), i.incidentKey())
            .equals(Optional.of(List.of(Json.truncate(alert.title(), 500), Json.truncate(alert.body(), 8000))));
    boolean mayUpdate = Alert.BY_MODEL.equals(alert.by()) || Alert.UPDATE.equals(alert.status());
    if (reopened || (!page && mayUpdate && news)) {
      Alert update = reopened && !Alert.BY_MODEL.equals(alert.by())
          ? new Alert(alert.tenantId(), alert.workspaceId(), alert.severity(), "Again: " + alert.title(),
              alert.body() + " It failed again within " + FLAP_WINDOW.toMinutes() + " minutes of recovering"
                  + " (the same incident, opened " + i.openedAt() + ").",
              alert.runId(), alert.deploymentId(), alert.incidentKey(), Alert.UPDATE, alert.by())
          : alert.on(alert.incidentKey(), Alert.UPDATE);
      List<String> sent = notifier.send(update);
      log.info("incident update sent tenant={} incident={} key={} by={} deliveries={}", i.tenantId(), i.id(),
          i.incidentKey(), alert.by(), sent.size());
      return new Outcome(sent, Optional.of(i), Outcome.Kind.UPDATE);
    }
    log.info("alert recorded on open incident tenant={} incident={} key={} page=\"{}\"", i.tenantId(), i.id(),
        i.incidentKey(), i.pageState());
    return new Outcome(List.of(), Optional.of(i), Outcome.Kind.RECORDED);
  }

  /** Whether the tenant had {@link #pagesPerTenantHour} incidents paged within the last hour. */
  private boolean pastPageCap(String tenantId, Instant now) {
    int paged = jdbi.withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM incidents WHERE tenant_id = :t AND paged_at > :since")
        .bind("t", tenantId).bind("since", now.minus(Duration.ofHours(1))).mapTo(Integer.class).one());
    return paged >= pagesPerTenantHour;
  }

  /**
   * Code's page of {@code incident} past the tenant's page cap: unless a grouped page went out in the
   * last minute (then the incident waits, unpaged, for the watchdog's next pass), one notice lists
   * every open incident of the tenant nobody was reached for, and each counts as paged once that
   * notice is delivered.
   */
  private Outcome grouped(Incident incident, Instant now) {
    String tenantId = incident.tenantId();
    return jdbi.inTransaction(h -> {
      // one grouped page a minute per tenant, also across workers: the tenant's row is the lock
      h.createQuery("SELECT id FROM tenants WHERE id = :t FOR UPDATE").bind("t", tenantId)
          .mapTo(String.class).findOne();
      boolean recent = h.createQuery(
              "SELECT COUNT(*) FROM incident_grouped_pages WHERE tenant_id = :t AND created_at > :since")
          .bind("t", tenantId).bind("since", now.minus(GROUPED_PAGE_INTERVAL)).mapTo(Integer.class).one() > 0;
      if (recent) {
        log.info("page grouped: tenant past its page cap, listed in the next grouped page tenant={} incident={}",
            tenantId, incident.id());
        return new Outcome(List.of(), Optional.of(incident), Outcome.Kind.GROUPED);
      }
      List<Incident> unpaged = repo.unpagedOpen(h, tenantId, GROUPED_LISTED).stream()
          .filter(i -> i.id().equals(incident.id()) || i.pagingSince() == null).toList();
      StringBuilder body = new StringBuilder("Past this tenant's page limit of ").append(pagesPerTenantHour)
          .append(" incidents an hour, newly failing deployments are paged together, at most once a minute:");
      for (Incident i : unpaged) {
        body.append("\n- ").append(i.title()).append(" (incident ").append(i.id()).append(")");
      }
      Alert notice = new Alert(tenantId, null, Severity.CRITICAL,
          unpaged.size() + " deployment" + (unpaged.size() == 1 ? "" : "s") + " newly failing (grouped page)",
          body.toString(), null, null, null, Alert.FIRING, Alert.BY_CODE);
      List<String> sent = notifier.send(notice);
      for (String delivery : sent) {
        for (Incident i : unpaged) {
          h.createUpdate("INSERT INTO incident_grouped_pages (delivery_id, incident_id, tenant_id, created_at)"
                  + " VALUES (:d, :i, :t, :now)")
              .bind("d", delivery).bind("i", i.id()).bind("t", tenantId).bind("now", now).execute();
        }
      }
      log.warn("grouped page sent: tenant past its page cap tenant={} incidents={} deliveries={}", tenantId,
          unpaged.size(), sent.size());
      return new Outcome(sent, Optional.of(incident), Outcome.Kind.GROUPED);
    });
  }

  /**
   * The watchdog: pages every deployment FAILED or DEGRADED since longer than
   * {@code OPSAGENT_WATCHDOG_AFTER} whose open incident for that status is neither paged nor being
   * paged (or which has none), of live tenants whose agent is on and who have a channel for it.
   * Returns how many it paged.
   */
  public int watch() {
    Instant cutoff = now().minus(watchdogAfter);
    List<Deployment> unpaged = jdbi.withHandle(h -> h.createQuery("""
            SELECT d.* FROM deployments d
            WHERE d.status IN ('FAILED', 'DEGRADED') AND d.deleted_at IS NULL
              AND COALESCE(d.status_changed_at, d.updated_at) <= :cutoff
              AND NOT EXISTS (SELECT 1 FROM incidents i
                  WHERE i.open_key = d.tenant_id || ':' || d.id || ':' || LOWER(d.status)
                    AND (i.paged_at IS NOT NULL OR %s IS NOT NULL))
              AND NOT EXISTS (SELECT 1 FROM ops_schedules s WHERE s.tenant_id = d.tenant_id AND s.enabled = FALSE)
              AND NOT EXISTS (SELECT 1 FROM ops_tenant_settings t WHERE t.tenant_id = d.tenant_id AND t.mode = :dryRun)
              AND EXISTS (SELECT 1 FROM notification_channels c
                  WHERE c.tenant_id = d.tenant_id AND c.enabled = TRUE AND c.deleted_at IS NULL
                    AND (c.workspace_id IS NULL OR c.workspace_id = d.workspace_id))
            ORDER BY d.status_changed_at, d.id
            LIMIT :limit""".formatted(IncidentRepository.PAGING_SINCE))
        .bind("cutoff", cutoff)
        .bind("dryRun", Mode.DRY_RUN.wire())
        .bind("limit", MAX_LISTED)
        .mapTo(Deployment.class)
        .list());
    int paged = 0;
    for (Deployment d : unpaged) {
      try (var tenant = MDC.putCloseable("tenant", d.tenantId())) {
        Outcome o = page(d, d.status(), null);
        if (o.paged()) {
          paged++;
          log.warn("watchdog paged a deployment failing without a page tenant={} deployment={} status={} deliveries={}",
              d.tenantId(), d.id(), d.status(), o.deliveries().size());
        }
      } catch (RuntimeException e) {
        log.warn("watchdog could not page tenant={} deployment={} error={}", d.tenantId(), d.id(), e.toString());
      }
    }
    return paged;
  }

  /** Runs {@link #watch()} on a queue every {@code OPSAGENT_WATCHDOG_INTERVAL}, one worker at a time. */
  public RecurringTask<Void> watchdogTask() {
    return Tasks.recurring(WATCHDOG_TASK_NAME, Schedules.fixedDelay(watchdogInterval))
        .execute((instance, ctx) -> watch());
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

  /**
   * Acknowledges the incident (no more reminders); empty when it is not one of the tenant's. The
   * first acknowledgement of an open incident sends an {@code acknowledged} notice to the channels
   * that got its page and track acknowledgements (PagerDuty), unless the tenant is in dry-run.
   */
  public Optional<Incident> acknowledge(String tenantId, String incidentId) {
    Optional<Incident> i = repo.find(tenantId, incidentId);
    if (i.isEmpty()) {
      return i;
    }
    if (repo.acknowledge(i.get().id(), now()) && i.get().status() == Incident.Status.OPEN
        && !dryRun(tenantId)) {
      tellAcknowledged(i.get());
    }
    log.info("incident acknowledged tenant={} incident={} key={}", tenantId, incidentId, i.get().incidentKey());
    return repo.find(tenantId, incidentId);
  }

  private void tellAcknowledged(Incident i) {
    Set<String> channels = repo.deliveredFiringChannels(i.tenantId(), i.incidentKey());
    if (channels.isEmpty()) {
      return;
    }
    try {
      notifier.sendTo(new Alert(i.tenantId(), i.workspaceId(), i.severity(), "Acknowledged: " + i.title(),
          "Acknowledged in opsagent at " + now() + ".", null, i.deploymentId(), i.incidentKey(),
          Alert.ACKNOWLEDGED), channels);
    } catch (RuntimeException e) {
      log.error("acknowledged notice not recorded tenant={} incident={} key={} error={}", i.tenantId(), i.id(),
          i.incidentKey(), e.toString());
    }
  }

  /** Re-sends every open, unacknowledged incident not notified for a reminder interval; returns how many. */
  public int sendReminders() {
    Instant now = now();
    int sent = 0;
    for (Incident i : repo.dueReminders(now.minus(reminder), MAX_LISTED)) {
      try {
        Optional<Deployment> d = deployments.find(i.deploymentId());
        if (d.isEmpty()) {
          resolveRemoved(i, now); // deleted, and its removal not seen through (a crash right after the delete)
        } else if (!i.problem().holds(d.get(), now)) {
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

  /**
   * The deployments were deleted (one by one, with their workspace or tenant, or by the inventory):
   * their open incidents resolve as {@code removed}, so neither reminders nor the watchdog page them
   * any more; channels that got a firing notice of one are told it is closed. Returns those resolved.
   */
  public List<Incident> deploymentsRemoved(java.util.Collection<String> deploymentIds) {
    if (deploymentIds.isEmpty()) {
      return List.of();
    }
    Instant now = now();
    return repo.openFor(deploymentIds).stream().filter(i -> resolveRemoved(i, now)).toList();
  }

  private boolean resolveRemoved(Incident i, Instant now) {
    if (!repo.resolve(i.id(), now, Incident.REMOVED)) {
      return false;
    }
    log.info("incident resolved: its deployment was removed tenant={} incident={} key={}", i.tenantId(), i.id(),
        i.incidentKey());
    notifyResolved(i, "Deployment " + i.deploymentId() + " was removed: the incident '" + i.problem().wire()
        + "' is closed and the deployment is no longer watched. Opened " + i.openedAt() + ", resolved " + now + ".",
        now);
    return true;
  }

  private boolean resolve(Incident i, Deployment d, Instant now) {
    if (!repo.resolve(i.id(), now, Incident.RECOVERED)) {
      return false;
    }
    notifyResolved(i, "Deployment " + d.name() + " (" + d.id() + ") is " + d.status().name() + ": the problem '"
        + i.problem().wire() + "' is over. Opened " + i.openedAt() + ", resolved " + now + ".", now);
    return true;
  }

  /** One resolved notice to the channels that got a firing notice of the incident (none in dry-run). */
  private void notifyResolved(Incident i, String body, Instant now) {
    if (dryRun(i.tenantId())) {
      log.info("incident resolved without notice (dry-run tenant) tenant={} incident={} key={}",
          i.tenantId(), i.id(), i.incidentKey());
      return;
    }
    Set<String> channels = repo.deliveredFiringChannels(i.tenantId(), i.incidentKey());
    if (channels.isEmpty()) {
      log.info("incident resolved without notice (no firing notice was delivered) tenant={} incident={} key={}",
          i.tenantId(), i.id(), i.incidentKey());
      return;
    }
    try {
      notifier.sendTo(new Alert(i.tenantId(), i.workspaceId(), i.severity(), "Resolved: " + i.title(), body,
          null, i.deploymentId(), i.incidentKey(), Alert.RESOLVED), channels);
      log.info("incident resolved tenant={} incident={} key={} channels={}", i.tenantId(), i.id(),
          i.incidentKey(), channels.size());
    } catch (RuntimeException e) {
      log.error("resolved notice not recorded tenant={} incident={} key={} error={}", i.tenantId(), i.id(),
          i.incidentKey(), e.toString());
    }
  }

  private boolean dryRun(String tenantId) {
    return settings.get(tenantId).mode() == Mode.DRY_RUN;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
