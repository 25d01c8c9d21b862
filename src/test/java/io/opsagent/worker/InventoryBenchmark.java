package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What one {@code PUT /api/tenants/{id}/inventory} of 10,000 deployments (100 workspaces of 100)
 * costs end to end through the worker's HTTP API on PostgreSQL: the first call (everything
 * created), the same call again (nothing changes), and a call in which 10 % of the deployments
 * change version, 10 % are gone and 10 % are new. Each round uses a fresh tenant; the target is
 * under 5 s per call.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=InventoryBenchmark}
 */
@Tag("benchmark")
class InventoryBenchmark {
  private static final int WORKSPACES = 100;
  private static final int PER_WORKSPACE = 100;
  private static final int ROUNDS = 3;

  @Test
  void tenThousandDeploymentsInOneCall() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try (TestDatabase db = TestDatabase.create(InventoryBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start()) {
      WorkerEnv env = new WorkerEnv(db, model, "PT1H");
      env.env.remove("ANTHROPIC_API_KEY");
      try (Worker worker = Worker.start(env.config())) {
        ApiClient api = new ApiClient(worker.httpPort(), env.token);
        String initial = body(0);
        String changed = body(1);
        System.out.printf("inventory benchmark: %d deployments, body %,d bytes%n", WORKSPACES * PER_WORKSPACE,
            initial.length());
        for (int round = 0; round <= ROUNDS; round++) { // round 0 warms the JIT and the pool
          String tenant = api.create("/api/tenants", "{\"name\":\"bench-" + round + "\"}");
          long a = System.nanoTime();
          JsonNode created = api.put("/api/tenants/" + tenant + "/inventory", initial).json();
          long b = System.nanoTime();
          JsonNode same = api.put("/api/tenants/" + tenant + "/inventory", initial).json();
          long c = System.nanoTime();
          JsonNode moved = api.put("/api/tenants/" + tenant + "/inventory", changed).json();
          long d = System.nanoTime();
          assertThat(created.get("created").get("deployments")).hasSize(WORKSPACES * PER_WORKSPACE);
          assertThat(same.get("changed").asBoolean()).isFalse();
          assertThat(moved.get("updated").get("deployments")).hasSize(WORKSPACES * PER_WORKSPACE / 10);
          assertThat(moved.get("removed").get("deployments")).hasSize(WORKSPACES * PER_WORKSPACE / 10);
          assertThat(moved.get("created").get("deployments")).hasSize(WORKSPACES * PER_WORKSPACE / 10);
          if (round > 0) {
            System.out.printf("round %d: create 10,000 %,d ms | same again (no changes) %,d ms |"
                    + " 1,000 updated + 1,000 removed + 1,000 created %,d ms%n", round, (b - a) / 1_000_000,
                (c - b) / 1_000_000, (d - c) / 1_000_000);
          }
        }
      }
    }
  }

  /**
   * The inventory; {@code variant} 1 changes the version of every tenth deployment, drops every
   * tenth (offset 1) and adds as many new ones.
   */
  private static String body(int variant) {
    StringBuilder s = new StringBuilder("{\"workspaces\":[");
    for (int w = 0; w < WORKSPACES; w++) {
      s.append(w == 0 ? "" : ",").append("{\"externalId\":\"env-").append(w).append("\",\"name\":\"workspace-")
          .append(w).append("\",\"deployments\":[");
      boolean first = true;
      for (int i = 0; i < PER_WORKSPACE; i++) {
        boolean dropped = variant == 1 && i % 10 == 1;
        int n = dropped ? PER_WORKSPACE + i : i; // a dropped one is replaced by a new one
        String version = variant == 1 && i % 10 == 0 ? "2.0." + i : "1.0." + i;
        s.append(first ? "" : ",").append("{\"externalId\":\"svc-").append(n).append("\",\"name\":\"service-")
            .append(n).append("\",\"version\":\"").append(version)
            .append("\",\"healthUrl\":\"https://service-").append(n).append(".example.com/health\"}");
        first = false;
      }
      s.append("]}");
    }
    return s.append("]}").toString();
  }
}
