package io.opsagent.action;

import io.opsagent.db.Database;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.queue.Queues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment-queue side of an action: sending it, and deciding whether it helped.
 *
 * <p><b>Sending</b> ({@code platform-action} job): a queued action is held back ({@code cancelled})
 * if {@link ActionHolds} says so; otherwise it is POSTed. 2xx → {@code sent}, and a
 * {@code verify-action} job is scheduled at {@code OPSAGENT_ACTION_VERIFY_TIMEOUT} in the same
 * transaction. 4xx → {@code failed}, never retried. 5xx or no answer → the job throws and the queue
 * retries it with backoff (the same action id each time), up to
 * {@link Queues#DEPLOYMENT_JOB_MAX_RETRIES} retries, then {@code failed}. An action that is no longer
 * {@code queued} (another worker sent it) is never sent again.
 *
 * <p><b>A failed action is paged</b>, as one that did not help is: the writer that moves it to
 * {@code failed} (exactly one, the move being guarded by {@code queued}) sends one critical alert
 * naming the deployment, whose body carries the platform's answer ({@link ControlClient#answer}:
 * status and shortened, redacted body) or the last error after the final attempt. An action held
 * back ({@code cancelled}: kill switch, dry-run) is not paged.
 *
 * <p><b>Verifying</b>, without holding a thread: the deployment's status events decide early —
 * RUNNING → {@code helped}; FAILED or DEGRADED → {@code not_helped} (PENDING and DEPLOYING are in
 * between) — and cancel the deadline job; at the deadline, an action still {@code sent} is
 * {@code helped} if the deployment is RUNNING, else {@code not_helped}. {@code not_helped} sends one
 * critical alert and locks the deployment out of automatic actions ({@link ActionLimits}).
 */
final class ActionJobs {
  private static final Logger log = LoggerFactory.getLogger(ActionJobs.class);

  private final Database db;
  private final ActionRepository actions;
  private final DeploymentRepository deployments;
  private final ControlClient control;
  private final ActionHolds holds;
  private final Notifier notifier;
  private final Duration verifyTimeout;
  private final Duration lockout;
  private final Clock clock;

  ActionJobs(Database db, ActionRepository actions, DeploymentRepository deployments,
      ControlClient control, ActionHolds holds, Notifier notifier, Duration verifyTimeout,
      Duration lockout, Clock clock) {
    this.db = db;
    this.actions = actions;
    this.deployments = deployments;
    this.control = control;
    this.holds = holds;
    this.notifier = notifier;
    this.verifyTimeout = verifyTimeout;
    this.lockout = lockout;
    this.clock = clock;
  }

  static boolean handles(DeploymentJob job) {
    return ActionTools.SEND.equals(job.kind()) || ActionTools.VERIFY.equals(job.kind());
  }

  void handle(DeploymentJob job) {
    String id = job.params().get("actionId");
    Optional<OpsAction> action = id == null ? Optional.empty() : actions.find(id);
    if (action.isEmpty()) {
      log.warn("deployment job names no action kind={} actionId={}", job.kind(), id);
      return;
    }
    if (ActionTools.SEND.equals(job.kind())) {
      send(action.get());
    } else {
      deadline(action.get());
    }
  }

  private void send(OpsAction a) {
    if (a.status() != ActionStatus.QUEUED) {
      log.info("action not sent: already {} action={} tenant={}", a.status().wire(), a.id(), a.tenantId());
      return;
    }
    Optional<String> hold = holds.hold(a.tenantId());
    if (hold.isPresent()) {
      actions.finish(a.id(), ActionStatus.QUEUED, ActionStatus.CANCELLED, "held back: " + hold.get(), now());
      log.info("action cancelled before sending action={} tenant={} reason=\"{}\"", a.id(), a.tenantId(), hold.get());
      return;
    }
    Optional<Integer> attempt = actions.startAttempt(a.id());
    if (attempt.isEmpty()) {
      return;
    }
    ControlClient.Outcome outcome = control.send(a);
    if (outcome instanceof ControlClient.Outcome.Accepted) {
      Instant at = now();
      db.jdbi().useTransaction(h -> {
        if (actions.markSent(h, a.id(), at)) {
          Queues.scheduleDeploymentJob(h.getConnection(), db, verifyJobId(a.id()),
              ActionTools.job(ActionTools.VERIFY, a), at.plus(verifyTimeout));
        }
      });
      log.info("action sent action={} tenant={} deployment={} kind={} attempt={}", a.id(), a.tenantId(),
          a.deploymentId(), a.action().wire(), attempt.get());
    } else if (outcome instanceof ControlClient.Outcome.Refused refused) {
      String error = "platform refused it: " + refused.answer();
      log.warn("action refused by the platform action={} tenant={} deployment={} status={}", a.id(),
          a.tenantId(), a.deploymentId(), refused.status());
      if (actions.finish(a.id(), ActionStatus.QUEUED, ActionStatus.FAILED, error, now())) {
        alertFailed(a, name -> "The platform refused the agent's " + a.action().wire() + " of " + name,
            "the platform refused it (" + refused.answer() + "), so it was not carried out; a refused"
                + " action is not retried");
      }
    } else if (outcome instanceof ControlClient.Outcome.Retry retry) {
      if (attempt.get() > Queues.DEPLOYMENT_JOB_MAX_RETRIES) {
        String error = "gave up after " + attempt.get() + " attempts: " + retry.error();
        log.warn("action failed for good action={} tenant={} deployment={} attempts={} error=\"{}\"",
            a.id(), a.tenantId(), a.deploymentId(), attempt.get(), retry.error());
        if (actions.finish(a.id(), ActionStatus.QUEUED, ActionStatus.FAILED, error, now())) {
          alertFailed(a, name -> "The agent's " + a.action().wire() + " of " + name + " failed after "
              + attempt.get() + " attempts",
              "opsagent gave up after " + attempt.get() + " attempts, the last one ending: "
                  + retry.error() + " (an attempt that got no answer may still have been carried out)");
        }
        return;
      }
      actions.recordError(a.id(), retry.error());
      throw new ControlUnavailableException("action " + a.id() + " attempt " + attempt.get() + ": "
          + retry.error());
    }
  }

  /** The deployment's status moved: decides the actions on it whose effect is awaited. */
  void statusChanged(Deployment d, DeploymentStatus status) {
    boolean helped = status == DeploymentStatus.RUNNING;
    if (!helped && status != DeploymentStatus.FAILED && status != DeploymentStatus.DEGRADED) {
      return;
    }
    for (OpsAction a : actions.awaitingVerification(d.id())) {
      decide(a, helped, "the deployment became " + status.name() + " after it");
      Queues.cancelDeploymentJob(db, verifyJobId(a.id()));
    }
  }

  private void deadline(OpsAction a) {
    if (a.status() != ActionStatus.SENT) {
      return;
    }
    boolean running = deployments.find(a.tenantId(), a.deploymentId())
        .map(d -> d.status() == DeploymentStatus.RUNNING).orElse(false);
    decide(a, running, running ? "the deployment is RUNNING at the deadline"
        : "the deployment did not report RUNNING within " + verifyTimeout);
  }

  private void decide(OpsAction a, boolean helped, String why) {
    ActionStatus to = helped ? ActionStatus.HELPED : ActionStatus.NOT_HELPED;
    if (!actions.finish(a.id(), ActionStatus.SENT, to, helped ? null : why, now())) {
      return;
    }
    log.info("action verified action={} tenant={} deployment={} outcome={} why=\"{}\"", a.id(),
        a.tenantId(), a.deploymentId(), to.wire(), why);
    if (!helped) {
      String name = deployments.find(a.tenantId(), a.deploymentId()).map(Deployment::name)
          .orElse(a.deploymentId());
      notifier.send(new Alert(a.tenantId(), a.workspaceId(), Severity.CRITICAL,
          "The agent's " + a.action().wire() + " did not recover " + name,
          "opsagent asked the platform to " + a.action().wire() + " deployment " + name
              + (a.toVersion() == null ? "" : " to version " + a.toVersion()) + " (reason: "
              + a.reason() + "), but " + why + ". No automatic action will be taken on it for "
              + lockout + " unless it runs for an hour first: a person should look at it now.",
          a.runId(), a.deploymentId()));
    }
  }

  /**
   * The page for an action that ended {@code failed}: {@code title} of the deployment's name,
   * {@code why} says how it failed, with the platform's answer.
   */
  private void alertFailed(OpsAction a, Function<String, String> title, String why) {
    Optional<Deployment> d = deployments.find(a.tenantId(), a.deploymentId());
    String name = d.map(Deployment::name).orElse(a.deploymentId());
    String status = d.map(x -> " The deployment's status is " + x.status().name() + ".").orElse("");
    notifier.send(new Alert(a.tenantId(), a.workspaceId(), Severity.CRITICAL, title.apply(name),
        "opsagent asked the platform to " + a.action().wire() + " deployment " + name + " ("
            + a.deploymentId() + ")" + (a.toVersion() == null ? "" : " to version " + a.toVersion())
            + " (reason: " + a.reason() + "; action " + a.id() + "), but " + why + "." + status
            + " A person should look at it now.",
        a.runId(), a.deploymentId()));
    log.info("failed action alerted action={} tenant={} deployment={}", a.id(), a.tenantId(),
        a.deploymentId());
  }

  static String verifyJobId(String actionId) {
    return "verify-" + actionId;
  }

  private Instant now() {
    return clock.instant();
  }

  /** The platform could not be reached or answered 5xx: the queue retries the job. */
  static final class ControlUnavailableException extends RuntimeException {
    ControlUnavailableException(String message) {
      super(message);
    }
  }
}
