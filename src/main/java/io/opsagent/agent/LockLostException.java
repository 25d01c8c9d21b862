package io.opsagent.agent;

/** The tenant's cycle lock was lost mid-cycle (its database session died). */
final class LockLostException extends RuntimeException {
  LockLostException() {
    super("cycle lock lost mid-cycle (its database session died): stopped before the next tool call");
  }
}
