package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's security at the HTTP level, against two workers of one cluster: the session
 * cookie's flags and its acceptance by the other worker, refused tokens, tampered cookies and
 * CSRF-less posts, the Content-Security-Policy, and escaping of tenant-supplied names; a dry-run
 * tenant's mode, its run's dry-run verdicts and its platform actions; the kill switch's form rules.
 */
class DashboardHttpTest {
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static TestDatabase db;
  static FakeMessagesApi model;
  static WorkerEnv env;
  static Worker first;
  static Worker second;
  static ApiClient api;

  @BeforeAll
  static void startTwoWorkers() {
    db = TestDatabase.create(DashboardHttpTest.class);
    model = FakeMessagesApi.start();
    SreScript.on(model);
    env = new WorkerEnv(db, model, "PT24H");
    first = Worker.start(env.config());
    WorkerEnv other = env.onAnotherPort(db, model).with("OPSAGENT_API_TOKEN", env.token);
    second = Worker.start(other.config());
    api = new ApiClient(first.httpPort(), env.token);
  }

  @AfterAll
  static void stop() {
    for (Worker w : new Worker[] {second, first}) {
      if (w != null) {
        w.close();
      }
    }
    model.close();
    db.close();
  }

  @Test
  void theLoginSetsAnHttpOnlyStrictCookieThatTheOtherWorkerOfTheClusterAccepts() throws Exception {
    HttpResponse<String> login = login(first, env.token);

    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("Location")).hasValue("/ui/");
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("opsagent_session=").contains("HttpOnly", "SameSite=Strict", "Path=/ui",
        "Max-Age=43200");
    assertThat(setCookie).doesNotContain(env.token);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    HttpResponse<String> page = get(second, "/ui/", cookie);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>Tenants</h1>");
    String csrf = csrf(page.body());
    String tenant = api.create("/api/tenants", "{\"name\":\"x\"}");
    HttpResponse<String> disable = post(first, "/ui/tenants/" + tenant + "/disable", cookie, "csrf=" + enc(csrf));
    assertThat(disable.statusCode()).as("a form rendered by one worker is accepted by the other").isEqualTo(303);
    assertThat(api.get("/api/tenants/" + tenant + "/ops/schedule").json().get("enabled").asBoolean()).isFalse();
  }

  @Test
  void aWrongTokenATamperedCookieOrNoCookieGetNoPage() throws Exception {
    HttpResponse<String> wrong = login(first, env.token + "x");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(wrong.body()).contains("That is not a valid API key.").doesNotContain(env.token);

    String cookie = cookie(login(first, env.token));
    char last = cookie.charAt(cookie.length() - 1);
    String tampered = cookie.substring(0, cookie.length() - 1) + (last == 'A' ? 'B' : 'A');
    for (String c : new String[] {null, tampered, "opsagent_session=garbage"}) {
      HttpResponse<String> page = get(first, "/ui/", c);
      assertThat(page.statusCode()).isEqualTo(303);
      assertThat(page.headers().firstValue("Location")).hasValue("/ui/login");
      assertThat(get(first, "/ui/fragments/tenants", c).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> anotherToken = get(first, "/ui/", cookie(loginOtherCluster()));
    assertThat(anotherToken.statusCode()).as("a session opened with another API token").isEqualTo(303);
  }

  @Test
  void aPostWithoutOrWithAForeignCsrfTokenIs403AndQueuesNothing() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"csrf\"}");
    String cookie = cookie(login(first, env.token));
    String otherSessionsToken = csrf(get(first, "/ui/", cookie(login(second, env.token))).body());

    HttpResponse<String> none = post(first, "/ui/tenants/" + tenant + "/run", cookie, "");
    HttpResponse<String> foreign = post(first, "/ui/tenants/" + tenant + "/run", cookie,
        "csrf=" + enc(otherSessionsToken));
    HttpResponse<String> noSession = post(first, "/ui/tenants/" + tenant + "/run", null,
        "csrf=" + enc(otherSessionsToken));

    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(noSession.statusCode()).isEqualTo(401);
    assertThat(api.get("/api/tenants/" + tenant + "/ops/runs").json()).isEmpty();
  }

  @Test
  void everyPageSendsAStrictContentSecurityPolicyAndEscapesTenantNames() throws Exception {
    String hostile = "<img src=x onerror=alert(1)>\"'&";
    String tenant = api.create("/api/tenants", "{\"name\":" + new com.fasterxml.jackson.databind.ObjectMapper()
        .writeValueAsString(hostile) + "}");
    String cookie = cookie(login(first, env.token));

    for (String path : new String[] {"/ui/login", "/ui/", "/ui/tenants/" + tenant,
        "/ui/tenants/" + tenant + "/fragments/live", "/ui/fragments/tenants"}) {
      HttpResponse<String> r = get(first, path, path.equals("/ui/login") ? null : cookie);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
          "frame-ancestors 'none'").doesNotContain("unsafe-inline");
      assertThat(r.body()).doesNotContain("<img src=x").doesNotContain("<script>").doesNotContain(" style=");
    }
    assertThat(get(first, "/ui/tenants/" + tenant, cookie).body())
        .contains("<h1 class=\"tenant-title\">&lt;img src=x onerror=alert(1)&gt;\"'&amp;</h1>");
    HttpResponse<String> js = get(first, "/ui/static/dashboard.js", null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
    assertThat(get(first, "/ui/static/../../etc/passwd", null).statusCode()).isEqualTo(404);
    assertThat(get(first, "/ui/tenants/nope", cookie).statusCode()).isEqualTo(404);
  }

  @Test
  void aDryRunTenantShowsItsModeItsRunsDryRunVerdictsAndItsPlatformActions() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"rehearsal\"}");
    assertThat(api.put("/api/tenants/" + tenant + "/ops/settings", "{\"mode\":\"dry-run\"}").status())
        .isEqualTo(200);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"status\":\"FAILED\"}");
    await().atMost(Duration.ofSeconds(45)).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs").json()
        .findValuesAsText("status").contains("completed"));
    Instant now = Instant.now();
    first.root().db().jdbi().useHandle(h -> {
      for (String[] a : new String[][] {{"restart", null, "helped", "<b>crash loop</b>"},
          {"rollback", "1.2.3", "not_helped", "bad release"}}) {
        h.createUpdate("""
                INSERT INTO ops_actions (id, tenant_id, workspace_id, deployment_id, action, to_version, reason,
                    run_id, status, attempts, requested_at, finished_at, updated_at)
                VALUES (:id, :t, :w, :d, :action, :v, :reason, 'r1', :status, 1, :at, :at, :at)""")
            .bind("id", java.util.UUID.randomUUID().toString()).bind("t", tenant).bind("w", ws).bind("d", dep)
            .bind("action", a[0]).bind("v", a[1]).bind("status", a[2]).bind("reason", a[3])
            .bind("at", now.plusSeconds(a[0].length())).execute();
      }
    });
    String cookie = cookie(login(first, env.token));

    assertThat(get(first, "/ui/fragments/tenants", cookie).body())
        .contains("<span class=\"mode mode-dry-run\">dry-run</span>");
    String live = get(first, "/ui/tenants/" + tenant + "/fragments/live", cookie).body();
    assertThat(live).contains("class=\"mode mode-dry-run\">dry-run</strong>")
        .contains("<td class=\"tool-name\">sendAlert</td>")
        .contains("<td class=\"verdict\">dry-run</td>")
        .doesNotContain("<td class=\"verdict\">allowed</td>");
    assertThat(live).contains("<td class=\"action-name\">rollback to 1.2.3</td>")
        .contains(">not_helped</span>").contains(">helped</span>")
        .contains("&lt;b&gt;crash loop&lt;/b&gt;").doesNotContain("<b>crash");
    assertThat(live.indexOf("rollback to 1.2.3")).as("newest first").isLessThan(live.indexOf(">restart"));
  }

  @Test
  void anOpenIncidentIsAcknowledgedFromItsTenantsPageWithTheCsrfTokenOnly() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"acknowledging\"}");
    String other = api.create("/api/tenants", "{\"name\":\"bystander\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"status\":\"FAILED\"}");
    first.root().incidents().alert(new io.opsagent.notify.Alert(tenant, ws, io.opsagent.notify.Severity.CRITICAL,
        "api is FAILED", "It is down.", null, dep));
    String incident = api.get("/api/tenants/" + tenant + "/incidents?status=open").json().get(0).get("id").asText();
    String ack = "/ui/tenants/" + tenant + "/incidents/" + incident + "/ack";
    String cookie = cookie(login(first, env.token));
    String page = get(first, "/ui/tenants/" + tenant, cookie).body();
    assertThat(page).contains("action=\"" + ack + "\"").contains("class=\"ack\">Acknowledge</button>");

    HttpResponse<String> noToken = post(first, ack, cookie, "");
    HttpResponse<String> viaOtherTenant = post(first, "/ui/tenants/" + other + "/incidents/" + incident + "/ack",
        cookie, "csrf=" + enc(csrf(page)));
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(api.get("/api/tenants/" + tenant + "/incidents").json().get(0).has("acknowledgedAt"))
        .as("neither a post without the token nor one through another tenant acknowledges it").isFalse();

    HttpResponse<String> done = post(first, ack, cookie, "csrf=" + enc(csrf(page)) + "&back="
        + enc("/ui/tenants/" + tenant));

    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(done.headers().firstValue("Location")).hasValue("/ui/tenants/" + tenant);
    assertThat(api.get("/api/tenants/" + tenant + "/incidents").json().get(0).get("acknowledgedAt").isNull())
        .isFalse();
    assertThat(get(first, "/ui/tenants/" + tenant + "/fragments/live", cookie).body())
        .doesNotContain("class=\"ack\"");
    assertThat(viaOtherTenant.statusCode()).as("another tenant's incident is not found").isEqualTo(404);
  }

  @Test
  void aTenantsPageShowsEachIncidentsPageStatusAndItsFailingChannels() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"paging\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"status\":\"FAILED\"}");
    // nobody listens on this port: every attempt fails, and the channel has been failing for two minutes
    String dead = "http://127.0.0.1:" + WorkerEnv.freePort() + "/hooks/secret-path";
    String hook = api.create("/api/tenants/" + tenant + "/notification-channels", "{\"type\":\"webhook\","
        + "\"name\":\"<b>pager</b>\",\"workspaceId\":\"" + ws + "\",\"config\":{\"url\":\"" + dead + "\"}}");
    // a channel whose attempts fail too, but not yet for a minute: not failing
    api.create("/api/tenants/" + tenant + "/notification-channels", "{\"type\":\"webhook\",\"name\":\"not-yet\","
        + "\"workspaceId\":\"" + ws + "\",\"config\":{\"url\":\"http://127.0.0.1:" + WorkerEnv.freePort()
        + "/other\"}}");
    first.root().db().jdbi().useHandle(h -> h.createUpdate(
            "UPDATE notification_channels SET failing_since = :since, last_error = 'ConnectException refused'"
                + " WHERE id = :id")
        .bind("since", Instant.now().minusSeconds(120)).bind("id", hook).execute());
    first.root().incidents().alert(new io.opsagent.notify.Alert(tenant, ws, io.opsagent.notify.Severity.CRITICAL,
        "api is FAILED", "It is down.", null, dep));
    String cookie = cookie(login(first, env.token));

    String live = await().atMost(Duration.ofSeconds(30))
        .until(() -> get(first, "/ui/tenants/" + tenant + "/fragments/live", cookie).body(),
            b -> b.contains("unpaged, paging since"));
    assertThat(live).contains("<td class=\"page page-unpaged\">unpaged, paging since ");
    assertThat(live).contains("class=\"failing-channel\"")
        .contains("<span class=\"channel-name\">&lt;b&gt;pager&lt;/b&gt;</span>")
        .contains("(webhook, " + ws + ")")
        .contains("class=\"last-error\">");
    assertThat(live).doesNotContain("not-yet").doesNotContain("secret-path").doesNotContain("<b>pager");
  }

  @Test
  void theKillSwitchNeedsTheCsrfTokenAndAReason() throws Exception {
    String cookie = cookie(login(first, env.token));
    String csrf = csrf(get(first, "/ui/", cookie).body());
    assertThat(get(first, "/ui/", cookie).body()).contains("Kill switch released");

    assertThat(post(first, "/ui/kill-switch/engage", cookie, "reason=stop").statusCode()).isEqualTo(403);
    HttpResponse<String> noReason = post(first, "/ui/kill-switch/engage", cookie, "csrf=" + enc(csrf) + "&reason=+");
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("\"error\"");
    assertThat(api.get("/api/ops/kill-switch").json().get("engaged").asBoolean()).isFalse();

    try {
      HttpResponse<String> engaged = post(second, "/ui/kill-switch/engage", cookie,
          "csrf=" + enc(csrf) + "&reason=" + enc("<i>drill</i>") + "&back=" + enc("https://evil.example/"));
      assertThat(engaged.statusCode()).isEqualTo(303);
      assertThat(engaged.headers().firstValue("Location")).as("only our own pages").hasValue("/ui/");
      assertThat(api.get("/api/ops/kill-switch").json().get("reason").asText()).isEqualTo("<i>drill</i>");
      String fragment = get(first, "/ui/fragments/kill-switch", cookie).body();
      assertThat(fragment).contains("Kill switch engaged", "&lt;i&gt;drill&lt;/i&gt;", "ks-release")
          .doesNotContain("<i>drill");
      assertThat(post(first, "/ui/kill-switch/release", cookie, "").statusCode()).isEqualTo(403);
      assertThat(post(first, "/ui/kill-switch/release", cookie, "csrf=" + enc(csrf)).statusCode()).isEqualTo(303);
      assertThat(api.get("/api/ops/kill-switch").json().get("engaged").asBoolean()).isFalse();
    } finally {
      api.delete("/api/ops/kill-switch");
    }
  }

  private static HttpResponse<String> login(Worker w, String token) throws IOException, InterruptedException {
    return post(w, "/ui/login", null, "token=" + enc(token));
  }

  private static HttpResponse<String> loginOtherCluster() throws IOException, InterruptedException {
    WorkerEnv foreign = env.onAnotherPort(db, model);
    try (Worker w = Worker.start(foreign.config())) {
      return post(w, "/ui/login", null, "token=" + enc(foreign.token));
    }
  }

  private static String cookie(HttpResponse<String> login) {
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("the page carries a CSRF token").isTrue();
    return m.group(1);
  }

  private static HttpResponse<String> get(Worker w, String path, String cookie)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.httpPort() + path));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(Worker w, String path, String cookie, String form)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.httpPort() + path))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
