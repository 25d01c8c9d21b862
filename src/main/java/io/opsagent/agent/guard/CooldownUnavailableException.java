package io.opsagent.agent.guard;

/**
 * The cooldown store could not answer (Redis unreachable, timed out or refusing commands).
 *
 * <p>It is a real failure, not an outcome: the caller must not guess. The rule for the tool gate is
 * <em>fail closed for mutating actions, open for safe ones</em>: a mutating action whose cooldown
 * cannot be claimed is refused with this message as the reason (see
 * {@link CooldownStore#claimAction}), while safe actions never consult the store and proceed. Alert
 * de-duplication fails open ({@link AlertCooldown}), so an outage never silences an alert. The message
 * never contains the Redis URL or its credentials.
 */
public final class CooldownUnavailableException extends RuntimeException {
  public CooldownUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
