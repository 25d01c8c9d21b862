package io.opsagent.notify.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.db.Times;
import io.opsagent.notify.AddressGuard;
import io.opsagent.notify.Alert;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.send.EmailSender;
import io.opsagent.notify.send.HttpPoster;
import io.opsagent.notify.send.SendOutcome;
import io.opsagent.notify.send.Sender;
import io.opsagent.notify.send.SlackSender;
import io.opsagent.notify.send.WebhookSender;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Notifier} of opsagent: durable, retried delivery to webhook, Slack and email channels.
 *
 * <p>Guarantees: {@link #send} writes one {@code pending} row per selected channel in one transaction
 * and returns without waiting for any receiver (attempts run on a small pool of its own). A failed
 * attempt is retried after an exponential backoff ({@code notifyBackoff}, doubling, capped at
 * {@link #MAX_BACKOFF}) until {@code notifyMaxAttempts}, then the row is {@code failed} with its last
 * error. {@link #start()} polls for due rows, which also resumes those a previous process left
 * pending. Each attempt first claims its row, so no two processes attempt the same row at once.
 * Errors recorded and logged never contain a channel's URL or secret.
 *
 * <p>Metric: counter {@code opsagent.notifications.deliveries}, tags {@code status}
 * (delivered/retry/failed) and {@code type}.
 */
public final class DeliveryNotifier implements Notifier, AutoCloseable {
  static final Duration MAX_BACKOFF = Duration.ofMinutes(15);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final int POLL_BATCH = 50;
  private static final Logger log = LoggerFactory.getLogger(DeliveryNotifier.class);

  private final NotificationChannelRepository channels;
  private final NotificationRepository deliveries;
  private final Map<ChannelType, Sender> senders = new EnumMap<>(ChannelType.class);
  private final int maxAttempts;
  private final Duration backoff;
  private final Duration pollInterval;
  private final MeterRegistry meters;
  private final ExecutorService workers;
  private final ScheduledExecutorService poller;
  private final HttpPoster poster;

  /** Uses {@code notifyMaxAttempts}, {@code notifyBackoff}, {@code pollInterval}, {@code smtp} and
   * {@code allowPrivateWebhooks} of {@code config}. */
  public DeliveryNotifier(NotificationChannelRepository channels, NotificationRepository deliveries,
      Config config, MeterRegistry meters) {
    this.channels = channels;
    this.deliveries = deliveries;
    this.maxAttempts = config.notifyMaxAttempts();
    this.backoff = config.notifyBackoff();
    this.pollInterval = config.pollInterval();
    this.meters = meters;
    this.poster = new HttpPoster(new AddressGuard(config.allowPrivateWebhooks()), SEND_TIMEOUT);
    senders.put(ChannelType.WEBHOOK, new WebhookSender(poster));
    senders.put(ChannelType.SLACK, new SlackSender(poster));
    senders.put(ChannelType.EMAIL, new EmailSender(config.smtp(), SEND_TIMEOUT));
    this.workers = Executors.newFixedThreadPool(2, threads("opsagent-notify"));
    this.poller = Executors.newSingleThreadScheduledExecutor(threads("opsagent-notify-poll"));
  }

  /**
   * Records the alert for every selected channel and returns at once; throws
   * {@link IllegalArgumentException} if its workspace is not one of its tenant's.
   */
  @Override
  public List<String> send(Alert alert) {
    List<Delivery> recorded = deliveries.insertPending(alert, channels.selectFor(alert));
    log.info("alert recorded tenant={} workspace={} run={} severity={} deliveries={}",
        alert.tenantId(), alert.workspaceId(), alert.runId(), alert.severity().wire(), recorded.size());
    recorded.forEach(d -> submit(d.id()));
    return recorded.stream().map(Delivery::id).toList();
  }

  /** Starts the poller that retries due rows, beginning with any left pending by a previous process. */
  public void start() {
    poller.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops polling and lets in-flight attempts finish; rows not attempted stay pending for the next start. */
  @Override
  public void close() {
    poller.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(SEND_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    poster.close();
  }

  private void poll() {
    try {
      deliveries.due(Times.now(), POLL_BATCH).forEach(this::submit);
    } catch (RuntimeException e) {
      log.warn("notification poll failed error={}", e.toString());
    }
  }

  private void submit(String deliveryId) {
    try {
      workers.execute(() -> attempt(deliveryId));
    } catch (RejectedExecutionException e) {
      log.info("notification left pending for the next start delivery={}", deliveryId);
    }
  }

  private void attempt(String deliveryId) {
    try {
      deliveries.claim(deliveryId, LEASE).ifPresent(this::deliver);
    } catch (RuntimeException e) {
      log.warn("notification attempt could not run delivery={} error={}", deliveryId, e.toString());
    }
  }

  private void deliver(Delivery d) {
    NotificationChannel channel = channels.find(d.tenantId(), d.channelId()).orElse(null);
    if (channel == null) {
      deliveries.failed(d.id(), "channel no longer exists");
      return;
    }
    SendOutcome outcome = senders.get(channel.type()).send(channel, d);
    int attempts = d.attempts() + 1;
    String type = channel.type().wire();
    if (!(outcome instanceof SendOutcome.Failed failed)) {
      deliveries.delivered(d.id());
      count("delivered", type);
      log.info("notification delivered delivery={} tenant={} channel={} type={} attempts={}",
          d.id(), d.tenantId(), channel.id(), type, attempts);
    } else if (attempts >= maxAttempts) {
      deliveries.failed(d.id(), failed.error());
      count("failed", type);
      log.error("notification failed for good delivery={} tenant={} channel={} type={} attempts={} error={}",
          d.id(), d.tenantId(), channel.id(), type, attempts, failed.error());
    } else {
      Duration wait = backoff(backoff, attempts);
      deliveries.retryAt(d.id(), failed.error(), Times.now().plus(wait));
      count("retry", type);
      log.warn("notification attempt failed delivery={} tenant={} channel={} type={} attempts={} retryIn={} error={}",
          d.id(), d.tenantId(), channel.id(), type, attempts, wait, failed.error());
    }
  }

  /** The wait after the {@code attempts}-th failed attempt: base, 2×base, 4×base…, at most {@link #MAX_BACKOFF}. */
  static Duration backoff(Duration base, int attempts) {
    int doublings = Math.min(Math.max(attempts - 1, 0), 30);
    Duration wait = base.multipliedBy(1L << doublings);
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }

  private void count(String status, String type) {
    Counter.builder("opsagent.notifications.deliveries")
        .description("notification delivery attempts by outcome")
        .tag("status", status)
        .tag("type", type)
        .register(meters)
        .increment();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
