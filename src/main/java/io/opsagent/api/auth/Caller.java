package io.opsagent.api.auth;

import io.javalin.http.Context;

/**
 * The key a request was authenticated with: its id and name (recorded with what it did), its role
 * and, for a scoped key, the one tenant it sees ({@code null}: every tenant).
 */
public record Caller(String keyId, String keyName, Role role, String tenantId) {
  static final String ATTRIBUTE = "opsagent.caller";
  static final String BOOTSTRAP_ID = "bootstrap";

  /** The bootstrap admin, {@code OPSAGENT_API_TOKEN}. */
  static Caller bootstrap() {
    return new Caller(BOOTSTRAP_ID, "OPSAGENT_API_TOKEN", Role.ADMIN, null);
  }

  /** Whether this key sees {@code tenantId}'s objects. */
  public boolean sees(String tenantId) {
    return this.tenantId == null || this.tenantId.equals(tenantId);
  }

  /** Whether the role may do what the policy lists as {@code allowed}. */
  boolean may(java.util.Set<Role> allowed) {
    return allowed.contains(role);
  }

  /** The caller of an authenticated request (the access guard set it; never absent behind it). */
  public static Caller of(Context ctx) {
    Caller c = ctx.attribute(ATTRIBUTE);
    if (c == null) {
      throw new IllegalStateException("no authenticated caller: the access guard is not installed");
    }
    return c;
  }
}
