package io.opsagent.support;

import io.opsagent.db.Database;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Tenant;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.Workspace;
import io.opsagent.platform.WorkspaceRepository;
import java.time.Clock;

/**
 * Small builders for test data: {@code fixtures.tenant("acme").workspace("web").deployment("api",
 * FAILED)}. Each call writes through the real repositories.
 */
public final class Fixtures {
  public final TenantRepository tenants;
  public final WorkspaceRepository workspaces;
  public final DeploymentRepository deployments;

  public Fixtures(Database db) {
    this.tenants = new TenantRepository(db.jdbi(), Clock.systemUTC());
    this.workspaces = new WorkspaceRepository(db.jdbi(), Clock.systemUTC());
    this.deployments = new DeploymentRepository(db.jdbi(), Clock.systemUTC());
  }

  public TenantFixture tenant(String name) {
    return new TenantFixture(tenants.create(name));
  }

  public final class TenantFixture {
    public final Tenant tenant;
    private Workspace lastWorkspace;

    TenantFixture(Tenant tenant) {
      this.tenant = tenant;
    }

    public String id() {
      return tenant.id();
    }

    public TenantFixture workspace(String name) {
      lastWorkspace = workspaces.create(tenant.id(), name);
      return this;
    }

    public Workspace lastWorkspace() {
      return lastWorkspace;
    }

    /** Adds a deployment to the last workspace (creating a "default" one first if needed). */
    public TenantFixture deployment(String name, DeploymentStatus status) {
      return deploy(name, status);
    }

    public TenantFixture withFailedDeployment() {
      return deploy("failing-app", DeploymentStatus.FAILED);
    }

    public Deployment deploy(String name, DeploymentStatus status, String version) {
      if (lastWorkspace == null) {
        workspace("default");
      }
      return deployments.create(lastWorkspace, name, status, version);
    }

    private TenantFixture deploy(String name, DeploymentStatus status) {
      deploy(name, status, "1.0.0");
      return this;
    }
  }
}
