package io.opsagent.agent;

import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.trust.TenantSettings;
import java.util.ArrayList;
import java.util.List;

/** What a cycle has accumulated so far, kept when it fails midway. */
final class Progress {
  ToolSession session;
  TenantSettings.Settings settings = TenantSettings.Settings.DEFAULT;
  ModelClient decider;
  FallbackReason fallback;
  final List<String> reasoning = new ArrayList<>();
  final List<String> requestIds = new ArrayList<>();
  String lastText = "";
  int steps;
  TokenUsage tokens = TokenUsage.NONE;
  String note;
  boolean truncatedFirstStep;

  String actionsJson() {
    return session == null ? "[]" : session.actionsJson();
  }
}
