package io.opsagent.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InventoryReconcilerTest {
  static TestDatabase db;
  static Jdbi jdbi;
  static PlatformObjects objects;
  static InventoryReconciler reconciler;
  static DeploymentRepository deployments;
  static WorkspaceRepository workspaces;
  static final List<Removals.Removed> removed = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(InventoryReconcilerTest.class);
    jdbi = db.database().jdbi();
    objects = new PlatformObjects(jdbi, new DeploymentRepository(jdbi, Clock.systemUTC()), Removals.NONE, Clock.systemUTC());
    reconciler = new InventoryReconciler(jdbi, new DeploymentRepository(jdbi, Clock.systemUTC()), removed::add, Clock.systemUTC());
    deployments = new DeploymentRepository(jdbi, Clock.systemUTC());
    workspaces = new WorkspaceRepository(jdbi, Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static Inventory.WorkspaceItem ws(String ext, String name, Inventory.DeploymentItem... ds) {
    return new Inventory.WorkspaceItem(ext, name, List.of(ds));
  }

  static Inventory.DeploymentItem dep(String ext, String name, String version) {
    return new Inventory.DeploymentItem(ext, name, null, version, null, null);
  }

  @Test
  void theSameInventoryTwiceChangesNothingTheSecondTime() {
    String t = objects.createTenant("twice", null).id();
    var inventory = List.of(
        ws("w-prod", "prod", dep("d-api", "api", "1.0"), dep("d-web", "web", "2.0")),
        ws("w-stage", "staging", dep("d-api", "api", "1.1")));

    Inventory.Result first = reconciler.reconcile(t, inventory);
    Inventory.Result second = reconciler.reconcile(t, inventory);

    assertThat(first.changed()).isTrue();
    assertThat(first.created().workspaces()).extracting(Inventory.Ref::externalId)
        .containsExactly("w-prod", "w-stage");
    assertThat(first.created().deployments()).hasSize(3);
    assertThat(second.changed()).isFalse();
    assertThat(second.created().isEmpty() && second.updated().isEmpty() && second.removed().isEmpty()).isTrue();
    assertThat(second.unchanged()).isEqualTo(5);
    Workspace prod = workspaces.findByExternalId(t, "w-prod").orElseThrow();
    assertThat(deployments.listByWorkspace(prod.id())).extracting(Deployment::name, Deployment::version,
            Deployment::status, Deployment::source)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("api", "1.0", DeploymentStatus.RUNNING, "api"),
            org.assertj.core.groups.Tuple.tuple("web", "2.0", DeploymentStatus.RUNNING, "api"));
  }

  @Test
  void changesAreAppliedAndWhatTheInventoryNoLongerListsIsRemoved() {
    String t = objects.createTenant("changing", null).id();
    reconciler.reconcile(t, List.of(
        ws("w1", "prod", dep("a", "api", "1.0"), dep("b", "web", "1.0")),
        ws("w2", "old", dep("c", "batch", "1.0"))));
    Deployment api = deployments.findByExternalId(workspaces.findByExternalId(t, "w1").orElseThrow().id(), "a")
        .orElseThrow();
    String web = deployments.findByExternalId(api.workspaceId(), "b").orElseThrow().id();
    removed.clear();

    Inventory.Result r = reconciler.reconcile(t, List.of(
        ws("w1", "production", new Inventory.DeploymentItem("a", "api", null, "1.1",
            Optional.of("https://api.example/health"), null))));

    assertThat(r.updated().workspaces()).extracting(Inventory.Ref::externalId).containsExactly("w1");
    assertThat(r.updated().deployments()).extracting(Inventory.Ref::id).containsExactly(api.id());
    assertThat(r.removed().workspaces()).extracting(Inventory.Ref::externalId).containsExactly("w2");
    assertThat(r.removed().deployments()).extracting(Inventory.Ref::externalId).containsExactlyInAnyOrder("b", "c");
    Deployment now = deployments.find(api.id()).orElseThrow();
    assertThat(now.version()).isEqualTo("1.1");
    assertThat(now.healthUrl()).isEqualTo("https://api.example/health");
    assertThat(workspaces.find(api.workspaceId()).orElseThrow().name()).isEqualTo("production");
    assertThat(deployments.find(web)).isEmpty();
    assertThat(deployments.events(api.id(), null, 10).orElseThrow())
        .extracting(DeploymentEvent::type, DeploymentEvent::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("version_changed", "version 1.0 → 1.1"));
    assertThat(removed).hasSize(1);
    assertThat(removed.get(0).deploymentIds()).hasSize(2).contains(web);
  }

  @Test
  void objectsOfAnotherSourceAreLeftAloneAndListedAsSuch() {
    String t = objects.createTenant("mixed", null).id();
    reconciler.reconcile(t, List.of(ws("w1", "prod", dep("a", "api", "1.0"))));
    String w1 = workspaces.findByExternalId(t, "w1").orElseThrow().id();
    jdbi.useHandle(h -> h.execute("""
        INSERT INTO deployments (id, tenant_id, workspace_id, name, status, created_at, updated_at, external_id, source)
        VALUES ('k8s-dep-mixed', ?, ?, 'operator', 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'k', 'kubernetes')""",
        t, w1));

    Inventory.Result r = reconciler.reconcile(t, List.of(ws("w1", "prod", dep("a", "api", "1.0"))));
    Inventory.Result renamingIt = reconciler.reconcile(t, List.of(ws("w1", "prod", dep("a", "api", "1.0"),
        dep("k", "renamed", "9"))));

    assertThat(r.changed()).isFalse();
    assertThat(r.leftAlone().deployments()).extracting(Inventory.Ref::id).containsExactly("k8s-dep-mixed");
    assertThat(renamingIt.changed()).isFalse();
    assertThat(renamingIt.leftAlone().deployments()).extracting(Inventory.Ref::id).containsExactly("k8s-dep-mixed");
    assertThat(deployments.find("k8s-dep-mixed").orElseThrow().name()).isEqualTo("operator");
    assertThatThrownBy(() -> reconciler.reconcile(t, List.of(ws("w1", "prod", dep("a", "api", "1.0"),
        dep("new", "operator", "1")))))
        .isInstanceOf(AlreadyExistsException.class)
        .satisfies(e -> assertThat(((AlreadyExistsException) e).existingId()).isEqualTo("k8s-dep-mixed"));
  }

  @Test
  void aHealthUrlWithCredentialsIsStoredRedactedAndTheSameInventoryAgainIsUnchanged() {
    String t = objects.createTenant("credentials", null).id();
    var inventory = List.of(ws("w", "prod", new Inventory.DeploymentItem("a", "api", null, "1.0",
        Optional.of("https://probe:s3cret@api.example/health"), null)));

    Inventory.Result first = reconciler.reconcile(t, inventory);
    Inventory.Result second = reconciler.reconcile(t, inventory);
    String id = first.created().deployments().get(0).id();
    Inventory.Result rotated = reconciler.reconcile(t, List.of(ws("w", "prod", new Inventory.DeploymentItem("a",
        "api", null, "1.0", Optional.of("https://probe:rotated@api.example/health"), null))));

    assertThat(deployments.find(id).orElseThrow().healthUrl()).isEqualTo("https://***@api.example/health");
    assertThat(second.changed()).isFalse();
    assertThat(rotated.updated().deployments()).extracting(Inventory.Ref::id).containsExactly(id);
    assertThat(deployments.healthUrlWithCredentials(id)).contains("https://probe:rotated@api.example/health");
  }

  @Test
  void anObjectWithoutExternalIdIsAdoptedByName() {
    String t = objects.createTenant("adopting", null).id();
    Workspace w = objects.createWorkspace(t, "prod", null);
    Deployment d = objects.createDeployment(w, "api", DeploymentStatus.FAILED, "1.0", null);

    Inventory.Result r = reconciler.reconcile(t, List.of(ws("w", "prod", dep("a", "api", "1.0"))));

    assertThat(r.created().isEmpty()).isTrue();
    assertThat(r.updated().workspaces()).containsExactly(new Inventory.Ref(w.id(), "w"));
    assertThat(r.updated().deployments()).containsExactly(new Inventory.Ref(d.id(), "a"));
    assertThat(deployments.find(d.id()).orElseThrow().status()).as("status moves only through events")
        .isEqualTo(DeploymentStatus.FAILED);
  }

  @Test
  void anInventoryNamingAnExternalIdTwiceIsRefusedAndChangesNothing() {
    String t = objects.createTenant("twice-listed", null).id();

    assertThatThrownBy(() -> reconciler.reconcile(t, List.of(ws("w", "prod", dep("a", "api", null),
        dep("a", "web", null))))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    assertThatThrownBy(() -> reconciler.reconcile(t, List.of(ws("w", "prod"), ws("v", "prod"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'prod'");
    assertThat(workspaces.listByTenant(t)).isEmpty();
  }
}
