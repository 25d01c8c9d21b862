package io.opsagent.notify;

import java.time.Duration;
import java.time.Instant;

/**
 * What a channel's delivery attempts say of it ({@code notification_channels.failing_since},
 * {@code last_error}, {@code last_delivered_at}). {@code failingSince} is when the oldest failed
 * attempt since its last successful delivery started, null while none failed since; {@code lastError}
 * is the latest error of those failed attempts (null with it), the text recorded in the delivery log,
 * which never contains a channel's URL or secret.
 *
 * <p>A channel is <em>failing</em> once its deliveries have failed for {@link #FAILING_AFTER} in a
 * row — {@code failingSince} is at least that old, and nothing was delivered since — and until one
 * of its deliveries succeeds.
 */
public record ChannelHealth(Instant failingSince, String lastError, Instant lastDeliveredAt) {
  /** How long a channel's attempts must have failed in a row before it counts as failing. */
  public static final Duration FAILING_AFTER = Duration.ofSeconds(60);
  static final ChannelHealth HEALTHY = new ChannelHealth(null, null, null);

  public boolean failing(Instant now) {
    return failingSince != null && !failingSince.plus(FAILING_AFTER).isAfter(now);
  }
}
