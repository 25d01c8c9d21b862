package io.opsagent.platform;

import org.jdbi.v3.core.Handle;

/**
 * Serialises the writes that must keep names and external ids unique among live objects
 * (creations, renames, deletes, the inventory), on PostgreSQL and on HSQLDB alike: the update of
 * one row, held until the transaction ends. Reads never wait for it.
 */
final class WriteLock {
  private WriteLock() {}

  static void take(Handle h) {
    h.createUpdate("UPDATE platform_write_lock SET writes = writes + 1 WHERE id = 1").execute();
  }
}
