package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.api.auth.AccessPolicy;
import io.opsagent.api.auth.Role;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scoped keys on the real worker: every registered route answered to every role as the access table
 * says, another tenant's objects answering 404, revoked keys and logged-out sessions refused at once
 * on every worker, failed authentications throttled per client address, and who did what recorded.
 */
class AccessControlTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  static TestDatabase db;
  static FakeMessagesApi model;
  static WorkerEnv env;
  static Worker worker;
  static Worker second;
  static ApiClient admin;
  static String tenantA;
  static String tenantB;
  static Map<String, String> idsA = new java.util.HashMap<>();
  static Map<String, String> idsB = new java.util.HashMap<>();
  static final Map<Role, String> keysOfA = new EnumMap<>(Role.class);
  static String tenantKeyOfB;

  @BeforeAll
  static void startWorkers() {
    db = TestDatabase.create(AccessControlTest.class);
    model = FakeMessagesApi.start();
    SreScript.on(model);
    // the test's own loopback address is a trusted proxy, so X-Forwarded-For stands for other clients
    env = new WorkerEnv(db, model, "PT1H").with("OPSAGENT_TRUSTED_PROXIES", "127.0.0.1/32, ::1")
        .with("OPSAGENT_SECRET_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
    worker = Worker.start(env.config());
    second = Worker.start(env.onAnotherPort(db, model).with("OPSAGENT_API_TOKEN", env.token).config());
    admin = new ApiClient(worker.httpPort(), env.token);
    tenantA = admin.create("/api/tenants", "{\"name\":\"alpha\"}");
    tenantB = admin.create("/api/tenants", "{\"name\":\"beta\"}");
    fixtures(tenantA, idsA);
    fixtures(tenantB, idsB);
    keysOfA.put(Role.ADMIN, key("root", "admin", null));
    keysOfA.put(Role.PLATFORM, key("platform reporter", "platform", null));
    keysOfA.put(Role.TENANT, key("alpha team", "tenant", tenantA));
    keysOfA.put(Role.VIEWER, key("alpha viewer", "viewer", tenantA));
    tenantKeyOfB = key("beta team", "tenant", tenantB);
  }

  private static void fixtures(String tenant, Map<String, String> ids) {
    ids.put("tenantId", tenant);
    ids.put("workspaceId", admin.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}"));
    ids.put("deploymentId", admin.create("/api/workspaces/" + ids.get("workspaceId") + "/deployments",
        "{\"name\":\"d\",\"status\":\"STOPPED\"}"));
    ids.put("channelId", admin.create("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"hook\",\"config\":{\"url\":\"http://127.0.0.1:9/hook\"}}"));
    ids.put("runId", worker.root().runs().start(tenant, Trigger.MANUAL).id());
    ids.put("incidentId", "no-such-incident");
    ids.put("keyId", "no-such-key");
    ids.put("file", "dashboard.css");
  }

  /** A tenant with a workspace and a deployment, for a route that deletes one of them. */
  private static Map<String, String> throwaway() {
    Map<String, String> ids = new java.util.HashMap<>(idsA);
    String tenant = admin.create("/api/tenants", "{\"name\":\"throwaway-" + java.util.UUID.randomUUID() + "\"}");
    ids.put("tenantId", tenant);
    ids.put("workspaceId", admin.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}"));
    ids.put("deploymentId", admin.create("/api/workspaces/" + ids.get("workspaceId") + "/deployments",
        "{\"name\":\"d\",\"status\":\"STOPPED\"}"));
    return ids;
  }

  private static String key(String name, String role, String tenant) {
    var r = admin.post("/api/keys", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\""
        + (tenant == null ? "" : ",\"tenantId\":\"" + tenant + "\"") + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("key").asText();
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      second.close();
    }
    if (worker != null) {
      worker.close();
    }
    model.close();
    db.close();
  }

  @Test
  void everyRegisteredRouteAnswersEveryRoleAsTheAccessTableSays() {
    AccessPolicy policy = new AccessPolicy();
    List<String> routes = worker.apiRoutes();
    assertThat(unlisted(policy, routes)).as("routes missing from the access table (refused to every key)").isEmpty();
    Map<Role, String> cookies = new EnumMap<>(Role.class);
    keysOfA.forEach((role, key) -> cookies.put(role, login(worker, key, null)));

    List<String> mismatches = new ArrayList<>();
    // the kill switch near the end, so that no other route is walked with it engaged; logout last
    List<String> ordered = new ArrayList<>(routes);
    ordered.sort(java.util.Comparator.comparing(r -> r.contains("logout") ? 2 : r.contains("kill-switch") ? 1 : 0));
    for (String route : ordered) {
      String method = route.substring(0, route.indexOf(' '));
      String template = route.substring(route.indexOf(' ') + 1);
      for (Role role : Role.values()) {
        // a delete that is allowed deletes: each role's call gets objects of its own to delete
        String path = fill(template, method.equals("DELETE") && template.matches(
            "/api/(tenants|workspaces|deployments)/\\{\\w+}") ? throwaway() : idsA);
        int status = template.startsWith("/ui/") ? ui(method, path, cookies.get(role), keysOfA.get(role))
            : api(method, path, keysOfA.get(role));
        boolean allowed = policy.rolesFor(method, template).contains(role);
        boolean refused = status == 401 || status == 403;
        if (allowed == refused) {
          mismatches.add(route + " as " + role.wire() + ": " + status + (allowed ? " (allowed by the table)"
              : " (not allowed by the table)"));
        }
      }
      // another tenant's objects: 404 to a tenant key, wherever the route takes it
      if (policy.rolesFor(method, template).contains(Role.TENANT) && !policy.isOpen(method, template)
          && template.matches(".*\\{(tenantId|workspaceId|deploymentId)}.*") && template.startsWith("/api/")) {
        int status = api(method, fill(template, idsA), tenantKeyOfB);
        if (status != 404) {
          mismatches.add(route + " on another tenant's object: " + status + " (404 expected)");
        }
      }
    }
    admin.delete("/api/ops/kill-switch");
    assertThat(mismatches).isEmpty();
  }

  @Test
  void aRouteMissingFromTheTableIsRefusedToEveryKeyAndFailsTheWalk() {
    AccessPolicy policy = new AccessPolicy();
    List<String> routes = new ArrayList<>(worker.apiRoutes());
    routes.add("GET /api/tenants/{tenantId}/secrets");
    assertThat(unlisted(policy, routes)).containsExactly("GET /api/tenants/{tenantId}/secrets");
    assertThat(policy.rolesFor("GET", "/api/tenants/{tenantId}/secrets")).isEmpty();
  }

  @Test
  void aTenantKeyReadingAnotherTenantsRunGets404AsIfItDidNotExist() {
    ApiClient beta = new ApiClient(worker.httpPort(), tenantKeyOfB);
    var other = beta.get("/api/tenants/" + tenantA + "/ops/runs/" + idsA.get("runId"));
    var own = beta.get("/api/tenants/" + tenantB + "/ops/runs/" + idsB.get("runId"));
    var missing = beta.get("/api/tenants/" + tenantB + "/ops/runs/no-such-run");

    assertThat(own.status()).isEqualTo(200);
    assertThat(other.status()).isEqualTo(404);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(other.body()).as("the same answer as a missing run, or the other tenant's id").doesNotContain(tenantA);
    assertThat(beta.patch("/api/deployments/" + idsA.get("deploymentId"), "{}").status())
        .as("a route the role may not call: refused, whoever's object").isEqualTo(403);
    assertThat(beta.get("/api/workspaces/" + idsA.get("workspaceId") + "/deployments").status()).isEqualTo(404);
    assertThat(beta.get("/api/tenants").json()).extracting(t -> t.get("id").asText()).containsExactly(tenantB);
  }

  @Test
  void aRevokedKeyIsRefusedAtOnceOnEveryWorkerAndSoAreItsSessions() {
    String key = key("short-lived", "platform", null);
    ApiClient onFirst = new ApiClient(worker.httpPort(), key);
    ApiClient onSecond = new ApiClient(second.httpPort(), key);
    String cookie = login(worker, key, null);
    assertThat(onSecond.get("/api/tenants").status()).isEqualTo(200);
    assertThat(get(second, "/ui/fragments/tenants", cookie, null).statusCode()).isEqualTo(200);

    String id = keyId("short-lived");
    assertThat(admin.delete("/api/keys/" + id).status()).isEqualTo(204);

    assertThat(onFirst.get("/api/tenants").status()).isEqualTo(401);
    assertThat(onSecond.get("/api/tenants").status()).isEqualTo(401);
    assertThat(get(second, "/ui/fragments/tenants", cookie, null).statusCode()).isEqualTo(401);
    assertThat(admin.get("/api/keys").body()).doesNotContain(key).contains("revokedAt");
  }

  @Test
  void aLoggedOutCookieAndItsCsrfTokenAreRefusedAtOnceOnEveryWorker() {
    String cookie = login(worker, keysOfA.get(Role.ADMIN), null);
    String csrf = csrf(get(worker, "/ui/", cookie, null).body());
    assertThat(post(worker, "/ui/logout", cookie, "csrf=" + csrf, null).statusCode()).isEqualTo(303);

    assertThat(get(worker, "/ui/fragments/tenants", cookie, null).statusCode()).isEqualTo(401);
    assertThat(get(second, "/ui/fragments/tenants", cookie, null).statusCode()).isEqualTo(401);
    assertThat(post(second, "/ui/kill-switch/engage", cookie, "csrf=" + csrf + "&reason=x", null).statusCode())
        .isEqualTo(401);
    assertThat(admin.get("/api/ops/kill-switch").json().get("engaged").asBoolean()).isFalse();
  }

  @Test
  void theEleventhWrongLoginInAMinuteIs429ForThatAddressOnlyEvenWithTheRightKey() {
    String attacker = "203.0.113.7";
    for (int i = 1; i <= 10; i++) {
      assertThat(post(worker, "/ui/login", null, "token=wrong-" + i, attacker).statusCode()).as("wrong login " + i)
          .isEqualTo(401);
    }
    HttpResponse<String> eleventh = post(worker, "/ui/login", null, "token=wrong-11", attacker);
    assertThat(eleventh.statusCode()).isEqualTo(429);
    assertThat(eleventh.headers().firstValue("Retry-After").map(Integer::parseInt).orElseThrow()).isBetween(1, 60);
    assertThat(post(worker, "/ui/login", null, "token=" + enc(env.token), attacker).statusCode())
        .as("the right key from a throttled address").isEqualTo(429);
    assertThat(api("GET", "/api/tenants", env.token, attacker)).as("the API from a throttled address").isEqualTo(429);

    assertThat(post(worker, "/ui/login", null, "token=" + enc(env.token), "203.0.113.8").statusCode())
        .as("another address").isEqualTo(303);
    assertThat(admin.get("/api/tenants").status()).as("the proxy's own address").isEqualTo(200);
    assertThat(post(second, "/ui/login", null, "token=" + enc(env.token), attacker).statusCode())
        .as("another worker process counts its own failures").isEqualTo(303);
  }

  @Test
  void wrongBearerKeysAreThrottledLikeWrongLogins() {
    String attacker = "198.51.100.23";
    for (int i = 1; i <= 10; i++) {
      assertThat(api("GET", "/api/tenants", "oak_wrong" + i, attacker)).isEqualTo(401);
    }
    assertThat(api("GET", "/api/tenants", "oak_wrong11", attacker)).isEqualTo(429);
    assertThat(api("GET", "/api/tenants", keysOfA.get(Role.VIEWER), attacker)).isEqualTo(429);
    assertThat(api("GET", "/api/tenants", keysOfA.get(Role.VIEWER), "198.51.100.24")).isEqualTo(200);
  }

  @Test
  void settingsFieldsFollowTheTableModeForTenantsBudgetForThePlatform() {
    String settings = "/api/tenants/" + tenantA + "/ops/settings";
    ApiClient tenant = new ApiClient(worker.httpPort(), keysOfA.get(Role.TENANT));
    ApiClient platform = new ApiClient(worker.httpPort(), keysOfA.get(Role.PLATFORM));

    assertThat(tenant.put(settings, "{\"dailyTokenBudget\":5}").status()).isEqualTo(403);
    assertThat(platform.put(settings, "{\"mode\":\"dry-run\"}").status()).isEqualTo(403);
    assertThat(tenant.put(settings, "{\"mode\":\"dry-run\"}").status()).isEqualTo(200);
    assertThat(platform.put(settings, "{\"dailyTokenBudget\":5000}").status()).isEqualTo(200);
    assertThat(tenant.put(settings, "{\"mode\":\"live\"}").status()).isEqualTo(200);
  }

  @Test
  void whoEngagedTheKillSwitchAndWhoAskedForACycleIsRecordedAndShown() {
    ApiClient tenant = new ApiClient(worker.httpPort(), keysOfA.get(Role.TENANT));
    String runId = tenant.post("/api/tenants/" + tenantA + "/ops/cycles", "").json().get("runId").asText();
    ApiClient root = new ApiClient(worker.httpPort(), keysOfA.get(Role.ADMIN));
    assertThat(root.put("/api/ops/kill-switch", "{\"reason\":\"drill\"}").status()).isEqualTo(200);
    try {
      String cookie = login(worker, keysOfA.get(Role.VIEWER), null);
      String page = get(worker, "/ui/tenants/" + tenantA, cookie, null).body();
      assertThat(page).contains("by <span class=\"ks-by\">root (").doesNotContain("ks-release");
      // the latest request for a cycle is this one (the route walk's came before; one of its cycles
      // may still be queued, which this request then joins)
      var who = worker.root().db().jdbi().withHandle(h -> h.createQuery(
              "SELECT key_name || ' ' || target_id FROM access_actions WHERE action = 'cycle.run'"
                  + " ORDER BY created_at DESC LIMIT 1")
          .mapTo(String.class).list());
      assertThat(who).containsExactly("alpha team " + runId);
      String adminPage = get(worker, "/ui/", login(worker, keysOfA.get(Role.ADMIN), null), null).body();
      assertThat(adminPage).contains("ks-release");
    } finally {
      root.delete("/api/ops/kill-switch");
    }
  }

  @Test
  void aTenantKeysDashboardShowsItsTenantOnly() {
    String cookie = login(worker, keysOfA.get(Role.TENANT), null);
    String page = get(worker, "/ui/", cookie, null).body();
    assertThat(page).contains("alpha").doesNotContain(">beta<").doesNotContain("ks-engage");
    assertThat(get(worker, "/ui/tenants/" + tenantB, cookie, null).statusCode()).isEqualTo(404);
  }

  @Test
  void aHealthUrlWithCredentialsIsStoredSealedAndShownRedacted() {
    String dep = idsA.get("deploymentId");
    var patched = admin.patch("/api/deployments/" + dep, "{\"healthUrl\":\"https://probe:s3cret@app.example/health\"}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("healthUrl").asText()).isEqualTo("https://***@app.example/health");
    String listed = admin.get("/api/workspaces/" + idsA.get("workspaceId") + "/deployments").body();
    assertThat(listed).contains("https://***@app.example/health").doesNotContain("s3cret");
    String stored = worker.root().db().jdbi().withHandle(h -> h.createQuery(
        "SELECT health_url_secret FROM deployments WHERE id = :id").bind("id", dep).mapTo(String.class).one());
    assertThat(stored).startsWith("v1:").doesNotContain("s3cret");
    assertThat(worker.root().deployments().healthUrlWithCredentials(dep))
        .hasValue("https://probe:s3cret@app.example/health");

    // the redacted URL given back keeps the credentials; another URL replaces them
    admin.patch("/api/deployments/" + dep, "{\"healthUrl\":\"https://***@app.example/health\"}");
    assertThat(worker.root().deployments().healthUrlWithCredentials(dep))
        .hasValue("https://probe:s3cret@app.example/health");
    admin.patch("/api/deployments/" + dep, "{\"healthUrl\":\"https://app.example/ready\"}");
    assertThat(worker.root().deployments().healthUrlWithCredentials(dep)).hasValue("https://app.example/ready");
  }

  // --- helpers

  private static List<String> unlisted(AccessPolicy policy, List<String> routes) {
    return routes.stream().filter(r -> policy.rule(r.substring(0, r.indexOf(' ')),
        r.substring(r.indexOf(' ') + 1)).isEmpty()).toList();
  }

  private static String keyId(String name) {
    for (JsonNode k : admin.get("/api/keys").json()) {
      if (k.get("name").asText().equals(name)) {
        return k.get("id").asText();
      }
    }
    throw new AssertionError("no key " + name);
  }

  private static String fill(String template, Map<String, String> ids) {
    Matcher m = Pattern.compile("\\{([A-Za-z]+)}").matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(ids.getOrDefault(m.group(1), "x")));
    }
    return m.appendTail(out).toString();
  }

  private static int api(String method, String path, String key) {
    return api(method, path, key, null);
  }

  private static int api(String method, String path, String key, String forwardedFor) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path))
        .header("Content-Type", "application/json")
        .method(method, method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}"));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return send(b).statusCode();
  }

  private static int ui(String method, String path, String cookie, String key) {
    if (method.equals("GET")) {
      return get(worker, path, cookie, null).statusCode();
    }
    if (path.equals("/ui/login")) {
      return post(worker, path, null, "token=" + enc(key), null).statusCode();
    }
    String csrf = csrf(get(worker, "/ui/", cookie, null).body());
    return post(worker, path, cookie, "csrf=" + csrf + "&reason=walk&token=x", null).statusCode();
  }

  private static String login(Worker w, String key, String forwardedFor) {
    HttpResponse<String> r = post(w, "/ui/login", null, "token=" + enc(key), forwardedFor);
    assertThat(r.statusCode()).as("login: " + r.body()).isEqualTo(303);
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("the page carries a CSRF token").isTrue();
    return m.group(1);
  }

  private static HttpResponse<String> get(Worker w, String path, String cookie, String forwardedFor) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.httpPort() + path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return send(b);
  }

  private static HttpResponse<String> post(Worker w, String path, String cookie, String form, String forwardedFor) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.httpPort() + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return send(b);
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
