package io.opsagent.queue.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CycleRunner} for tests: records every cycle, can hold a tenant's cycle until released,
 * can make it throw, and tracks how many cycles of one tenant ever ran at the same time.
 */
final class RecordingRunner implements CycleRunner {
  record Cycle(String tenantId, Trigger trigger, String runId, Instant startedAt) {}

  final List<Cycle> cycles = new CopyOnWriteArrayList<>();
  private final Map<String, Gate> gates = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
  private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
  private final Map<String, RuntimeException> failOnce = new ConcurrentHashMap<>();
  private final AtomicInteger maxConcurrentPerTenant = new AtomicInteger();

  /** Holds a cycle until {@link #release()}; {@link #entered} counts down when one is held. */
  static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    void release() {
      released.countDown();
    }
  }

  Gate hold(String tenantId) {
    Gate gate = new Gate();
    gates.put(tenantId, gate);
    return gate;
  }

  void failWith(String tenantId, RuntimeException e) {
    failures.put(tenantId, e);
  }

  /** The tenant's next cycle throws {@code e}; the ones after it run. */
  void failOnceWith(String tenantId, RuntimeException e) {
    failOnce.put(tenantId, e);
  }

  @Override
  public Result runCycle(String tenantId, Trigger trigger, String runId) {
    return runCycle(tenantId, trigger, runId, () -> {});
  }

  /** A cycle doing {@code work} inside the window in which it counts as running. */
  Result runCycle(String tenantId, Trigger trigger, String runId, Runnable work) {
    int now = running.computeIfAbsent(tenantId, t -> new AtomicInteger()).incrementAndGet();
    maxConcurrentPerTenant.accumulateAndGet(now, Math::max);
    try {
      cycles.add(new Cycle(tenantId, trigger, runId, Instant.now()));
      Gate gate = gates.remove(tenantId);
      if (gate != null) {
        gate.entered.countDown();
        await(gate.released);
      }
      RuntimeException failure = failures.getOrDefault(tenantId, failOnce.remove(tenantId));
      if (failure != null) {
        throw failure;
      }
      work.run();
      return Result.DONE;
    } finally {
      running.get(tenantId).decrementAndGet();
    }
  }

  List<Cycle> of(String tenantId) {
    return cycles.stream().filter(c -> c.tenantId().equals(tenantId)).toList();
  }

  int count(String tenantId) {
    return of(tenantId).size();
  }

  int maxConcurrentPerTenant() {
    return maxConcurrentPerTenant.get();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test gate never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
