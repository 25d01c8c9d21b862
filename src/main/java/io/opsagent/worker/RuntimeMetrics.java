package io.opsagent.worker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.opsagent.db.Database;
import java.lang.management.ManagementFactory;

/**
 * The JVM, process and connection-pool metrics, through Micrometer's own binders ({@code jvm_*},
 * {@code process_*}, {@code system_cpu_*}, {@code hikaricp_*} with {@code pool="opsagent-db"}); the
 * HTTP server's ({@code jetty_*}) are bound by the API server when it starts. Closing it
 * unregisters the GC listeners, which would otherwise outlive the worker.
 */
final class RuntimeMetrics implements AutoCloseable {
  private final JvmGcMetrics gc = new JvmGcMetrics();

  RuntimeMetrics(MeterRegistry registry, Database db) {
    // two of Micrometer's names fail `promtool check metrics`: process_cpu_time_ns_total (an
    // abbreviated unit; replaced by process_cpu_time_seconds_total below) and system_cpu_count (a
    // "_count" suffix on a gauge; renamed system_cpu_processors)
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.processors") : id;
      }
    });
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu.time.seconds", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time used by the JVM process")
          .register(registry);
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    db.bindMetrics(registry);
  }

  @Override
  public void close() {
    gc.close();
  }
}
