package io.opsagent.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsagent.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unique live names, soft delete and the inventory on the embedded database (HSQLDB) as on PostgreSQL. */
class PlatformObjectsEmbeddedTest {

  @Test
  void namesAreFreeAgainAfterADeleteAndTheSameInventoryTwiceChangesNothing(@TempDir Path dir) {
    String url = "jdbc:hsqldb:file:" + dir.resolve("data/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";
    try (Database db = Database.open(url, "", "", 4)) {
      db.migrate();
      PlatformObjects objects = new PlatformObjects(db.jdbi(), new DeploymentRepository(db.jdbi(), Clock.systemUTC()), Removals.NONE, Clock.systemUTC());
      InventoryReconciler reconciler = new InventoryReconciler(db.jdbi(), new DeploymentRepository(db.jdbi(), Clock.systemUTC()), Removals.NONE, Clock.systemUTC());
      DeploymentRepository deployments = new DeploymentRepository(db.jdbi(), Clock.systemUTC());
      Tenant t = objects.createTenant("embedded", "org-1");
      Workspace w = objects.createWorkspace(t.id(), "prod", "env-1");
      Deployment d = objects.createDeployment(w, "api", DeploymentStatus.RUNNING, "1.0", "svc-1");

      assertThatThrownBy(() -> objects.createDeployment(w, "api", DeploymentStatus.RUNNING, null, null))
          .isInstanceOf(AlreadyExistsException.class);
      assertThat(objects.deleteDeployment(d)).isTrue();
      Deployment again = objects.createDeployment(w, "api", DeploymentStatus.RUNNING, "1.0", "svc-1");
      assertThat(deployments.findByExternalId(w.id(), "svc-1")).map(Deployment::id).contains(again.id());

      var inventory = List.of(new Inventory.WorkspaceItem("env-1", "prod", List.of(
          new Inventory.DeploymentItem("svc-1", "api", null, "1.1", null, null),
          new Inventory.DeploymentItem("svc-2", "web", null, "1.0", null, null))));
      Inventory.Result first = reconciler.reconcile(t.id(), inventory);
      Inventory.Result second = reconciler.reconcile(t.id(), inventory);

      assertThat(first.updated().deployments()).extracting(Inventory.Ref::id).containsExactly(again.id());
      assertThat(first.created().deployments()).extracting(Inventory.Ref::externalId).containsExactly("svc-2");
      assertThat(second.changed()).isFalse();
      assertThat(objects.deleteTenant(t.id())).isTrue();
      assertThat(objects.createTenant("embedded", "org-1").id()).isNotEqualTo(t.id());
    }
  }
}
