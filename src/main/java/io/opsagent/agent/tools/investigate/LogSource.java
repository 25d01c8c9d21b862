package io.opsagent.agent.tools.investigate;

import java.io.IOException;
import java.util.List;

/**
 * Where a deployment's last log lines come from: the platform ({@link PlatformLogSource}, behind
 * {@code OPSAGENT_PLATFORM_LOGS_URL}) or, once a cluster is watched, its pods. A source returns
 * raw lines, oldest first; bounding and redaction happen in {@code getDeploymentLogs}, whatever
 * the source.
 */
interface LogSource {
  /** What a source answered: the lines, oldest first, and whether it cut its own answer short. */
  record Lines(List<String> lines, boolean truncated) {}

  /** A short name shown with the lines ("platform", "kubernetes"). */
  String name();

  /**
   * The last {@code lines} lines of {@code target}'s logs; {@code previous}: those of its previous
   * run (the instance before the last restart), where the source knows one.
   *
   * @throws IOException when the source cannot be reached or answers with an error
   */
  Lines last(Target target, int lines, boolean previous) throws IOException;
}
