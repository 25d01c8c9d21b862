package io.opsagent.notify.delivery;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** How many attempts each channel has in flight in this process, bounded per channel. */
final class InFlight {
  private final int maxPerChannel;
  private final ConcurrentHashMap<String, AtomicInteger> byChannel = new ConcurrentHashMap<>();

  InFlight(int maxPerChannel) {
    this.maxPerChannel = maxPerChannel;
  }

  /** True if the channel had fewer than the maximum in flight; the caller must then {@link #exit}. */
  boolean tryEnter(String channelId) {
    AtomicInteger n = byChannel.computeIfAbsent(channelId, id -> new AtomicInteger());
    while (true) {
      int now = n.get();
      if (now >= maxPerChannel) {
        return false;
      }
      if (n.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void exit(String channelId) {
    byChannel.get(channelId).decrementAndGet();
  }
}
