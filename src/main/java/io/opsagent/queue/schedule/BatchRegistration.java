package io.opsagent.queue.schedule;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.exceptions.FailedToScheduleBatchException;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.Task;
import io.opsagent.db.Database;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.JobType;
import io.opsagent.queue.Queues;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Registers many tenants' recurring cycles at once (the startup scan): pages of 1,000, skipping
 * tenants switched off or already scheduled, the rest inserted in one transaction per page.
 */
final class BatchRegistration {
  static final int PAGE = 1000;

  private final Database db;
  private final TenantRepository tenants;
  private final ScheduleStore store;
  private final ScheduleSlots slots;
  private final Task<OpsCycleJob> task;
  private final SchedulerClient client;
  private final Clock clock;

  BatchRegistration(Database db, TenantRepository tenants, ScheduleStore store, ScheduleSlots slots,
      Task<OpsCycleJob> task, SchedulerClient client, Clock clock) {
    this.clock = clock;
    this.db = db;
    this.tenants = tenants;
    this.store = store;
    this.slots = slots;
    this.task = task;
    this.client = client;
  }

  int scan() {
    int created = 0;
    String after = "";
    for (List<String> page; !(page = tenants.idsWithWatchedDeployments(after, PAGE)).isEmpty(); ) {
      created += ensurePage(page);
      after = page.get(page.size() - 1);
    }
    return created;
  }

  int ensure(List<String> tenantIds) {
    List<String> sorted = tenantIds.stream().distinct().sorted().toList();
    int created = 0;
    for (int from = 0; from < sorted.size(); from += PAGE) {
      created += ensurePage(sorted.subList(from, Math.min(sorted.size(), from + PAGE)));
    }
    return created;
  }

  /** {@code tenantIds} ascending, as the scan's pages are. */
  private int ensurePage(List<String> tenantIds) {
    Set<String> skip = store.disabledOrScheduled(tenantIds);
    Instant now = clock.instant();
    List<SchedulableInstance<?>> missing = new ArrayList<>();
    for (String id : tenantIds) {
      if (!skip.contains(id)) {
        missing.add(SchedulableInstance.of(
            OpsCycleTask.instance(new OpsCycleJob(id, Trigger.SCHEDULE, true, null)), slots.next(id, now)));
      }
    }
    if (missing.isEmpty()) {
      return 0;
    }
    try {
      Queues.scheduleAll(db, JobType.OPS_CYCLE, task, missing);
      return missing.size();
    } catch (FailedToScheduleBatchException e) {
      // another process registered some of them meanwhile (nothing was inserted): one by one
      int created = 0;
      for (SchedulableInstance<?> s : missing) {
        created += client.scheduleIfNotExists(s) ? 1 : 0;
      }
      return created;
    }
  }
}
