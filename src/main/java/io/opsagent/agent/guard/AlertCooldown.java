package io.opsagent.agent.guard;

import io.opsagent.notify.delivery.AlertWindows;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a persisting failure from paging every cycle: an alert with the same title for the same
 * workspace of the same tenant is sent at most once per window ({@code OPSAGENT_ALERT_COOLDOWN}) —
 * counting only alerts that reached a receiver or are still being retried.
 *
 * <p>Guarantees: the window lives in the database with the delivery log ({@link AlertWindows}), so
 * it holds across processes and does not depend on Redis; titles match after trimming, collapsing
 * whitespace and lower-casing. A window is given back when its alert matched no channel, could not
 * be recorded, or failed for good on every channel, so the next alert about the problem goes out.
 * It <em>fails open</em>: when the database cannot answer the claim, the alert is let through (it
 * will then most likely fail to be recorded, which is reported to the model).
 */
final class AlertCooldown {
  private static final Logger log = LoggerFactory.getLogger(AlertCooldown.class);

  private final AlertWindows windows;
  private final Duration window;

  /** A cooldown of {@code window} (e.g. a notice at most once an hour). */
  public AlertCooldown(Jdbi jdbi, Duration window, Clock clock) {
    this(new AlertWindows(jdbi, clock), window);
  }

  public AlertCooldown(AlertWindows windows, Duration window) {
    this.windows = Objects.requireNonNull(windows, "windows");
    this.window = Objects.requireNonNull(window, "window");
  }

  /**
   * True if the alert should be sent now (and starts its window); false if the same alert reached
   * someone, or is still being retried, within the window. {@code workspaceId} null means a
   * tenant-wide alert.
   */
  public boolean tryAcquire(String tenantId, String workspaceId, String title) {
    try {
      boolean acquired = windows.claim(tenantId, workspaceId, title, window);
      if (!acquired) {
        log.info("tenant={} workspace={} alert=suppressed reason=same title within {}", tenantId,
            workspaceId, window);
      }
      return acquired;
    } catch (RuntimeException e) {
      log.warn("tenant={} workspace={} alert=sent-without-dedup reason={}", tenantId, workspaceId,
          e.toString());
      return true;
    }
  }

  /**
   * Gives the alert's window back: the alert acquired by {@link #tryAcquire} could not be recorded,
   * so a retry must not be suppressed as a duplicate. Never throws.
   */
  public void release(String tenantId, String workspaceId, String title) {
    try {
      windows.releaseUnrecorded(tenantId, workspaceId, title);
    } catch (RuntimeException e) {
      log.warn("tenant={} workspace={} alert=window-not-released reason={}", tenantId, workspaceId,
          e.toString());
    }
  }
}
