package io.opsagent.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.notify.send.WebhookSender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample control receiver of the repository ({@code samples/control-receiver}), launched as its
 * documentation says ({@code java ControlReceiver.java}), takes opsagent's real signed restart
 * request, and refuses a tampered or stale one with 401.
 */
class ControlReceiverSampleTest {
  static final String SECRET = "whsec_" + java.util.Base64.getEncoder()
      .encodeToString("sample receiver test key 32 byte".getBytes(StandardCharsets.UTF_8));
  static Process receiver;
  static final BlockingQueue<String> output = new LinkedBlockingQueue<>();
  static URI url;

  @BeforeAll
  static void startTheSample() throws Exception {
    Path source = Path.of("samples/control-receiver/ControlReceiver.java");
    assertThat(Files.exists(source)).as("run from the repository root").isTrue();
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString())
        .redirectErrorStream(true);
    pb.environment().put("CONTROL_SECRET", SECRET);
    pb.environment().put("PORT", "0");
    receiver = pb.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
          StandardCharsets.UTF_8))) {
        r.lines().forEach(output::add);
      } catch (java.io.IOException e) {
        output.add("reader failed: " + e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    String first = output.poll(60, TimeUnit.SECONDS);
    assertThat(first).startsWith("control receiver listening on port ");
    url = URI.create("http://127.0.0.1:" + first.substring(first.lastIndexOf(' ') + 1) + "/control");
  }

  @AfterAll
  static void stopTheSample() {
    if (receiver != null) {
      receiver.destroy();
    }
  }

  @Test
  void opsagentsSignedRestartIsAcceptedAndPrintedOnceThoughRetried() throws Exception {
    OpsAction restart = action("act-restart-1", ActionKind.RESTART, null);
    try (ControlClient client = new ControlClient(url, SECRET, Clock.systemUTC())) {
      assertThat(client.send(restart)).isEqualTo(new ControlClient.Outcome.Accepted(202));
      assertThat(client.send(restart)).as("a retry of the same action").isEqualTo(new ControlClient.Outcome.Accepted(202));
    }

    assertThat(output.poll(20, TimeUnit.SECONDS))
        .isEqualTo("restart deployment=dep-1 tenant=tenant-1 toVersion=null id=act-restart-1 reason=\"FAILED since 10:00\"");
    OpsAction rollback = action("act-rollback-1", ActionKind.ROLLBACK, "1.4.2");
    try (ControlClient client = new ControlClient(url, SECRET, Clock.systemUTC())) {
      assertThat(client.send(rollback)).isEqualTo(new ControlClient.Outcome.Accepted(202));
    }
    assertThat(output.poll(20, TimeUnit.SECONDS)).as("the retry was not acted on again")
        .startsWith("rollback deployment=dep-1 tenant=tenant-1 toVersion=1.4.2 id=act-rollback-1");
  }

  @Test
  void aTamperedBodyAStaleTimestampOrAnotherKeyIsRefusedWith401() throws Exception {
    OpsAction a = action("act-tampered", ActionKind.RESTART, null);
    byte[] body = ControlClient.body(a);
    String now = String.valueOf(Instant.now().getEpochSecond());
    String signature = WebhookSender.standardSignature(SECRET, a.id(), now, body).orElseThrow();
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("dep-1", "dep-2").getBytes(StandardCharsets.UTF_8);
    String stale = String.valueOf(Instant.now().minusSeconds(600).getEpochSecond());

    assertThat(post(a.id(), now, signature, tampered).statusCode()).isEqualTo(401);
    assertThat(post(a.id(), stale, WebhookSender.standardSignature(SECRET, a.id(), stale, body).orElseThrow(), body)
        .statusCode()).isEqualTo(401);
    assertThat(post(a.id(), now, WebhookSender.standardSignature("another secret", a.id(), now, body).orElseThrow(),
        body).statusCode()).isEqualTo(401);
    assertThat(post(a.id(), now, signature, body).statusCode()).as("the untouched request").isEqualTo(202);
    assertThat(output.poll(20, TimeUnit.SECONDS)).contains("id=act-tampered").contains("deployment=dep-1");
  }

  private static HttpResponse<String> post(String id, String timestamp, String signature, byte[] body)
      throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(url)
        .header("webhook-id", id).header("webhook-timestamp", timestamp).header("webhook-signature", signature)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static OpsAction action(String id, ActionKind kind, String toVersion) {
    return new OpsAction(id, "tenant-1", "ws-1", "dep-1", kind, toVersion, "FAILED since 10:00", "run-1",
        ActionStatus.QUEUED, 0, null, Instant.parse("2026-01-01T10:00:00Z"), null, null);
  }
}
