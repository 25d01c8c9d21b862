package io.opsagent.api.auth;

import java.util.Locale;

/**
 * What a key may do ({@link AccessPolicy} holds the table, route by route). A {@code tenant} key,
 * and a {@code viewer} key given a tenant, see one tenant only; another tenant's objects answer 404.
 */
public enum Role {
  ADMIN, PLATFORM, TENANT, VIEWER;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code wire}; {@link IllegalArgumentException} (a 400) naming the choices otherwise. */
  public static Role parse(String wire) {
    for (Role r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException("'role' must be one of admin, platform, tenant, viewer");
  }
}
