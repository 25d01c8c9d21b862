package io.opsagent.notify.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.notify.Alert;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestDatabase;
import io.opsagent.worker.Root;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deliveries under receiver failure: a receiver that is down for a while, a worker stopped while a
 * delivery waits for its retry, and a receiver that hangs. Each case counts what the receiver got.
 */
class DeliveryResilienceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository channels;
  static NotificationRepository log;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(DeliveryResilienceTest.class);
    fx = new Fixtures(db.database());
    channels = new NotificationChannelRepository(db.database().jdbi(), true, Clock.systemUTC());
    log = new NotificationRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static Map<String, String> env(String backoff) {
    Map<String, String> env = new HashMap<>();
    env.put("OPSAGENT_DB_URL", db.url());
    env.put("OPSAGENT_DB_USER", TestDatabase.USER);
    env.put("OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD);
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    env.put("OPSAGENT_NOTIFY_MAX_ATTEMPTS", "20");
    env.put("OPSAGENT_NOTIFY_BACKOFF", backoff);
    env.put("OPSAGENT_POLL_INTERVAL", "PT0.1S");
    return env;
  }

  static String webhook(String tenantId, String workspaceId, String url) {
    return channels.create(tenantId, workspaceId, ChannelType.WEBHOOK, "hook",
        JSON.createObjectNode().put("url", url)).id();
  }

  static Delivery row(String tenantId, String id) {
    return log.find(tenantId, id).orElseThrow();
  }

  @Test
  void aReceiverDownForAWhileGetsTheAlertExactlyOnceWhenItIsBack() throws Exception {
    var t = fx.tenant("down-then-back");
    try (TestReceiver receiver = TestReceiver.answering()) {
      TcpProxy front = new TcpProxy("127.0.0.1", Integer.parseInt(receiver.url("").split(":")[2])).start();
      webhook(t.id(), null, "http://127.0.0.1:" + front.port() + "/hook");
      front.cut();
      try (DeliveryNotifier notifier = new DeliveryNotifier(db.database(), channels, log,
          Config.fromEnv(env("PT0.05S")).notifications(), Config.fromEnv(env("PT0.05S")).paging(), Config.fromEnv(env("PT0.05S")).scheduling(), new SimpleMeterRegistry(), Clock.systemUTC())) {
        notifier.start();
        String id = notifier.send(new Alert(t.id(), null, Severity.CRITICAL, "db down", "b", null)).get(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> row(t.id(), id).attempts() >= 3);

        front.start();

        await().atMost(Duration.ofSeconds(30))
            .until(() -> row(t.id(), id).status() == DeliveryStatus.DELIVERED);
        assertThat(row(t.id(), id).attempts()).isGreaterThan(3);
        assertThat(receiver.requests()).singleElement()
            .satisfies(r -> assertThat(r.payload().get("title").asText()).isEqualTo("db down"));
      } finally {
        front.close();
      }
    }
  }

  @Test
  void aWorkerStoppedWhileADeliveryWaitsForItsRetryDeliversItOnceAfterRestart() throws Exception {
    var t = fx.tenant("restarted");
    try (TestReceiver receiver = TestReceiver.answering()) {
      TcpProxy front = new TcpProxy("127.0.0.1", Integer.parseInt(receiver.url("").split(":")[2])).start();
      try {
        webhook(t.id(), null, "http://127.0.0.1:" + front.port() + "/hook");
        front.cut();
        String id;
        try (Root worker = Root.open(Config.fromEnv(env("PT2S")))) {
          worker.notifier().start();
          id = worker.notifier().send(new Alert(t.id(), null, Severity.CRITICAL, "api down", "b", null)).get(0);
          await().atMost(Duration.ofSeconds(20)).until(() -> row(t.id(), id).attempts() == 1);
        }
        assertThat(row(t.id(), id).status()).isEqualTo(DeliveryStatus.PENDING);
        front.start();

        try (Root restarted = Root.open(Config.fromEnv(env("PT2S")))) {
          restarted.notifier().start();
          await().atMost(Duration.ofSeconds(30))
              .until(() -> row(t.id(), id).status() == DeliveryStatus.DELIVERED);
        }
        assertThat(row(t.id(), id).attempts()).isEqualTo(2);
        assertThat(receiver.requests()).singleElement()
            .satisfies(r -> assertThat(r.payload().get("title").asText()).isEqualTo("api down"));
      } finally {
        front.close();
      }
    }
  }

  @Test
  void aFreshAlertIsDeliveredWhileAnotherChannelsReceiverHangs() throws Exception {
    var t = fx.tenant("hanging").workspace("slow");
    String slow = t.lastWorkspace().id();
    String fast = t.workspace("fast").lastWorkspace().id();
    try (HangingReceiver hanging = new HangingReceiver();
        TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = new DeliveryNotifier(db.database(), channels, log,
            Config.fromEnv(env("PT0.05S")).notifications(), Config.fromEnv(env("PT0.05S")).paging(), Config.fromEnv(env("PT0.05S")).scheduling(), new SimpleMeterRegistry(), Clock.systemUTC())) {
      webhook(t.id(), slow, hanging.url());
      webhook(t.id(), fast, receiver.url("/fast"));
      notifier.start();
      List<String> stuck = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        stuck.addAll(notifier.send(new Alert(t.id(), slow, Severity.WARNING, "slow " + i, "b", null)));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> hanging.open() == 2);

      String fresh = notifier.send(new Alert(t.id(), fast, Severity.CRITICAL, "checkout FAILED", "b", null)).get(0);

      await().atMost(Duration.ofSeconds(20))
          .until(() -> row(t.id(), fresh).status() == DeliveryStatus.DELIVERED);
      assertThat(receiver.requests()).singleElement()
          .satisfies(r -> assertThat(r.payload().get("title").asText()).isEqualTo("checkout FAILED"));
      assertThat(hanging.mostOpenAtOnce()).isEqualTo(DeliveryNotifier.MAX_IN_FLIGHT_PER_CHANNEL);
      assertThat(stuck).extracting(id -> row(t.id(), id).status()).containsOnly(DeliveryStatus.PENDING);
    }
  }

  /** Accepts connections and never answers, until closed; counts the connections held open. */
  static final class HangingReceiver implements AutoCloseable {
    private final ServerSocket server = new ServerSocket();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger mostOpen = new AtomicInteger();

    HangingReceiver() throws IOException {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            sockets.add(server.accept());
            mostOpen.accumulateAndGet(open(), Math::max);
          } catch (IOException e) {
            return;
          }
        }
      }, "hanging-receiver");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
    }

    /** Connections the client has not given up on yet. */
    synchronized int open() {
      sockets.removeIf(HangingReceiver::closedByPeer);
      return sockets.size();
    }

    int mostOpenAtOnce() {
      return mostOpen.get();
    }

    private static boolean closedByPeer(Socket s) {
      try {
        s.setSoTimeout(1);
        return s.getInputStream().read(new byte[8192]) == -1 || s.isClosed();
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
