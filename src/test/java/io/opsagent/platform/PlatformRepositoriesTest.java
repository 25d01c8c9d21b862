package io.opsagent.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlatformRepositoriesTest {
  static TestDatabase db;
  static Fixtures fx;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(PlatformRepositoriesTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void tenantsAndWorkspacesAreReadBackAsWritten() {
    Tenant t = fx.tenants.create("acme");
    Workspace w = fx.workspaces.create(t.id(), "web");

    assertThat(fx.tenants.find(t.id())).contains(t);
    assertThat(fx.workspaces.find(w.id())).contains(w);
    assertThat(fx.workspaces.listByTenant(t.id())).containsExactly(w);
  }

  @Test
  void deploymentKeepsEveryFieldTheAgentReads() {
    var a = fx.tenant("a").workspace("w");
    Instant checked = Instant.parse("2026-11-01T10:00:00Z");
    Deployment d = new Deployment("dep-full-" + a.id().substring(0, 8), a.id(), a.lastWorkspace().id(),
        "db", DeploymentStatus.RUNNING, "15.1", "15.4", checked, "0 3 * * *",
        Instant.parse("2026-11-24T03:00:00Z"), "failed", "https://db.example/health",
        checked, checked);
    fx.deployments.insert(d);

    assertThat(fx.deployments.find(d.id())).contains(d);
    assertThat(d.updateAvailable()).isTrue();
  }

  @Test
  void aQueryForTenantANeverReturnsTenantBsRows() {
    var a = fx.tenant("a").workspace("wa").deployment("api", DeploymentStatus.RUNNING);
    var b = fx.tenant("b").workspace("wb").deployment("api", DeploymentStatus.RUNNING);
    Workspace wb = b.lastWorkspace();

    assertThat(fx.workspaces.listByTenant(a.id())).extracting(Workspace::tenantId).containsOnly(a.id());
    assertThat(fx.workspaces.find(a.id(), wb.id())).isEmpty();
    assertThat(fx.workspaces.find(b.id(), wb.id())).isPresent();
    assertThat(fx.deployments.listByTenant(a.id(), EnumSet.allOf(DeploymentStatus.class)))
        .extracting(Deployment::tenantId).containsOnly(a.id());
    String bDeployment = fx.deployments.listByTenant(b.id(), EnumSet.of(DeploymentStatus.RUNNING)).get(0).id();
    assertThat(fx.deployments.find(a.id(), bDeployment)).isEmpty();
  }

  @Test
  void listByTenantFiltersOnStatus() {
    var t = fx.tenant("mixed").workspace("w")
        .deployment("ok", DeploymentStatus.RUNNING)
        .deployment("bad", DeploymentStatus.FAILED)
        .deployment("off", DeploymentStatus.STOPPED);

    assertThat(fx.deployments.listByTenant(t.id(), EnumSet.of(DeploymentStatus.RUNNING, DeploymentStatus.FAILED)))
        .extracting(Deployment::name).containsExactlyInAnyOrder("ok", "bad");
  }

  @Test
  void anEventWithAStatusMovesTheDeployment() {
    var t = fx.tenant("ev").workspace("w");
    Deployment d = t.deploy("api", DeploymentStatus.RUNNING, "1");

    DeploymentEvent e = fx.deployments.recordEvent(d, "crash", DeploymentStatus.FAILED, "OOMKilled");

    assertThat(fx.deployments.find(d.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.FAILED);
    assertThat(fx.deployments.eventsSince(t.id(), Instant.EPOCH, 10)).containsExactly(e);
  }

  @Test
  void eventsSinceReturnsOnlyTheTenantsNewerEventsNewestFirstAndBounded() {
    var t = fx.tenant("since").workspace("w");
    var other = fx.tenant("other").workspace("w");
    Deployment d = t.deploy("api", DeploymentStatus.RUNNING, "1");
    Deployment od = other.deploy("api", DeploymentStatus.RUNNING, "1");
    DeploymentEvent old = fx.deployments.recordEvent(d, "old", null, "before");
    Instant since = old.createdAt().plusMillis(1);
    awaitClockPast(since);
    DeploymentEvent first = fx.deployments.recordEvent(d, "first", null, "1");
    awaitClockPast(first.createdAt().plusMillis(1));
    DeploymentEvent second = fx.deployments.recordEvent(d, "second", null, "2");
    fx.deployments.recordEvent(od, "foreign", null, "not yours");

    List<DeploymentEvent> events = fx.deployments.eventsSince(t.id(), since, 10);

    assertThat(events).containsExactly(second, first);
    assertThat(fx.deployments.eventsSince(t.id(), since, 1)).containsExactly(second);
  }

  @Test
  void startupScanPagesThroughEveryTenantWithADeploymentThatIsNotStopped() {
    var running = fx.tenant("r").deployment("a", DeploymentStatus.RUNNING).deployment("b", DeploymentStatus.RUNNING);
    var failedOnly = fx.tenant("f").deployment("a", DeploymentStatus.FAILED);
    var degradedOnly = fx.tenant("d").deployment("a", DeploymentStatus.DEGRADED);
    var stoppedOnly = fx.tenant("s").deployment("a", DeploymentStatus.STOPPED);

    List<String> all = new java.util.ArrayList<>();
    String after = "";
    List<String> page;
    while (!(page = fx.tenants.idsWithWatchedDeployments(after, 2)).isEmpty()) {
      all.addAll(page);
      after = page.get(page.size() - 1);
    }

    assertThat(all).contains(running.id(), failedOnly.id(), degradedOnly.id())
        .doesNotContain(stoppedOnly.id()).doesNotHaveDuplicates();
  }

  private static void awaitClockPast(Instant t) {
    org.awaitility.Awaitility.await().until(() -> Instant.now().isAfter(t));
  }
}
