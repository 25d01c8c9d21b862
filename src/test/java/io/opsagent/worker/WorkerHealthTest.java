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

/** {@code /health} answers for the worker's dependencies: 503 while Redis is gone, 200 once it is back. */
class WorkerHealthTest {

  @Test
  void healthIs503WhileRedisIsUnreachableAnd200AgainOnceItIsBack() throws Exception {
    URI redis = URI.create(TestRedis.URL);
    try (TestDatabase db = TestDatabase.create(WorkerHealthTest.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort()).start()) {
      WorkerEnv env = new WorkerEnv(db, model, "PT1H")
          .with("OPSAGENT_REDIS_URL", "redis://127.0.0.1:" + proxy.port() + redis.getPath());
      try (Worker worker = Worker.start(env.config())) {
        ApiClient anonymous = new ApiClient(worker.httpPort(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health").status() == 200);
        assertThat(anonymous.get("/health").json().get("checks").get("redis").asText()).isEqualTo("up");

        proxy.cut();

        await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health").status() == 503);
        var down = anonymous.get("/health").json();
        assertThat(down.get("checks").get("redis").asText()).isEqualTo("down");
        assertThat(down.get("checks").get("database").asText()).isEqualTo("up");

        proxy.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> anonymous.get("/health").status() == 200);
      }
    }
  }
}
