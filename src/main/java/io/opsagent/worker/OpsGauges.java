package io.opsagent.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.notify.Severity;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the database on each scrape, so every worker of a cluster reports the same,
 * cluster-wide numbers: {@code opsagent.incidents.open} by severity (rows of {@code incidents} whose
 * status is {@code open}, acknowledged or not) and {@code opsagent.tenants.paused} (tenants whose
 * circuit breaker is open now, as {@code GET /api/tenants} shows {@code paused: true}).
 *
 * <p>The breaker is a count, not a per-tenant 0/1 series: a label per tenant would add one series per
 * tenant to every scrape and every stored sample, without bound; which tenants are paused is a
 * question for the API. A failed read reports NaN rather than a guess.
 */
final class OpsGauges {
  private static final Logger log = LoggerFactory.getLogger(OpsGauges.class);

  private OpsGauges() {}

  static void register(MeterRegistry registry, Jdbi jdbi, TenantStatusQuery statuses) {
    for (Severity severity : Severity.values()) {
      Gauge.builder("opsagent.incidents.open", () -> openIncidents(jdbi, severity))
          .description("open incidents (firing, acknowledged or not) by severity")
          .tag("severity", severity.wire())
          .register(registry);
    }
    Gauge.builder("opsagent.tenants.paused", () -> read("tenants.paused", statuses::pausedCount))
        .description("tenants whose circuit breaker is open: scheduled cycles paused after repeated failures")
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
