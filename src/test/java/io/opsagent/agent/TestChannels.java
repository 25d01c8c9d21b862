package io.opsagent.agent;

import io.opsagent.db.Ids;
import org.jdbi.v3.core.Jdbi;

/** Inserts notification channels directly (the notify engineer's repository is not on main yet). */
final class TestChannels {
  private TestChannels() {}

  static String add(Jdbi jdbi, String tenantId, String workspaceId, String type, String name,
      String configJson) {
    String id = Ids.newId();
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO notification_channels (id, tenant_id, workspace_id, type, name, config_json,
                enabled, created_at)
            VALUES (:id, :tenantId, :workspaceId, :type, :name, :config, TRUE, :now)""")
        .bind("id", id).bind("tenantId", tenantId).bind("workspaceId", workspaceId)
        .bind("type", type).bind("name", name).bind("config", configJson).bind("now", Ids.now())
        .execute());
    return id;
  }
}
