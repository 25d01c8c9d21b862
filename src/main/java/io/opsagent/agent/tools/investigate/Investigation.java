package io.opsagent.agent.tools.investigate;

import io.opsagent.agent.cycle.EvidenceSource;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.InvestigationConfig;
import io.opsagent.incident.PageEvidence;
import io.opsagent.notify.AddressGuard;
import io.opsagent.platform.DeploymentRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;

/**
 * The model's read-only investigation tools and the evidence the cycle gathers with them.
 *
 * <ul>
 *   <li>{@link #tools()}: {@code probeHealth} (always), {@code getDeploymentLogs} (with a log
 *       source: {@code OPSAGENT_PLATFORM_LOGS_URL}), {@code queryMetrics} (with
 *       {@code OPSAGENT_PROMETHEUS_URL} and {@code OPSAGENT_PROMETHEUS_QUERIES}); a tool that is not
 *       configured is not offered. All are {@code SAFE}, tenant-scoped (another tenant's deployment
 *       answers exactly like a missing one), bounded and redacted.
 *   <li>{@link #evidence()}: for a review's first model request, the probes and last log lines of
 *       the tenant's FAILED deployments, within a deadline.
 *   <li>{@link #pageEvidence()}: what was last seen of a deployment, from memory, for code's page.
 * </ul>
 */
public final class Investigation implements AutoCloseable {
  private final HealthProbe probe;
  private final Optional<PlatformLogSource> platformLogs;
  private final Optional<PrometheusClient> prometheus;
  private final RecentEvidence recent;
  private final ExecutorService executor;
  private final List<OpsTools.Definition> tools = new ArrayList<>();
  private final FirstEvidence evidence;

  private Investigation(InvestigationConfig config, Jdbi jdbi, DeploymentRepository deployments,
      Optional<LogSource> logSource, Clock clock) {
    Scope scope = new Scope(jdbi, deployments);
    this.probe = new HealthProbe(new AddressGuard(config.allowPrivateHealthUrls()));
    this.recent = new RecentEvidence(clock);
    this.platformLogs = logSource.isPresent() ? Optional.empty() : config.logsUrl()
        .map(url -> new PlatformLogSource(url, config.logsSecret().orElseThrow(), clock));
    Optional<LogSource> logs = logSource.or(() -> platformLogs.map(LogSource.class::cast));
    this.prometheus = config.metricsEnabled()
        ? Optional.of(new PrometheusClient(config.prometheusUrl().orElseThrow())) : Optional.empty();
    tools.add(HealthProbeTool.definition(scope, probe, recent));
    logs.ifPresent(source -> tools.add(LogsTool.definition(scope, source, recent)));
    prometheus.ifPresent(p -> tools.add(MetricsTool.definition(scope, config.prometheusQueries(), p, clock)));
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "opsagent-evidence");
      t.setDaemon(true);
      return t;
    });
    this.evidence = new FirstEvidence(scope, probe, logs, recent, executor);
  }

  /** The tools and evidence configured by {@code config}, logs from the platform when its URL is set. */
  public static Investigation create(InvestigationConfig config, Jdbi jdbi, DeploymentRepository deployments,
      Clock clock) {
    return new Investigation(config, jdbi, deployments, Optional.empty(), clock);
  }

  /** The same with {@code logs} as the log source (it takes the place of the platform's). */
  public static Investigation create(InvestigationConfig config, Jdbi jdbi, DeploymentRepository deployments,
      LogSource logs, Clock clock) {
    return new Investigation(config, jdbi, deployments, Optional.of(logs), clock);
  }

  /** The configured tools, for {@code OpsAgent.Builder#extraTools}. */
  public List<OpsTools.Definition> tools() {
    return List.copyOf(tools);
  }

  /** Evidence for a review's first model request. */
  public EvidenceSource evidence() {
    return evidence;
  }

  /** The evidence at hand for a code page, from memory. */
  public PageEvidence pageEvidence() {
    return recent;
  }

  @Override
  public void close() {
    executor.shutdownNow();
    probe.close();
    platformLogs.ifPresent(PlatformLogSource::close);
    prometheus.ifPresent(PrometheusClient::close);
  }
}
