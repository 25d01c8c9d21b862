package io.opsagent.agent.guard;

import io.opsagent.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a persisting failure from paging every cycle: an alert with the same title for the same
 * workspace of the same tenant is sent at most once per window ({@code OPSAGENT_ALERT_COOLDOWN}).
 *
 * <p>Guarantees: atomic across processes when the store is Redis (one {@code SET NX} on
 * {@code opsagent:alert:{tenantId}:{workspaceId or -}:{first 16 hex of sha256(title)}}); titles match
 * after trimming, collapsing whitespace and lower-casing. It <em>fails open</em>: when the store is
 * unavailable the alert is let through (a duplicate page is better than a silenced outage).
 */
public final class AlertCooldown {
  private static final Logger log = LoggerFactory.getLogger(AlertCooldown.class);

  private final CooldownStore store;
  private final Duration window;

  public AlertCooldown(CooldownStore store, Config config) {
    this(store, config.alertCooldown());
  }

  public AlertCooldown(CooldownStore store, Duration window) {
    this.store = Objects.requireNonNull(store, "store");
    this.window = Objects.requireNonNull(window, "window");
  }

  /**
   * True if the alert should be sent now (and starts its window); false if the same alert was sent
   * within the window. {@code workspaceId} null means a tenant-wide alert.
   */
  public boolean tryAcquire(String tenantId, String workspaceId, String title) {
    String key = key(tenantId, workspaceId, title);
    try {
      boolean acquired = store.claimKey(key, window);
      if (!acquired) {
        log.info("tenant={} workspace={} alert=suppressed reason=same title within {}", tenantId,
            workspaceId, window);
      }
      return acquired;
    } catch (CooldownUnavailableException e) {
      log.warn("tenant={} workspace={} alert=sent-without-dedup reason={}", tenantId, workspaceId,
          e.getMessage());
      return true;
    }
  }

  /**
   * Frees the alert's window again: the alert acquired by {@link #tryAcquire} could not be recorded,
   * so a retry must not be suppressed as a duplicate. Never throws.
   */
  public void release(String tenantId, String workspaceId, String title) {
    try {
      store.releaseKey(key(tenantId, workspaceId, title));
    } catch (RuntimeException e) {
      log.warn("tenant={} workspace={} alert=window-not-released reason={}", tenantId, workspaceId,
          e.getMessage());
    }
  }

  static String key(String tenantId, String workspaceId, String title) {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(title, "title");
    String normalized = title.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    return "opsagent:alert:" + tenantId + ":" + (workspaceId == null ? "-" : workspaceId) + ":"
        + sha256(normalized).substring(0, 16);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
