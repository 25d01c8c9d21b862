package io.opsagent.agent.cycle;

import java.util.Optional;

/**
 * What the cycle attaches to its first model request besides the state: evidence gathered for the
 * tenant's FAILED deployments (their health probes and last log lines), so the model starts from
 * what an SRE would look at first, one round trip sooner. Returns a JSON document, bounded in size
 * and already redacted, or empty when there is nothing to show. Called only for a review that will
 * happen (never for a skipped cycle), and never part of the state fingerprint.
 */
@FunctionalInterface
public interface EvidenceSource {
  EvidenceSource NONE = state -> Optional.empty();

  Optional<String> gather(TenantState state);
}
