package io.opsagent.notify;

import java.util.List;

/**
 * Sends alerts through a tenant's notification channels.
 *
 * <p>Guarantee: {@link #send} records one {@code notifications} row per matching enabled channel
 * <em>before</em> any delivery is attempted, so an alert accepted here is never lost: a failed
 * delivery is retried with backoff, and one interrupted by a restart is resumed.
 */
public interface Notifier {

  /** Records and dispatches the alert; returns the ids of the recorded deliveries (one per channel). */
  List<String> send(Alert alert);

  /**
   * As {@link #send}, but only to those of the alert's channels whose id is in {@code channelIds}
   * (an incident's resolved notice goes where its firing one went). This default, for notifiers
   * without channels of their own, sends to all.
   */
  default List<String> sendTo(Alert alert, java.util.Set<String> channelIds) {
    return send(alert);
  }
}
