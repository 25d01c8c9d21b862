package io.opsagent.incident;

import io.opsagent.platform.Deployment;
import java.util.Optional;

/**
 * The key evidence about a deployment already at hand when code pages it (a recent health probe's
 * answer, a log line), as one sentence for the page's body. Answers from memory, at once: a page
 * never waits for the network.
 */
@FunctionalInterface
public interface PageEvidence {
  PageEvidence NONE = d -> Optional.empty();

  Optional<String> of(Deployment d);
}
