package io.opsagent.api.auth;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Who did it: the key (id and its name at the time) behind each operator action, whether through
 * the API or the dashboard: kill switch, mode and budget changes, acknowledgements, manual cycles,
 * schedule switches and key changes. The dashboard, runs and incidents show it.
 */
public final class WhoDidIt {
  /** One recorded action. {@code target}: the incident, run or key it acted on, if any. */
  public record Act(Instant at, String keyId, String keyName, String action, String tenantId, String target,
      String detail) {
    /** "name (key id)", how a person is shown who did something. */
    public String by() {
      return keyName + " (" + keyId + ")";
    }
  }

  private final Jdbi jdbi;
  private final Clock clock;

  public WhoDidIt(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
  }

  public void record(Caller caller, String action, String tenantId, String target, String detail) {
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO access_actions (id, created_at, key_id, key_name, action, tenant_id, target_id, detail)
            VALUES (:id, :at, :keyId, :keyName, :action, :tenantId, :target, :detail)""")
        .bind("id", Ids.newId()).bind("at", Times.current(clock)).bind("keyId", caller.keyId())
        .bind("keyName", caller.keyName()).bind("action", action).bind("tenantId", tenantId)
        .bind("target", target)
        .bind("detail", detail == null || detail.length() <= 200 ? detail : detail.substring(0, 200))
        .execute());
  }

  /** The latest action named {@code action} (e.g. who engaged the kill switch). */
  public Optional<Act> latest(String action) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM access_actions WHERE action = :action ORDER BY created_at DESC, id DESC LIMIT 1""")
        .bind("action", action).map((rs, c) -> act(rs)).findOne());
  }

  /** The actions on {@code targets} (runs, incidents), by target; the latest one of each. */
  public Map<String, Act> onTargets(List<String> targets) {
    if (targets.isEmpty()) {
      return Map.of();
    }
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM access_actions WHERE target_id IN (<targets>) ORDER BY created_at, id""")
        .bindList("targets", targets).map((rs, c) -> act(rs)).list())
        .stream().collect(Collectors.toMap(Act::target, a -> a, (a, b) -> b));
  }

  /** The latest actions of a tenant (and the cluster-wide ones), newest first. */
  public List<Act> recent(String tenantId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM access_actions WHERE tenant_id = :tenantId OR tenant_id IS NULL
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", tenantId).bind("limit", limit).map((rs, c) -> act(rs)).list());
  }

  private static Act act(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Act(Times.instant(rs.getTimestamp("created_at")), rs.getString("key_id"), rs.getString("key_name"),
        rs.getString("action"), rs.getString("tenant_id"), rs.getString("target_id"), rs.getString("detail"));
  }
}
