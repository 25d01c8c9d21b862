package io.opsagent.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.db.Times;
import io.opsagent.notify.ChannelHealth;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Severity;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the database on each scrape, so every worker of a cluster reports the same,
 * cluster-wide numbers: {@code opsagent.incidents.open} by severity (rows of {@code incidents} whose
 * status is {@code open}, acknowledged or not), {@code opsagent.incidents.unpaged} (open incidents no
 * firing delivery of which reached a receiver yet: {@code pageStatus: unpaged}),
 * {@code opsagent.tenants.paused} (tenants whose circuit breaker is open now, as
 * {@code GET /api/tenants} shows {@code paused: true}), {@code opsagent.tenants.unpageable} (tenants
 * with a FAILED or DEGRADED deployment no enabled channel would page: {@code unpageable: true}) and
 * {@code opsagent.channels.failing} (enabled channels whose deliveries have failed for
 * {@link ChannelHealth#FAILING_AFTER} in a row: {@code failing: true}).
 *
 * <p>The breaker is a count, not a per-tenant 0/1 series: a label per tenant would add one series per
 * tenant to every scrape and every stored sample, without bound; which tenants are paused is a
 * question for the API. A failed read reports NaN rather than a guess.
 */
final class OpsGauges {
  private static final Logger log = LoggerFactory.getLogger(OpsGauges.class);

  private OpsGauges() {}

  static void register(MeterRegistry registry, Jdbi jdbi, TenantStatusQuery statuses, Clock clock) {
    for (Severity severity : Severity.values()) {
      Gauge.builder("opsagent.incidents.open", () -> openIncidents(jdbi, severity))
          .description("open incidents (firing, acknowledged or not) by severity")
          .tag("severity", severity.wire())
          .register(registry);
    }
    Gauge.builder("opsagent.incidents.unpaged", () -> read("incidents.unpaged", () -> jdbi.withHandle(h ->
            h.createQuery("SELECT COUNT(*) FROM incidents WHERE status = 'open' AND paged_at IS NULL")
                .mapTo(Integer.class).one())))
        .description("open incidents not yet paged: no firing delivery of theirs has reached a receiver")
        .register(registry);
    Gauge.builder("opsagent.tenants.paused", () -> read("tenants.paused", statuses::pausedCount))
        .description("tenants whose circuit breaker is open: scheduled cycles paused after repeated failures")
        .register(registry);
    Gauge.builder("opsagent.tenants.unpageable", () -> read("tenants.unpageable", statuses::unpageableCount))
        .description("tenants with a FAILED or DEGRADED deployment that no enabled channel would page")
        .register(registry);
    Gauge.builder("opsagent.channels.failing", () -> read("channels.failing",
            () -> NotificationChannelRepository.failingCount(jdbi, Times.current(clock))))
        .description("enabled notification channels whose deliveries have failed for 60 s in a row, none since")
        .register(registry);
  }

  private static double openIncidents(Jdbi jdbi, Severity severity) {
    return read("incidents.open", () -> jdbi.withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM incidents WHERE status = 'open' AND severity = :severity")
        .bind("severity", severity.wire())
        .mapTo(Integer.class)
        .one()));
  }

  private static double read(String gauge, java.util.function.Supplier<Integer> query) {
    try {
      return query.get();
    } catch (RuntimeException e) {
      log.warn("gauge not measured gauge={} error={}", gauge, e.toString());
      return Double.NaN;
    }
  }
}
