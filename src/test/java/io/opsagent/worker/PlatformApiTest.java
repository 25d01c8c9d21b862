package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.incident.Incident;
import io.opsagent.incident.IncidentRepository;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform API through the real worker: reading, renaming and soft-deleting tenants,
 * workspaces and deployments, names unique per parent (409 naming the holder), lookups by external
 * id, a deployment's events, and the inventory reconcile, with what a removal does to the agent's
 * watch (no state, no page, incidents resolved as removed, a deleted tenant's schedule gone).
 */
class PlatformApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(PlatformApiTest.class);
    model = FakeMessagesApi.start();
    receiver = TestReceiver.answering();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    env.env.remove("ANTHROPIC_API_KEY"); // the rules engine decides: it alerts on every FAILED deployment it sees
    env.env.put("OPSAGENT_WATCHDOG_AFTER", "PT1S");
    env.env.put("OPSAGENT_WATCHDOG_INTERVAL", "PT0.5S");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    receiver.close();
    model.close();
    db.close();
  }

  @Test
  void aDeploymentIsReadByIdAndAnswers404OnceDeletedWhileItsNameIsFreeAgain() {
    String tenant = api.create("/api/tenants", "{\"name\":\"reading\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments",
        "{\"name\":\"api\",\"version\":\"1.0\",\"externalId\":\"plat-api\"}");
    api.post("/api/deployments/" + dep + "/events", "{\"type\":\"deployed\",\"message\":\"first\"}");
    api.post("/api/deployments/" + dep + "/events", "{\"type\":\"deployed\",\"message\":\"second\"}");

    var one = api.get("/api/deployments/" + dep);
    var unknown = api.get("/api/deployments/no-such-deployment");
    var firstPage = api.get("/api/deployments/" + dep + "/events?limit=1");
    var secondPage = api.get("/api/deployments/" + dep + "/events?limit=1&before="
        + firstPage.json().get(0).get("id").asText());
    var badBefore = api.get("/api/deployments/" + dep + "/events?before=nope");
    var deleted = api.delete("/api/deployments/" + dep);

    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().get("name").asText()).isEqualTo("api");
    assertThat(one.json().get("externalId").asText()).isEqualTo("plat-api");
    assertThat(one.json().get("source").asText()).isEqualTo("api");
    assertThat(one.json().get("status").asText()).isEqualTo("RUNNING");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).isEqualTo("deployment not found");
    assertThat(firstPage.json()).hasSize(1);
    assertThat(secondPage.json()).hasSize(1);
    assertThat(List.of(firstPage.json().get(0).get("message").asText(), secondPage.json().get(0).get("message").asText()))
        .containsExactlyInAnyOrder("first", "second");
    assertThat(badBefore.status()).isEqualTo(400);
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(api.get("/api/deployments/" + dep).status()).isEqualTo(404);
    assertThat(api.delete("/api/deployments/" + dep).status()).isEqualTo(404);
    assertThat(api.post("/api/deployments/" + dep + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}").status())
        .as("a deleted deployment takes no report").isEqualTo(404);
    assertThat(api.get("/api/workspaces/" + ws + "/deployments").json()).isEmpty();
    String again = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"externalId\":\"plat-api\"}");
    assertThat(again).isNotEqualTo(dep);
  }

  @Test
  void aSecondObjectWithATakenNameIs409WithTheExistingIdAndExternalIdsFindTheirObject() {
    String tenant = api.create("/api/tenants", "{\"name\":\"naming\",\"externalId\":\"org-42\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\",\"externalId\":\"env-1\"}");
    String other = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"staging\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"externalId\":\"svc-1\"}");
    String web = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");

    var sameName = api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\"}");
    var sameExternalId = api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"x\",\"externalId\":\"svc-1\"}");
    var sameTenant = api.post("/api/tenants", "{\"name\":\"naming\"}");
    var sameWorkspace = api.post("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    var renameToTaken = api.patch("/api/deployments/" + web, "{\"name\":\"api\"}");
    var workspaceRenamed = api.patch("/api/workspaces/" + other, "{\"name\":\"stage\",\"externalId\":\"env-2\"}");
    var tenantRenamed = api.patch("/api/tenants/" + tenant, "{\"name\":\"naming-co\"}");
    var unknownField = api.patch("/api/workspaces/" + other, "{\"nmae\":\"typo\"}");

    assertThat(sameName.status()).isEqualTo(409);
    assertThat(sameName.json().get("id").asText()).isEqualTo(dep);
    assertThat(sameName.json().get("error").asText()).contains("'api'");
    assertThat(sameExternalId.status()).isEqualTo(409);
    assertThat(sameExternalId.json().get("id").asText()).isEqualTo(dep);
    assertThat(sameTenant.status()).isEqualTo(409);
    assertThat(sameTenant.json().get("id").asText()).isEqualTo(tenant);
    assertThat(sameWorkspace.status()).isEqualTo(409);
    assertThat(sameWorkspace.json().get("id").asText()).isEqualTo(ws);
    assertThat(renameToTaken.status()).isEqualTo(409);
    assertThat(renameToTaken.json().get("id").asText()).isEqualTo(dep);
    assertThat(workspaceRenamed.status()).isEqualTo(200);
    assertThat(workspaceRenamed.json().get("name").asText()).isEqualTo("stage");
    assertThat(tenantRenamed.status()).isEqualTo(200);
    assertThat(tenantRenamed.json().get("name").asText()).isEqualTo("naming-co");
    assertThat(tenantRenamed.json().get("externalId").asText()).isEqualTo("org-42");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.json().get("error").asText()).contains("'nmae'");
    assertThat(api.get("/api/tenants?externalId=org-42").json()).extracting(j -> j.get("id").asText())
        .containsExactly(tenant);
    assertThat(api.get("/api/tenants?externalId=nobody").json()).isEmpty();
    assertThat(api.get("/api/tenants/" + tenant + "/workspaces?externalId=env-2").json())
        .extracting(j -> j.get("id").asText()).containsExactly(other);
    assertThat(api.get("/api/workspaces/" + ws + "/deployments?externalId=svc-1").json())
        .extracting(j -> j.get("id").asText()).containsExactly(dep);
    assertThat(api.get("/api/workspaces/" + other).json().get("externalId").asText()).isEqualTo("env-2");
  }

  @Test
  void theSameInventoryTwiceAnswersNoChangesTheSecondTime() {
    String tenant = api.create("/api/tenants", "{\"name\":\"inventory\"}");
    String body = """
        {"workspaces": [
          {"externalId": "env-prod", "name": "prod", "deployments": [
            {"externalId": "svc-api", "name": "api", "version": "1.4.2", "healthUrl": "https://api.example/health"},
            {"externalId": "svc-web", "name": "web", "version": "2.0"}]},
          {"externalId": "env-stage", "name": "staging", "deployments": []}]}""";

    var first = api.put("/api/tenants/" + tenant + "/inventory", body);
    var second = api.put("/api/tenants/" + tenant + "/inventory", body);
    var typo = api.put("/api/tenants/" + tenant + "/inventory",
        "{\"workspaces\": [{\"externalId\": \"e\", \"name\": \"n\", \"deployments\": [{\"externalId\": \"d\","
            + " \"name\": \"x\", \"helthUrl\": \"https://x\"}]}]}");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("changed").asBoolean()).isTrue();
    assertThat(first.json().get("created").get("workspaces")).hasSize(2);
    assertThat(first.json().get("created").get("deployments")).extracting(j -> j.get("externalId").asText())
        .containsExactlyInAnyOrder("svc-api", "svc-web");
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().get("changed").asBoolean()).isFalse();
    assertThat(second.json().get("created").get("deployments")).isEmpty();
    assertThat(second.json().get("updated").get("deployments")).isEmpty();
    assertThat(second.json().get("removed").get("deployments")).isEmpty();
    assertThat(second.json().get("unchanged").asInt()).isEqualTo(4);
    assertThat(typo.status()).isEqualTo(400);
    assertThat(typo.json().get("error").asText()).contains("workspaces[0].deployments[0]").contains("'helthUrl'");
    assertThat(api.get("/api/tenants/" + tenant + "/workspaces").json()).hasSize(2);
  }

  @Test
  void theInventoryTakesABodyLargerThanOtherRoutesAndNamesWhereABadValueIs() {
    String tenant = api.create("/api/tenants", "{\"name\":\"large inventory\"}");
    StringBuilder deployments = new StringBuilder();
    for (int i = 0; i < 8_000; i++) {
      deployments.append(i == 0 ? "" : ",").append("{\"externalId\": \"svc-").append(i)
          .append("\", \"name\": \"service-").append(i).append("-").append("n".repeat(80))
          .append("\", \"version\": \"1.0.0\"}");
    }
    String large = "{\"workspaces\": [{\"externalId\": \"env\", \"name\": \"prod\", \"deployments\": ["
        + deployments + "]}]}";

    var reconciled = api.put("/api/tenants/" + tenant + "/inventory", large);
    var elsewhere = api.post("/api/tenants", "{\"name\": \"" + "x".repeat(large.length()) + "\"}");
    var emptyName = api.put("/api/tenants/" + tenant + "/inventory", "{\"workspaces\": [{\"externalId\": \"env\","
        + " \"name\": \"prod\", \"deployments\": [{\"externalId\": \"a\", \"name\": \"a\"},"
        + " {\"externalId\": \"b\", \"name\": \" \"}]}]}");
    var wrongType = api.put("/api/tenants/" + tenant + "/inventory",
        "{\"workspaces\": [{\"externalId\": \"env\", \"name\": \"prod\", \"deployments\": [{\"externalId\": 7,"
            + " \"name\": \"a\"}]}]}");
    var noList = api.put("/api/tenants/" + tenant + "/inventory", "{}");

    assertThat(large.length()).isGreaterThan(1024 * 1024);
    assertThat(reconciled.status()).as(reconciled.body()).isEqualTo(200);
    assertThat(reconciled.json().get("created").get("deployments")).hasSize(8_000);
    assertThat(elsewhere.status()).isEqualTo(413);
    assertThat(emptyName.status()).isEqualTo(400);
    assertThat(emptyName.json().get("error").asText())
        .isEqualTo("'workspaces[0].deployments[1].name' must not be empty");
    assertThat(wrongType.json().get("error").asText())
        .isEqualTo("'workspaces[0].deployments[0].externalId' must be a string");
    assertThat(noList.json().get("error").asText())
        .isEqualTo("'workspaces' is required and must be a list (empty to remove every workspace)");
    assertThat(api.get("/api/workspaces/" + reconciled.json().get("created").get("workspaces").get(0).get("id")
        .asText() + "/deployments").json()).hasSize(8_000);
  }

  @Test
  void aDeploymentTheInventoryRemovesIsNoLongerWatched() {
    String tenant = api.create("/api/tenants", "{\"name\":\"removing\"}");
    channel(tenant);
    String keep = "{\"externalId\": \"svc-keep\", \"name\": \"keep\"}";
    JsonNode created = api.put("/api/tenants/" + tenant + "/inventory", "{\"workspaces\": [{\"externalId\": \"env\","
        + " \"name\": \"prod\", \"deployments\": [" + keep + ", {\"externalId\": \"svc-gone\", \"name\": \"gone\"}]}]}")
        .json();
    String gone = idOf(created.get("created").get("deployments"), "svc-gone");
    api.post("/api/deployments/" + gone + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    await().atMost(WAIT).until(() -> hooks(tenant, gone), h -> h.size() == 1);

    var removal = api.put("/api/tenants/" + tenant + "/inventory",
        "{\"workspaces\": [{\"externalId\": \"env\", \"name\": \"prod\", \"deployments\": [" + keep + "]}]}");

    assertThat(removal.status()).isEqualTo(200);
    assertThat(removal.json().get("removed").get("deployments")).extracting(j -> j.get("id").asText())
        .containsExactly(gone);
    JsonNode resolved = await().atMost(WAIT).until(
        () -> api.get("/api/tenants/" + tenant + "/incidents?status=resolved").json(), j -> j.size() == 1).get(0);
    assertThat(resolved.get("deploymentId").asText()).isEqualTo(gone);
    assertThat(resolved.get("resolvedReason").asText()).isEqualTo("removed");
    List<TestReceiver.Request> notices = await().atMost(WAIT).until(() -> hooks(tenant, gone), h -> h.size() == 2);
    assertThat(notices.get(1).payload().get("status").asText()).isEqualTo("resolved");
    // a cycle of the tenant sees only what is left (the rules engine would alert on a FAILED one it saw),
    // and the watchdog (1 s) finds nothing to page: the removed deployment gets no page any more
    String runId = api.post("/api/tenants/" + tenant + "/ops/cycles", "").json().get("runId").asText();
    JsonNode run = await().atMost(WAIT).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs/" + runId),
        r -> r.status() == 200 && r.json().get("status").asText().equals("completed")).json();
    assertThat(run.get("actionsJson").toString()).doesNotContain(gone);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> hooks(tenant, gone).size() == 2);
    assertThat(api.get("/api/deployments/" + gone).status()).isEqualTo(404);
  }

  @Test
  void deletingATenantRemovesItsScheduleAndResolvesItsIncidentsAsRemoved() {
    String tenant = api.create("/api/tenants", "{\"name\":\"departing\",\"externalId\":\"org-departing\"}");
    channel(tenant);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\"}");
    await().atMost(WAIT).until(() -> scheduled(tenant), n -> n == 1);
    api.post("/api/deployments/" + dep + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    await().atMost(WAIT).until(() -> hooks(tenant, dep), h -> h.size() == 1);
    await().atMost(WAIT).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs").json(),
        runs -> runs.size() == 1 && !runs.get(0).get("status").asText().equals("running"));
    await().atMost(WAIT).until(() -> scheduled(tenant), n -> n == 1); // back to its next slot, an hour away

    var deleted = api.delete("/api/tenants/" + tenant);

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(api.get("/api/tenants/" + tenant).status()).isEqualTo(404);
    assertThat(api.get("/api/tenants?limit=1000").json()).extracting(j -> j.get("id").asText()).doesNotContain(tenant);
    assertThat(api.get("/api/workspaces/" + ws).status()).isEqualTo(404);
    assertThat(api.get("/api/deployments/" + dep).status()).isEqualTo(404);
    assertThat(scheduled(tenant)).as("its recurring cycle is gone at once").isZero();
    List<Incident> incidents = new IncidentRepository(db.database().jdbi()).list(tenant, null, 10);
    assertThat(incidents).extracting(Incident::status, Incident::resolvedReason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Incident.Status.RESOLVED, Incident.REMOVED));
    int events = db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM deployment_events WHERE deployment_id = :d").bind("d", dep)
        .mapTo(Integer.class).one());
    assertThat(events).as("its history stays").isEqualTo(1);
    String reborn = api.create("/api/tenants", "{\"name\":\"departing\",\"externalId\":\"org-departing\"}");
    assertThat(reborn).isNotEqualTo(tenant);
  }

  private static void channel(String tenant) {
    var channel = api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant) + "\"}}");
    assertThat(channel.status()).isEqualTo(201);
  }

  private static String idOf(JsonNode refs, String externalId) {
    for (JsonNode r : refs) {
      if (r.get("externalId").asText().equals(externalId)) {
        return r.get("id").asText();
      }
    }
    throw new AssertionError("no " + externalId + " in " + refs);
  }

  private static int scheduled(String tenant) {
    return db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM ops_agent_tasks WHERE task_instance = :t").bind("t", tenant)
        .mapTo(Integer.class).one());
  }

  private static List<TestReceiver.Request> hooks(String tenant, String deployment) {
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
        .filter(r -> deployment.equals(r.payload().path("deploymentId").asText())).toList();
  }
}
