package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The worker's health routes, for an orchestrator: {@code /health/live} is 200 while the process
 * serves HTTP, whatever its dependencies; {@code /health/ready} (and {@code /health}, the same
 * answer) is 503 only while PostgreSQL is gone, and 200 with Redis shown {@code degraded} while only
 * Redis is gone. No route needs the token.
 */
class WorkerHealthTest {

  @Test
  void whileRedisIsUnreachableTheWorkerIsDegradedButStillReadyAndAlive() throws Exception {
    URI redis = URI.create(TestRedis.URL);
    try (TestDatabase db = TestDatabase.create(WorkerHealthTest.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort()).start()) {
      WorkerEnv env = new WorkerEnv(db, model, "PT1H")
          .with("OPSAGENT_REDIS_URL", "redis://127.0.0.1:" + proxy.port() + redis.getPath());
      try (Worker worker = Worker.start(env.config())) {
        ApiClient anonymous = new ApiClient(worker.httpPort(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health/ready").status() == 200
            && anonymous.get("/health/ready").json().get("status").asText().equals("up"));
        assertThat(anonymous.get("/health/ready").json().get("checks").get("redis").asText()).isEqualTo("up");

        proxy.cut();

        var ready = await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health/ready"),
            r -> r.json().get("checks").get("redis").asText().equals("degraded"));
        assertThat(ready.status()).as("Redis alone down: still ready").isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("degraded");
        assertThat(ready.json().get("checks").get("database").asText()).isEqualTo("up");
        var health = anonymous.get("/health");
        assertThat(health.status()).as("/health is not 503 for Redis alone").isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("degraded");
        assertThat(health.json().get("checks").get("redis").asText()).isEqualTo("degraded");
        assertThat(anonymous.get("/health/live").status()).isEqualTo(200);

        proxy.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> anonymous.get("/health/ready").json()
            .get("checks").get("redis").asText().equals("up"));
        assertThat(anonymous.get("/health").json().get("status").asText()).isEqualTo("up");
      }
    }
  }

  @Test
  void whilePostgresIsUnreachableTheWorkerIsNotReadyButAlive() throws Exception {
    try (TestDatabase db = TestDatabase.create(WorkerHealthTest.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TcpProxy proxy = new TcpProxy(TestDatabase.HOST, Integer.parseInt(TestDatabase.PORT)).start()) {
      WorkerEnv env = new WorkerEnv(db, model, "PT1H").with("OPSAGENT_DB_URL",
          db.url().replace(":" + TestDatabase.PORT + "/", ":" + proxy.port() + "/"));
      try (Worker worker = Worker.start(env.config())) {
        ApiClient anonymous = new ApiClient(worker.httpPort(), null);
        assertThat(anonymous.get("/health/ready").status()).isEqualTo(200);
        assertThat(anonymous.get("/health/live").status()).isEqualTo(200);

        proxy.cut();

        var ready = await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.get("/health/ready"),
            r -> r.status() == 503);
        assertThat(ready.json().get("status").asText()).isEqualTo("down");
        assertThat(ready.json().get("checks").get("database").asText()).isEqualTo("down");
        assertThat(anonymous.get("/health").status()).isEqualTo(503);
        var live = anonymous.get("/health/live");
        assertThat(live.status()).as("the process itself works: no restart").isEqualTo(200);
        assertThat(live.json().get("status").asText()).isEqualTo("up");

        proxy.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health/ready").status() == 200);
      }
    }
  }
}
