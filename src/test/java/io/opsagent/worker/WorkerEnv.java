package io.opsagent.worker;

import io.opsagent.config.Config;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The environment of a worker under test: the test's PostgreSQL database and Redis, the fake
 * Messages API, a free HTTP port and fast queues. The same map configures an in-process
 * {@link Worker} ({@link #config()}) and a worker run as a separate JVM.
 */
final class WorkerEnv {
  final Map<String, String> env = new HashMap<>();
  final String token = "t-" + UUID.randomUUID();
  final int port;

  WorkerEnv(TestDatabase db, FakeMessagesApi model, String cycleInterval) {
    this.port = freePort();
    env.put("OPSAGENT_DB_URL", db.url());
    env.put("OPSAGENT_DB_USER", TestDatabase.USER);
    env.put("OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD);
    env.put("OPSAGENT_REDIS_URL", TestRedis.URL);
    env.put("ANTHROPIC_API_KEY", "sk-test-not-a-real-key");
    env.put("ANTHROPIC_BASE_URL", model.baseUrl());
    env.put("OPSAGENT_LLM_MAX_RETRIES", "0");
    env.put("OPSAGENT_HTTP_PORT", Integer.toString(port));
    env.put("OPSAGENT_API_TOKEN", token);
    env.put("OPSAGENT_CYCLE_INTERVAL", cycleInterval);
    env.put("OPSAGENT_POLL_INTERVAL", "PT0.2S");
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    env.put("OPSAGENT_NOTIFY_BACKOFF", "PT0.2S");
  }

  WorkerEnv with(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** A copy on another free port (a second worker beside the first). */
  WorkerEnv onAnotherPort(TestDatabase db, FakeMessagesApi model) {
    WorkerEnv other = new WorkerEnv(db, model, env.get("OPSAGENT_CYCLE_INTERVAL"));
    Map<String, String> copy = new HashMap<>(env);
    copy.put("OPSAGENT_HTTP_PORT", Integer.toString(other.port));
    copy.put("OPSAGENT_API_TOKEN", other.token);
    other.env.putAll(copy);
    return other;
  }

  Config config() {
    return Config.fromEnv(env);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
