package io.opsagent.platform;

import java.time.Instant;
import org.jdbi.v3.core.mapper.reflect.JdbiConstructor;

/**
 * A workspace of a tenant. {@code externalId} is the platform's own id for it (optional, unique
 * among the tenant's live workspaces); {@code source} says who manages it.
 */
public record Workspace(String id, String tenantId, String name, Instant createdAt, String externalId,
    String source) {
  @JdbiConstructor
  public Workspace {}

  public Workspace(String id, String tenantId, String name, Instant createdAt) {
    this(id, tenantId, name, createdAt, null, Source.API);
  }
}
