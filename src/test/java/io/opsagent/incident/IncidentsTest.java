package io.opsagent.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.notify.Alert;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestDatabase;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Incidents on real PostgreSQL with the real notifier and a loopback webhook receiver: one page per
 * problem, one resolved notice when it is over, reminders while nobody acknowledged it.
 */
class IncidentsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration REMINDER = Duration.ofHours(4);
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository channels;
  static NotificationRepository deliveries;
  static DeliveryNotifier notifier;
  static TestReceiver receiver;
  /** Shared by the tests: a reminder check reminds every tenant's due incidents, so each test counts its own. */
  static SettableClock clock;
  static Incidents incidents;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDatabase.create(IncidentsTest.class);
    fx = new Fixtures(db.database());
    channels = new NotificationChannelRepository(db.database().jdbi(), true, Clock.systemUTC());
    deliveries = new NotificationRepository(db.database().jdbi(), Clock.systemUTC());
    notifier = new DeliveryNotifier(db.database(), channels, deliveries, Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true", "OPSAGENT_POLL_INTERVAL", "PT0.05S")).notifications(), Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true", "OPSAGENT_POLL_INTERVAL", "PT0.05S")).paging(), Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true", "OPSAGENT_POLL_INTERVAL", "PT0.05S")).scheduling(),
        new SimpleMeterRegistry(), Clock.systemUTC());
    notifier.start();
    receiver = TestReceiver.answering();
    clock = SettableClock.startingNow();
    incidents = new Incidents(db.database().jdbi(), new io.opsagent.platform.DeploymentRepository(db.database().jdbi(), Clock.systemUTC()),
        new io.opsagent.platform.WorkspaceRepository(db.database().jdbi(), Clock.systemUTC()),
        new io.opsagent.trust.TenantSettings(db.database().jdbi(), io.opsagent.trust.Mode.LIVE, Clock.systemUTC()), notifier,
        REMINDER, java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(15), clock);
  }

  @AfterAll
  static void tearDown() {
    notifier.close();
    receiver.close();
    db.close();
  }

  @Test
  void theFirstAlertOpensTheIncidentAndPagesOnceLaterAlertsAreRecordedOnIt() {
    Deployment d = failedDeploymentWithHook("pages-once");

    Incidents.Outcome first = incidents.alert(alert(d, "checkout is FAILED"));
    Incidents.Outcome second = incidents.alert(alert(d, "checkout still FAILED, new title"));

    assertThat(first.paged()).isTrue();
    assertThat(second.paged()).isFalse();
    assertThat(second.describe()).contains("not sent again");
    Incident open = incidents.list(d.tenantId(), Incident.Status.OPEN).get(0);
    assertThat(open.incidentKey()).isEqualTo(d.tenantId() + ":" + d.id() + ":failed");
    assertThat(open.alerts()).isEqualTo(2);
    List<Delivery> sent = deliveries.listByTenant(d.tenantId(), 10);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).incidentKey()).isEqualTo(open.incidentKey());
    var payload = awaitDelivered(d.tenantId(), 1).get(0).payload();
    assertThat(payload.get("status").asText()).isEqualTo("firing");
    assertThat(payload.get("incidentKey").asText()).isEqualTo(open.incidentKey());
    assertThat(payload.get("deploymentId").asText()).isEqualTo(d.id());
  }

  @Test
  void aDryRunTenantsAlertOpensNoIncidentAndIsNotSent() {
    Deployment d = failedDeploymentWithHook("dry-run");
    new TenantSettings(db.database().jdbi(), Mode.LIVE, Clock.systemUTC()).update(d.tenantId(), Mode.DRY_RUN, false, null);

    Incidents.Outcome outcome = incidents.alert(alert(d, "checkout is FAILED"));

    assertThat(outcome.paged()).isFalse();
    assertThat(outcome.describe()).contains("dry-run");
    assertThat(incidents.list(d.tenantId(), Incident.Status.OPEN)).isEmpty();
    assertThat(deliveries.listByTenant(d.tenantId(), 10)).isEmpty();
  }

  @Test
  void recoveringToRunningResolvesTheIncidentWithExactlyOneResolvedNotice() {
    Deployment d = failedDeploymentWithHook("resolves");
    incidents.alert(alert(d, "api is FAILED"));
    awaitDelivered(d.tenantId(), 1);

    Deployment running = recover(d, DeploymentStatus.RUNNING);
    List<Incident> resolved = incidents.deploymentChanged(running.id());
    List<Incident> again = incidents.deploymentChanged(running.id());

    assertThat(resolved).hasSize(1);
    assertThat(again).isEmpty();
    var notices = awaitDelivered(d.tenantId(), 2);
    var notice = notices.get(1).payload();
    assertThat(notice.get("status").asText()).isEqualTo("resolved");
    assertThat(notice.get("incidentKey").asText()).isEqualTo(resolved.get(0).incidentKey());
    assertThat(notice.get("title").asText()).startsWith("Resolved: ");
    assertThat(deliveries.listByTenant(d.tenantId(), 10)).hasSize(2);
    Incident after = incidents.list(d.tenantId(), Incident.Status.RESOLVED).get(0);
    assertThat(after.resolvedAt()).isNotNull();
    assertThat(incidents.list(d.tenantId(), Incident.Status.OPEN)).isEmpty();
  }

  @Test
  void aNewFailureLongAfterResolutionOpensANewIncidentThatPagesAgain() {
    Deployment d = failedDeploymentWithHook("flaps");
    incidents.alert(alert(d, "web is FAILED"));
    incidents.deploymentChanged(recover(d, DeploymentStatus.RUNNING).id());

    clock.advance(Incidents.FLAP_WINDOW.plusMinutes(1));
    Deployment failedAgain = recover(d, DeploymentStatus.FAILED);
    Incidents.Outcome outcome = incidents.alert(alert(failedAgain, "web is FAILED"));

    assertThat(outcome.paged()).isTrue();
    assertThat(incidents.list(d.tenantId(), null)).hasSize(2);
  }

  @Test
  void aFailureSoonAfterResolutionReopensTheSameIncidentWithAnUpdateInsteadOfANewPage() {
    Deployment d = failedDeploymentWithHook("flaps-fast");
    incidents.alert(alert(d, "web is FAILED"));
    awaitDelivered(d.tenantId(), 1);
    String first = incidents.list(d.tenantId(), null).get(0).id();
    incidents.deploymentChanged(recover(d, DeploymentStatus.RUNNING).id());

    clock.advance(Incidents.FLAP_WINDOW.minusMinutes(1));
    Incidents.Outcome outcome = incidents.alert(alert(recover(d, DeploymentStatus.FAILED), "web is FAILED"));

    assertThat(outcome.kind()).isEqualTo(Incidents.Outcome.Kind.UPDATE);
    assertThat(incidents.list(d.tenantId(), null)).singleElement().satisfies(i -> {
      assertThat(i.id()).isEqualTo(first);
      assertThat(i.status()).isEqualTo(Incident.Status.OPEN);
      assertThat(i.resolvedAt()).isNull();
    });
    assertThat(deliveries.listByTenant(d.tenantId(), 10)).extracting(io.opsagent.notify.Delivery::alertStatus)
        .containsExactlyInAnyOrder("update", "resolved", "firing");
  }

  @Test
  void onAPagedIncidentTheModelsAlertsAndActionOutcomesAreUpdatesAndCodesOtherAlertsAreOnlyRecorded() {
    Deployment d = failedDeploymentWithHook("updates");
    incidents.alert(alert(d, "web is FAILED"));
    awaitDelivered(d.tenantId(), 1);

    Incidents.Outcome fallback = incidents.alert(new Alert(d.tenantId(), d.workspaceId(), Severity.CRITICAL,
        "web is FAILED", "the review could not run; still failing", null, d.id()));
    Incidents.Outcome diagnosis = incidents.alert(new Alert(d.tenantId(), d.workspaceId(), Severity.CRITICAL,
        "web crashes on start", "roll back to 1.0", "run-1", d.id(), null, Alert.FIRING, Alert.BY_MODEL));
    Incidents.Outcome action = incidents.alert(new Alert(d.tenantId(), d.workspaceId(), Severity.CRITICAL,
        "The platform refused the agent's restart of web", "HTTP 409", "run-1", d.id()).on(null, Alert.UPDATE));

    assertThat(fallback.kind()).isEqualTo(Incidents.Outcome.Kind.RECORDED);
    assertThat(diagnosis.kind()).isEqualTo(Incidents.Outcome.Kind.UPDATE);
    assertThat(action.kind()).isEqualTo(Incidents.Outcome.Kind.UPDATE);
    List<TestReceiver.Request> notices = awaitDelivered(d.tenantId(), 3);
    assertThat(notices).extracting(r -> r.payload().get("status").asText() + " by " + r.payload().get("by").asText())
        .containsExactlyInAnyOrder("firing by code", "update by model", "update by code");
    assertThat(notices).extracting(r -> r.payload().get("incidentKey").asText()).containsOnly(
        d.tenantId() + ":" + d.id() + ":failed");
  }

  @Test
  void failedToDegradedResolvesTheFailedIncidentAndDegradedIsItsOwnIncident() {
    Deployment d = failedDeploymentWithHook("degrades");
    incidents.alert(alert(d, "db is FAILED"));

    Deployment degraded = recover(d, DeploymentStatus.DEGRADED);
    assertThat(incidents.deploymentChanged(degraded.id())).extracting(Incident::problem)
        .containsExactly(Problem.FAILED);
    Incidents.Outcome degradedAlert = incidents.alert(alert(degraded, "db is DEGRADED"));

    assertThat(degradedAlert.paged()).isTrue();
    assertThat(degradedAlert.incident().orElseThrow().problem()).isEqualTo(Problem.DEGRADED);
  }

  @Test
  void noResolvedNoticeGoesOutWhenNoFiringNoticeWasDelivered() {
    var t = fx.tenant("no-channels").workspace("prod");
    Deployment d = t.deploy("quiet", DeploymentStatus.FAILED, "1.0");
    incidents.alert(alert(d, "quiet is FAILED"));

    assertThat(incidents.deploymentChanged(recover(d, DeploymentStatus.RUNNING).id())).hasSize(1);

    assertThat(deliveries.listByTenant(d.tenantId(), 10)).isEmpty();
  }

  @Test
  void anOpenUnacknowledgedIncidentIsRemindedEveryIntervalAndNotAfterAck() {
    Deployment d = failedDeploymentWithHook("reminds");
    incidents.alert(alert(d, "cache is FAILED"));
    Incident open = incidents.list(d.tenantId(), Incident.Status.OPEN).get(0);

    incidents.sendReminders();
    assertThat(deliveries.listByTenant(d.tenantId(), 10)).as("not yet due").hasSize(1);
    clock.advance(REMINDER.plusSeconds(1));
    assertThat(incidents.sendReminders()).isPositive();
    incidents.sendReminders();
    assertThat(deliveries.listByTenant(d.tenantId(), 10)).as("reminded once per interval").hasSize(2);
    var reminder = awaitDelivered(d.tenantId(), 2).get(1).payload();
    assertThat(reminder.get("title").asText()).isEqualTo("Reminder: cache is FAILED");
    assertThat(reminder.get("incidentKey").asText()).isEqualTo(open.incidentKey());
    assertThat(reminder.get("status").asText()).isEqualTo("firing");

    Incident acked = incidents.acknowledge(d.tenantId(), open.id()).orElseThrow();
    clock.advance(REMINDER.multipliedBy(3));

    assertThat(acked.acknowledgedAt()).isNotNull();
    incidents.sendReminders();
    assertThat(deliveries.listByTenant(d.tenantId(), 10)).hasSize(2);
  }

  @Test
  void anIncidentOpenedWhileLiveIsNeitherRemindedNorNoticedResolvedOnceTheTenantIsInDryRun() {
    Deployment d = failedDeploymentWithHook("live-then-dry-run");
    Deployment other = failedDeploymentWithHook("switched-later");
    incidents.alert(alert(d, "db is FAILED"));
    incidents.alert(alert(other, "db is FAILED"));
    awaitDelivered(d.tenantId(), 1);
    awaitDelivered(other.tenantId(), 1);
    TenantSettings settings = new TenantSettings(db.database().jdbi(), Mode.LIVE, Clock.systemUTC());
    settings.update(d.tenantId(), Mode.DRY_RUN, false, null);
    settings.update(other.tenantId(), Mode.DRY_RUN, false, null);

    clock.advance(REMINDER.plusSeconds(1));
    incidents.sendReminders();
    incidents.deploymentChanged(recover(other, DeploymentStatus.RUNNING).id());

    assertThat(deliveries.listByTenant(d.tenantId(), 10)).as("no reminder in dry-run").hasSize(1);
    assertThat(incidents.list(d.tenantId(), Incident.Status.OPEN)).hasSize(1);
    assertThat(incidents.list(other.tenantId(), Incident.Status.RESOLVED)).as("resolved all the same").hasSize(1);
    assertThat(deliveries.listByTenant(other.tenantId(), 10)).as("without a notice").hasSize(1);

    settings.update(d.tenantId(), Mode.LIVE, false, null);
    clock.advance(REMINDER.plusSeconds(1));
    incidents.sendReminders();
    assertThat(awaitDelivered(d.tenantId(), 2).get(1).payload().get("title").asText())
        .as("live again: reminded").isEqualTo("Reminder: db is FAILED");
  }

  @Test
  void aReminderDueForADeploymentThatRecoveredUnnoticedResolvesItInstead() {
    Deployment d = failedDeploymentWithHook("recovered-quietly");
    incidents.alert(alert(d, "queue is FAILED"));
    awaitDelivered(d.tenantId(), 1);
    recover(d, DeploymentStatus.RUNNING); // nobody told the incidents

    clock.advance(REMINDER.plusSeconds(1));
    incidents.sendReminders();

    assertThat(incidents.list(d.tenantId(), Incident.Status.OPEN)).isEmpty();
    assertThat(awaitDelivered(d.tenantId(), 2).get(1).payload().get("status").asText()).isEqualTo("resolved");
  }

  @Test
  void anAlertNamingAnotherTenantsDeploymentIsRefused() {
    Deployment mine = failedDeploymentWithHook("mine");
    Deployment theirs = failedDeploymentWithHook("theirs");

    assertThatThrownBy(() -> incidents.alert(new Alert(mine.tenantId(), mine.workspaceId(), Severity.CRITICAL,
        "x", "y", null, theirs.id()))).isInstanceOf(IllegalArgumentException.class);
    assertThat(incidents.list(mine.tenantId(), null)).isEmpty();
    assertThat(incidents.acknowledge(mine.tenantId(), "no-such-incident")).isEmpty();
  }

  @Test
  void pastTheHourlyPageCapCodesPagesAreGroupedIntoOneNoticeAMinuteAndNoneIsDropped() {
    SettableClock later = SettableClock.startingNow();
    Incidents capped = new Incidents(db.database().jdbi(),
        new io.opsagent.platform.DeploymentRepository(db.database().jdbi(), Clock.systemUTC()),
        new io.opsagent.platform.WorkspaceRepository(db.database().jdbi(), Clock.systemUTC()),
        new TenantSettings(db.database().jdbi(), Mode.LIVE, Clock.systemUTC()), notifier, REMINDER,
        Duration.ofSeconds(60), Duration.ofSeconds(15), later).groupPagesPast(2);
    Deployment first = failedDeploymentWithHook("capped");
    List<Deployment> more = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      more.add(fx.deployments.create(fx.workspaces.listByTenant(first.tenantId()).get(0), "svc-" + i,
          DeploymentStatus.FAILED, "1.0"));
    }

    // the cap's worth of pages, one each
    assertThat(capped.page(first, DeploymentStatus.FAILED, null).kind()).isEqualTo(Incidents.Outcome.Kind.PAGED);
    assertThat(capped.page(more.get(0), DeploymentStatus.FAILED, null).kind())
        .isEqualTo(Incidents.Outcome.Kind.PAGED);
    awaitDelivered(first.tenantId(), 2);
    // past it: one grouped notice, then nothing more within the minute
    Incidents.Outcome grouped = capped.page(more.get(1), DeploymentStatus.FAILED, null);
    Incidents.Outcome held2 = capped.page(more.get(2), DeploymentStatus.FAILED, null);
    Incidents.Outcome held3 = capped.page(more.get(3), DeploymentStatus.FAILED, null);
    assertThat(grouped.kind()).isEqualTo(Incidents.Outcome.Kind.GROUPED);
    assertThat(grouped.paged()).isTrue();
    assertThat(held2.paged()).isFalse();
    assertThat(held3.describe()).contains("next grouped page");
    awaitDelivered(first.tenantId(), 3);
    // a minute later the next grouped notice lists every incident still unpaged
    later.advance(Duration.ofSeconds(61));
    Incidents.Outcome next = capped.page(more.get(4), DeploymentStatus.FAILED, null);
    assertThat(next.paged()).isTrue();
    var notices = awaitDelivered(first.tenantId(), 4);

    assertThat(notices).hasSize(4);
    var firstGroup = notices.get(2).payload();
    assertThat(firstGroup.get("title").asText()).isEqualTo("1 deployment newly failing (grouped page)");
    assertThat(firstGroup.get("body").asText()).contains("svc-1").doesNotContain("svc-2");
    var secondGroup = notices.get(3).payload();
    assertThat(secondGroup.get("title").asText()).isEqualTo("3 deployments newly failing (grouped page)");
    assertThat(secondGroup.get("body").asText()).contains("svc-2", "svc-3", "svc-4").doesNotContain("svc-1");
    // none dropped: every incident is open and counts as paged once its grouped notice arrived
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(capped.list(first.tenantId(),
        Incident.Status.OPEN)).hasSize(6).allSatisfy(i -> assertThat(i.pagedAt()).isNotNull()));
  }

  private static Deployment failedDeploymentWithHook(String name) {
    var t = fx.tenant(name).workspace("prod");
    channels.create(t.id(), null, ChannelType.WEBHOOK, "hook",
        JSON.createObjectNode().put("url", receiver.url("/hooks/" + t.id())));
    return t.deploy(name + "-app", DeploymentStatus.FAILED, "1.0");
  }

  private static Alert alert(Deployment d, String title) {
    return new Alert(d.tenantId(), d.workspaceId(), Severity.CRITICAL, title, "it broke", null, d.id());
  }

  private static Deployment recover(Deployment d, DeploymentStatus to) {
    fx.deployments.recordEvent(d, "status", to, null);
    return fx.deployments.find(d.id()).orElseThrow();
  }

  /** Waits until the tenant's receiver got {@code n} requests and its delivery log has no pending row. */
  private static List<TestReceiver.Request> awaitDelivered(String tenantId, int n) {
    await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.listByTenant(tenantId, 50).stream()
        .allMatch(x -> x.status() == DeliveryStatus.DELIVERED)
        && receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenantId)).count() >= n);
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenantId)).toList();
  }
}
