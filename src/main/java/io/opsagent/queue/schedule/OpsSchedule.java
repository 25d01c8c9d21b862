package io.opsagent.queue.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * A tenant's recurring cycle as {@code GET /api/tenants/{id}/ops/schedule} shows it.
 *
 * @param enabled the tenant's switch ({@code PUT}/{@code DELETE}); a tenant never switched is enabled
 * @param interval the time between two cycles
 * @param nextRunAt when the next cycle is due; {@code null} when none is scheduled
 */
public record OpsSchedule(boolean enabled, Duration interval, Instant nextRunAt) {}
