package io.opsagent.platform;

import java.time.Instant;
import org.jdbi.v3.core.mapper.reflect.JdbiConstructor;

/**
 * A tenant. {@code externalId} is the platform's own id for it (optional, unique among live
 * tenants); {@code source} says who manages it ({@value Source#API} unless another source does).
 */
public record Tenant(String id, String name, Instant createdAt, String externalId, String source) {
  @JdbiConstructor
  public Tenant {}

  public Tenant(String id, String name, Instant createdAt) {
    this(id, name, createdAt, null, Source.API);
  }
}
