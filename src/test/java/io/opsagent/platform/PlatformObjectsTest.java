package io.opsagent.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlatformObjectsTest {
  static TestDatabase db;
  static PlatformObjects objects;
  static TenantRepository tenants;
  static WorkspaceRepository workspaces;
  static DeploymentRepository deployments;
  static final List<Removals.Removed> removed = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(PlatformObjectsTest.class);
    var jdbi = db.database().jdbi();
    objects = new PlatformObjects(jdbi, new DeploymentRepository(jdbi, Clock.systemUTC()), removed::add, Clock.systemUTC());
    tenants = new TenantRepository(jdbi, Clock.systemUTC());
    workspaces = new WorkspaceRepository(jdbi, Clock.systemUTC());
    deployments = new DeploymentRepository(jdbi, Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void aSecondDeploymentWithTheSameNameInAWorkspaceIsRefusedNamingTheFirst() {
    Workspace w = objects.createWorkspace(objects.createTenant("dup-names", null).id(), "prod", null);
    Deployment first = objects.createDeployment(w, "api", DeploymentStatus.RUNNING, "1.0", null);
    Workspace other = objects.createWorkspace(w.tenantId(), "staging", null);

    assertThatThrownBy(() -> objects.createDeployment(w, "api", DeploymentStatus.RUNNING, "1.1", null))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessageContaining("'api'")
        .satisfies(e -> assertThat(((AlreadyExistsException) e).existingId()).isEqualTo(first.id()));
    assertThat(objects.createDeployment(other, "api", DeploymentStatus.RUNNING, "1.0", null).workspaceId())
        .as("names are unique per workspace, not across workspaces").isEqualTo(other.id());
    assertThat(deployments.listByWorkspace(w.id())).hasSize(1);
  }

  @Test
  void tenantAndWorkspaceNamesAndExternalIdsAreUniquePerParent() {
    Tenant t = objects.createTenant("unique-t", "plat-t-1");
    objects.createWorkspace(t.id(), "prod", "ws-1");
    Tenant u = objects.createTenant("unique-u", null);

    assertThatThrownBy(() -> objects.createTenant("unique-t", null)).isInstanceOf(AlreadyExistsException.class);
    assertThatThrownBy(() -> objects.createTenant("another", "plat-t-1"))
        .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("externalId 'plat-t-1'");
    assertThatThrownBy(() -> objects.createWorkspace(t.id(), "other", "ws-1"))
        .isInstanceOf(AlreadyExistsException.class);
    assertThatThrownBy(() -> objects.updateTenant(u, "unique-t", null))
        .isInstanceOf(AlreadyExistsException.class)
        .satisfies(e -> assertThat(((AlreadyExistsException) e).existingId()).isEqualTo(t.id()));
    assertThat(objects.createWorkspace(u.id(), "prod", "ws-1").tenantId()).isEqualTo(u.id());
    assertThat(tenants.findByExternalId("plat-t-1")).map(Tenant::id).contains(t.id());
    assertThat(workspaces.findByExternalId(u.id(), "ws-1")).map(Workspace::tenantId).contains(u.id());
  }

  @Test
  void aDeletedDeploymentIsNotFoundListedNorWatchedAndItsNameIsFreeAgain() {
    Workspace w = objects.createWorkspace(objects.createTenant("deleting", null).id(), "prod", null);
    Deployment d = objects.createDeployment(w, "api", DeploymentStatus.FAILED, "1.0", "ext-api");
    deployments.recordEvent(d, "crash", DeploymentStatus.FAILED, "boom");

    assertThat(objects.deleteDeployment(d)).isTrue();

    assertThat(deployments.find(d.id())).isEmpty();
    assertThat(deployments.listByWorkspace(w.id())).isEmpty();
    assertThat(deployments.listByTenant(w.tenantId(), EnumSet.allOf(DeploymentStatus.class))).isEmpty();
    assertThat(deployments.findByExternalId(w.id(), "ext-api")).isEmpty();
    assertThat(deployments.eventsSince(w.tenantId(), java.time.Instant.EPOCH, 10))
        .as("left out of the tenant's recent events").isEmpty();
    assertThat(deployments.events(d.id(), null, 10)).get().asList()
        .as("its own history stays").hasSize(1);
    assertThat(removed).contains(new Removals.Removed(w.tenantId(), false, List.of(), List.of(d.id())));
    assertThat(objects.deleteDeployment(d)).as("deleting again is not found").isFalse();
    Deployment again = objects.createDeployment(w, "api", DeploymentStatus.RUNNING, "2.0", "ext-api");
    assertThat(again.id()).isNotEqualTo(d.id());
    assertThat(deployments.findByExternalId(w.id(), "ext-api")).map(Deployment::id).contains(again.id());
  }

  @Test
  void deletingATenantDeletesItsWorkspacesAndDeploymentsAndFreesItsName() {
    Tenant t = objects.createTenant("leaving", "leaving-ext");
    Workspace w1 = objects.createWorkspace(t.id(), "prod", null);
    Workspace w2 = objects.createWorkspace(t.id(), "staging", null);
    Deployment a = objects.createDeployment(w1, "api", DeploymentStatus.RUNNING, null, null);
    Deployment b = objects.createDeployment(w2, "web", DeploymentStatus.FAILED, null, null);

    assertThat(objects.deleteTenant(t.id())).isTrue();

    assertThat(tenants.find(t.id())).isEmpty();
    assertThat(workspaces.find(w1.id())).isEmpty();
    assertThat(deployments.find(b.id())).isEmpty();
    assertThat(tenants.idsWithWatchedDeployments("", 1000)).doesNotContain(t.id());
    Removals.Removed r = removed.stream().filter(x -> x.tenantId().equals(t.id())).findFirst().orElseThrow();
    assertThat(r.tenantRemoved()).isTrue();
    assertThat(r.workspaceIds()).containsExactlyInAnyOrder(w1.id(), w2.id());
    assertThat(r.deploymentIds()).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(objects.deleteTenant(t.id())).isFalse();
    assertThat(objects.createTenant("leaving", "leaving-ext").id()).isNotEqualTo(t.id());
  }

  @Test
  void concurrentCreationsOfOneNameLeaveExactlyOneDeployment() throws Exception {
    Workspace w = objects.createWorkspace(objects.createTenant("racing", null).id(), "prod", null);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(pool.submit(() -> {
        go.await();
        try {
          objects.createDeployment(w, "same", DeploymentStatus.RUNNING, null, null);
          return true;
        } catch (AlreadyExistsException e) {
          return false;
        }
      }));
    }
    go.countDown();
    int created = 0;
    for (Future<Boolean> f : results) {
      created += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(created).isEqualTo(1);
    assertThat(deployments.listByWorkspace(w.id())).hasSize(1);
  }

  @Test
  void eventsArePagedNewestFirstEachOnce() {
    Workspace w = objects.createWorkspace(objects.createTenant("events", null).id(), "prod", null);
    Deployment d = objects.createDeployment(w, "api", DeploymentStatus.RUNNING, null, null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(0, deployments.recordEvent(d, "tick-" + i, null, null).id());
    }

    List<DeploymentEvent> first = deployments.events(d.id(), null, 2).orElseThrow();
    List<DeploymentEvent> second = deployments.events(d.id(), first.get(1).id(), 2).orElseThrow();
    List<DeploymentEvent> third = deployments.events(d.id(), second.get(1).id(), 2).orElseThrow();

    List<String> seen = new ArrayList<>();
    List.of(first, second, third).forEach(p -> p.forEach(e -> seen.add(e.id())));
    List<DeploymentEvent> all = deployments.events(d.id(), null, 10).orElseThrow();
    assertThat(seen).containsExactlyElementsOf(all.stream().map(DeploymentEvent::id).toList());
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(all).extracting(DeploymentEvent::createdAt).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(deployments.events(d.id(), "not-an-event", 2)).isEmpty();
  }
}
