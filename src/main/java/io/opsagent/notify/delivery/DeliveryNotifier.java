package io.opsagent.notify.delivery;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.notify.AddressGuard;
import io.opsagent.notify.Alert;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannel;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.send.EmailSender;
import io.opsagent.notify.send.HttpPoster;
import io.opsagent.notify.send.PagerDutySender;
import io.opsagent.notify.send.SendOutcome;
import io.opsagent.notify.send.Sender;
import io.opsagent.notify.send.SlackSender;
import io.opsagent.notify.send.WebhookSender;
import io.opsagent.queue.JobType;
import io.opsagent.queue.Queues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Notifier} of opsagent: durable, retried delivery to webhook, Slack, email and
 * PagerDuty channels, as one-time jobs on a db-scheduler queue of its own
 * ({@code notification_tasks}, its own {@code OPSAGENT_NOTIFY_CONCURRENCY} threads).
 *
 * <p>Guarantees: {@link #send} writes one {@code pending} row per selected channel <em>and</em> its
 * job in one transaction, and returns without waiting for any receiver; the jobs are due at once and
 * a started notifier picks them at once. A row is attempted by one process at a time (db-scheduler's
 * pick); deliveries survive restarts, and a crash between a send and its record means the attempt
 * is repeated (at least once). A failed attempt is retried by db-scheduler's failure handlers:
 * exponential backoff ({@code OPSAGENT_NOTIFY_BACKOFF}, doubling, capped at
 * {@code OPSAGENT_NOTIFY_MAX_BACKOFF}) until the receiver takes it or {@code OPSAGENT_NOTIFY_GIVE_UP}
 * has passed since it was recorded (or the optional {@code OPSAGENT_NOTIFY_MAX_ATTEMPTS} is used
 * up, or the receiver refused the message itself: a failure that is not retryable); then the row
 * is {@code failed} with its last error, its alert window is given back when none of the alert's
 * deliveries is live, and the {@link #onFailedForGood} listeners are told. A
 * delivered firing notice of an incident marks it paged ({@link NotificationRepository#delivered}).
 *
 * <p>A fresh alert never waits behind a slow or dead receiver: an attempt may take at most
 * {@link #ATTEMPT_TIMEOUT}, and a channel with {@link #MAX_IN_FLIGHT_PER_CHANNEL} attempts in flight
 * in this process gets further attempts moved {@link #BUSY_DEFERRAL} later instead of a thread.
 * Errors recorded and logged never contain a channel's URL or secret.
 *
 * <p>Channel health: every attempt's outcome is also recorded on its channel, which is failing once
 * its deliveries have failed for {@link io.opsagent.notify.ChannelHealth#FAILING_AFTER} in a row
 * (until one succeeds). A page — a firing alert of an incident — whose every selected channel (its
 * workspace's and the tenant-wide ones) is failing is also recorded for every other enabled channel
 * of the tenant that is not failing (those of its other workspaces), so that somebody of the tenant
 * is reached; with none, it goes to the failing channels only, retried as ever, and a warning is
 * logged. The same holds for a page already on its way: when a failed attempt of it leaves every
 * channel its incident's page is still pending on failing (the incident open and unpaged), the page
 * is recorded for those other channels too — once, as they then hold a live delivery of it (two
 * processes doing so at the same moment may record it twice: at least once).
 *
 * <p>Metrics: counter {@code opsagent.notifications.deliveries}, tags {@code status}
 * (delivered/retry/failed) and {@code type}; histogram {@code opsagent.detection.latency} by
 * {@code type}, as {@link NotificationRepository#detectionLatency} defines it.
 */
public final class DeliveryNotifier implements Notifier, AutoCloseable {
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
  static final int MAX_IN_FLIGHT_PER_CHANNEL = 2;
  static final Duration BUSY_DEFERRAL = Duration.ofMillis(250);
  /** Bucket bounds of {@code opsagent.detection.latency}: an event cycle alerts in seconds. */
  static final Duration[] DETECTION_BUCKETS = {Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(30), Duration.ofHours(1)};
  private static final Logger log = LoggerFactory.getLogger(DeliveryNotifier.class);

  private final Database db;
  private final NotificationChannelRepository channels;
  private final NotificationRepository deliveries;
  private final AlertWindows windows;
  private final Map<ChannelType, Sender> senders = new EnumMap<>(ChannelType.class);
  private final int maxAttempts;
  private final Duration giveUp;
  private final Clock clock;
  private final MeterRegistry meters;
  private final HttpPoster poster;
  /** Each channel's attempts in flight in this process: at most {@code MAX_IN_FLIGHT_PER_CHANNEL}, none waits. */
  private final BulkheadRegistry inFlight = BulkheadRegistry.of(BulkheadConfig.custom()
      .maxConcurrentCalls(MAX_IN_FLIGHT_PER_CHANNEL).maxWaitDuration(Duration.ZERO).build());
  private final Object escalating = new Object();
  private final List<Consumer<Delivery>> failedForGood = new CopyOnWriteArrayList<>();
  private final CustomTask<Void> task;
  private final Scheduler scheduler;
  private volatile boolean started;

  /**
   * {@code settings}: attempts, backoff, concurrency, SMTP and private webhooks; {@code paging}: when
   * a delivery is given up and its longest backoff; {@code scheduling}: how the notification queue
   * polls. Builds the notification queue's scheduler; {@link #start()} runs it.
   */
  public DeliveryNotifier(Database db, NotificationChannelRepository channels,
      NotificationRepository deliveries, Config.Notifications settings, Config.Paging paging,
      Config.Scheduling scheduling, MeterRegistry meters, Clock clock) {
    this.db = db;
    this.channels = channels;
    this.deliveries = deliveries;
    this.windows = new AlertWindows(db.jdbi(), clock);
    this.maxAttempts = settings.maxAttempts();
    this.giveUp = paging.notifyGiveUp();
    this.clock = clock;
    this.meters = meters;
    this.poster = new HttpPoster(new AddressGuard(settings.allowPrivateWebhooks()), ATTEMPT_TIMEOUT);
    senders.put(ChannelType.WEBHOOK, new WebhookSender(poster, clock));
    senders.put(ChannelType.SLACK, new SlackSender(poster));
    senders.put(ChannelType.EMAIL, new EmailSender(settings.smtp(), ATTEMPT_TIMEOUT));
    senders.put(ChannelType.PAGERDUTY, new PagerDutySender(poster));
    this.task = Tasks.custom(JobType.NOTIFICATION_DELIVERY.taskName(), Void.class)
        .onFailure(new DeliveryRetries(settings.backoff(), paging.notifyMaxBackoff(), this::gaveUp))
        .execute(this::attempt);
    this.scheduler = Queues.notificationScheduler(db, scheduling, settings.concurrency(), task,
        ATTEMPT_TIMEOUT.multipliedBy(2));
    for (ChannelType type : ChannelType.values()) {
      // every series exists, at zero, before the first alert
      detection(type.wire());
      for (String status : List.of("delivered", "retry", "failed")) {
        Counter.builder("opsagent.notifications.deliveries")
            .description("notification delivery attempts by outcome (delivered, retry, failed) and channel type")
            .tag("status", status).tag("type", type.wire()).register(meters);
      }
    }
  }

  /**
   * Calls {@code listener} (on a delivery thread) with the final row of every delivery that failed
   * for good in this process; a listener that throws is logged and does not affect the others.
   */
  public void onFailedForGood(Consumer<Delivery> listener) {
    failedForGood.add(listener);
  }

  /**
   * Records the alert for every selected channel, with its jobs, and returns at once; throws
   * {@link IllegalArgumentException} if its workspace is not one of its tenant's. When no channel
   * matched, the alert's window is given back (nobody was told).
   */
  @Override
  public List<String> send(Alert alert) {
    return record(alert, withFallback(alert, channels.selectFor(alert)));
  }

  /**
   * As {@link #send}, to the tenant's enabled channels whose id is in {@code channelIds} only (an
   * incident's resolved notice goes where its firing one went, fallback channels included).
   */
  @Override
  public List<String> sendTo(Alert alert, java.util.Set<String> channelIds) {
    return record(alert, channels.enabledAmong(alert.tenantId(), channelIds));
  }

  /**
   * The channels of a page whose every selected channel is failing, plus the tenant's other enabled
   * channels that are not failing; any other alert's selection unchanged.
   */
  private List<NotificationChannel> withFallback(Alert alert, List<NotificationChannel> selected) {
    if (!Alert.FIRING.equals(alert.status()) || alert.incidentKey() == null || selected.isEmpty()) {
      return selected;
    }
    Instant now = clock.instant();
    if (!selected.stream().allMatch(c -> c.failing(now))) {
      return selected;
    }
    List<NotificationChannel> fallback = channels.fallbackFor(alert,
        selected.stream().map(NotificationChannel::id).collect(java.util.stream.Collectors.toSet()), now);
    if (fallback.isEmpty()) {
      log.warn("page has only failing channels and no other to fall back to tenant={} workspace={}"
              + " incident={} failing={}", alert.tenantId(), alert.workspaceId(), alert.incidentKey(),
          selected.size());
      return selected;
    }
    log.warn("page sent to fallback channels: every channel of its workspace is failing tenant={}"
            + " workspace={} incident={} failing={} fallback={}", alert.tenantId(), alert.workspaceId(),
        alert.incidentKey(), selected.size(), fallback.stream().map(NotificationChannel::id).toList());
    List<NotificationChannel> all = new java.util.ArrayList<>(selected);
    all.addAll(fallback);
    return all;
  }

  private List<String> record(Alert alert, List<NotificationChannel> all) {
    List<NotificationChannel> selected = all.stream().filter(c -> c.type().takes(alert.status())).toList();
    List<Delivery> recorded = db.jdbi().inTransaction(h -> {
      List<Delivery> rows = deliveries.insertPending(h, alert, selected);
      if (!rows.isEmpty()) {
        Queues.clientInTransaction(h.getConnection(), db, JobType.NOTIFICATION_DELIVERY, task)
            .scheduleBatch(rows.stream().<TaskInstance<?>>map(d -> task.instance(d.id())).toList(),
                clock.instant());
      }
      return rows;
    });
    log.info("alert recorded tenant={} workspace={} run={} severity={} deliveries={}",
        alert.tenantId(), alert.workspaceId(), alert.runId(), alert.severity().wire(), recorded.size());
    if (recorded.isEmpty()) {
      windows.releaseUnrecorded(alert.tenantId(), alert.workspaceId(), alert.title());
    } else if (started) {
      scheduler.triggerCheckForDueExecutions();
    }
    return recorded.stream().map(Delivery::id).toList();
  }

  /** Starts the notification queue: due deliveries go out, those left by a previous process first. */
  public void start() {
    scheduler.start();
    started = true;
  }

  /** Stops the queue, letting attempts in flight finish; deliveries not attempted stay queued. */
  @Override
  public void close() {
    if (started) {
      scheduler.stop();
      started = false;
    }
    poster.close();
  }

  private CompletionHandler<Void> attempt(TaskInstance<Void> instance, ExecutionContext ctx) {
    Optional<Delivery> row = deliveries.find(instance.getId());
    if (row.isEmpty() || row.get().status() != DeliveryStatus.PENDING) {
      return new CompletionHandler.OnCompleteRemove<>(); // finished before a crash removed its job
    }
    Delivery d = row.get();
    NotificationChannel channel = channels.find(d.tenantId(), d.channelId()).orElse(null);
    if (channel == null) {
      deliveries.attemptFailed(d.id(), "channel no longer exists", 1, clock.instant())
          .ifPresent(failed -> gaveUp(failed, "none"));
      return new CompletionHandler.OnCompleteRemove<>();
    }
    Bulkhead bulkhead = inFlight.bulkhead(channel.id());
    if (!bulkhead.tryAcquirePermission()) {
      // a success-path reschedule: attempts are counted in the delivery log, not by db-scheduler
      return (complete, ops) -> ops.reschedule(complete, complete.getTimeDone().plus(BUSY_DEFERRAL));
    }
    SendOutcome outcome;
    Instant startedAt = io.opsagent.db.Times.current(clock);
    try {
      outcome = senders.get(channel.type()).send(channel, d);
    } finally {
      bulkhead.onComplete();
    }
    String type = channel.type().wire();
    if (!(outcome instanceof SendOutcome.Failed failed)) {
      deliveries.delivered(d.id());
      recordHealth(channel, () -> channels.attemptDelivered(channel.id(), io.opsagent.db.Times.current(clock)));
      count("delivered", type);
      measureDetection(d, type);
      log.info("notification delivered delivery={} tenant={} channel={} type={} attempts={}",
          d.id(), d.tenantId(), channel.id(), type, d.attempts() + 1);
      return new CompletionHandler.OnCompleteRemove<>();
    }
    recordHealth(channel, () -> channels.attemptFailed(channel.id(), startedAt, failed.error()));
    Optional<Delivery> recorded = deliveries.attemptFailed(d.id(), failed.error(),
        failed.retryable() ? maxAttempts : 1, clock.instant().minus(giveUp));
    if (recorded.isEmpty()) {
      return new CompletionHandler.OnCompleteRemove<>();
    }
    if (recorded.get().status() == DeliveryStatus.PENDING) {
      count("retry", type);
      log.warn("notification attempt failed delivery={} tenant={} channel={} type={} attempts={} error={}",
          d.id(), d.tenantId(), channel.id(), type, recorded.get().attempts(), failed.error());
    }
    if (recorded.get().status() == DeliveryStatus.PENDING) {
      escalateIfEveryChannelFails(recorded.get());
    }
    throw new DeliveryRetries.AttemptFailed(recorded.get(), type);
  }

  /**
   * After a failed attempt of a page: when every channel its incident's page is still pending on is
   * failing (or no longer enabled) and the incident is open and unpaged, records the page for the
   * tenant's other channels that are not failing. A failure here is only logged: the attempt's own
   * retry goes on.
   */
  private void escalateIfEveryChannelFails(Delivery d) {
    if (d.incidentKey() == null || !Alert.FIRING.equals(d.alertStatus())) {
      return;
    }
    try {
      synchronized (escalating) {
        Instant now = clock.instant();
        java.util.Set<String> pendingOn = deliveries.unpagedFiringChannels(d.tenantId(), d.incidentKey());
        if (pendingOn.isEmpty()
            || channels.enabledAmong(d.tenantId(), pendingOn).stream().anyMatch(c -> !c.failing(now))) {
          return;
        }
        Alert page = new Alert(d.tenantId(), d.workspaceId(), d.severity(), d.title(), d.body(), d.runId(),
            d.deploymentId(), d.incidentKey(), Alert.FIRING, d.by());
        List<NotificationChannel> fallback = channels.fallbackFor(page, pendingOn, now);
        if (fallback.isEmpty()) {
          return; // logged when the page was recorded, or nothing else exists to try
        }
        log.warn("page sent to fallback channels: every channel it is on is failing tenant={} workspace={}"
                + " incident={} failing={} fallback={}", d.tenantId(), d.workspaceId(), d.incidentKey(),
            pendingOn.size(), fallback.stream().map(NotificationChannel::id).toList());
        record(page, fallback);
      }
    } catch (RuntimeException e) {
      log.warn("page not escalated to fallback channels delivery={} tenant={} error={}", d.id(), d.tenantId(),
          e.toString());
    }
  }

  /** Records an attempt's outcome on its channel; the delivery log is what counts, so a failure is only logged. */
  private void recordHealth(NotificationChannel channel, Runnable update) {
    try {
      update.run();
    } catch (RuntimeException e) {
      log.warn("channel health not recorded tenant={} channel={} error={}", channel.tenantId(), channel.id(),
          e.toString());
    }
  }

  /** The retries are used up (db-scheduler has removed the job): the row is already {@code failed}. */
  private void gaveUp(Delivery d, String type) {
    count("failed", type);
    log.error("notification failed for good delivery={} tenant={} channel={} type={} attempts={} error={}",
        d.id(), d.tenantId(), d.channelId(), type, d.attempts(), d.lastError());
    try {
      windows.releaseIfNoneLive(d.id());
    } catch (RuntimeException e) {
      log.warn("alert window not given back delivery={} tenant={} error={}", d.id(), d.tenantId(), e.toString());
    }
    for (Consumer<Delivery> listener : failedForGood) {
      try {
        listener.accept(d);
      } catch (RuntimeException e) {
        log.warn("failed-delivery listener threw delivery={} tenant={} error={}", d.id(), d.tenantId(),
            e.toString());
      }
    }
  }

  /** Records {@code opsagent.detection.latency} for the delivery, when it is a first detection. */
  private void measureDetection(Delivery d, String type) {
    try {
      deliveries.detectionLatency(d.id()).ifPresent(latency -> detection(type).record(latency));
    } catch (RuntimeException e) {
      log.warn("detection latency not measured delivery={} tenant={} error={}", d.id(), d.tenantId(),
          e.toString());
    }
  }

  private Timer detection(String type) {
    return Timer.builder("opsagent.detection.latency")
        .description("from a deployment's FAILED/DEGRADED status event to the first delivery of its"
            + " alert to a channel, by channel type")
        .tag("type", type)
        .serviceLevelObjectives(DETECTION_BUCKETS)
        .register(meters);
  }

  private void count(String status, String type) {
    Counter.builder("opsagent.notifications.deliveries")
        .description("notification delivery attempts by outcome (delivered, retry, failed) and channel type")
        .tag("status", status)
        .tag("type", type)
        .register(meters)
        .increment();
  }
}
