package io.opsagent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.db.Database;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * While PostgreSQL cannot be reached, {@code /health} says so within about a second and the API
 * answers 503 {"error": "database unavailable"} (not 500); both recover when it is back.
 */
class ApiDatabaseOutageTest {

  @Test
  void whilePostgresIsUnreachableHealthAndTheApiAnswer503AndRecoverAfterwards() throws Exception {
    try (TestDatabase db = TestDatabase.create(ApiDatabaseOutageTest.class);
        TcpProxy proxy = new TcpProxy(TestDatabase.HOST, Integer.parseInt(TestDatabase.PORT)).start();
        Database viaProxy = Database.open(db.url().replace(":" + TestDatabase.PORT + "/", ":" + proxy.port() + "/"),
            TestDatabase.USER, TestDatabase.PASSWORD, 4);
        TestApi app = TestApi.start(viaProxy)) {
      ApiClient api = app.api;
      ApiClient anonymous = new ApiClient(app.server.port(), null);
      String tenant = api.create("/api/tenants", "{\"name\":\"outage\"}");
      assertThat(anonymous.get("/health").status()).isEqualTo(200);

      proxy.cut();

      // the pool waits up to 10 s for a connection; the watch (a probe every 0.5 s that gives up after
      // 1 s) has seen the outage within 1.5 s: from then on the first request (nobody called /health)
      // is answered 503 at once instead
      var duringOutage = await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(6))
          .until(() -> api.get("/api/tenants/" + tenant), r -> r.status() == 503);
      assertThat(duringOutage.json().get("error").asText()).isEqualTo("database unavailable");
      await().atMost(Duration.ofSeconds(5)).until(() -> anonymous.get("/health").status() == 503);
      assertThat(anonymous.get("/health").json().get("checks").get("database").asText()).isEqualTo("down");
      await().atMost(Duration.ofSeconds(5))
          .until(() -> api.post("/api/tenants", "{\"name\":\"x\"}").status() == 503);

      proxy.start();

      await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health").status() == 200);
      await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/tenants/" + tenant).status() == 200);
    }
  }
}
