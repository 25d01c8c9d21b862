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
 * tenant's mode, its run's dry-run verdicts and its platform actions; the kill switch's form rules;
 * the overview's order, search and filter; the open incidents page and a tenant's channels page, and
 * what a tenant key sees of them; a tenant page's time range and its chart's axes.
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
        "/ui/tenants/" + tenant + "/fragments/live", "/ui/fragments/tenants", "/ui/incidents",
        "/ui/fragments/incidents", "/ui/tenants/" + tenant + "/channels",
        "/ui/tenants/" + tenant + "/fragments/channels", "/ui/?q=" + enc(hostile)}) {
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
            b -> b.contains("being paged since"));
    assertThat(live).contains("<span class=\"page-state page-paging\">being paged</span>"
        + " <span class=\"page-detail muted\">being paged since ");
    assertThat(live).contains("class=\"failing-channel\"")
        .contains("class=\"channel-name\" title=\"" + hook + "\">&lt;b&gt;pager&lt;/b&gt;</a>")
        .contains("(webhook, workspace prod)")
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

  @Test
  void theOverviewListsFailingTenantsFirstThenDegradedThenByNameAndSearchesAndFilters() throws Exception {
    String okA = api.create("/api/tenants", "{\"name\":\"order-a\"}");
    String degradedB = tenantWith("order-b", "DEGRADED");
    String failedD = tenantWith("Order-d", "FAILED");
    String failedC = tenantWith("order-c", "FAILED");
    String cookie = cookie(login(first, env.token));

    String rows = get(first, "/ui/fragments/tenants?q=ORDER-", cookie).body();
    assertThat(tenantIds(rows)).containsExactly(failedC, failedD, degradedB, okA);
    assertThat(rows).contains("<a class=\"tenant-name\" href=\"/ui/tenants/" + failedC + "\" title=\"" + failedC
        + "\">order-c</a>").contains("data-copy=\"" + failedC + "\"")
        .contains("<span class=\"status status-FAILED health\">FAILED</span>");

    assertThat(tenantIds(get(first, "/ui/fragments/tenants?q=order-&status=degraded", cookie).body()))
        .containsExactly(degradedB);
    assertThat(tenantIds(get(first, "/ui/fragments/tenants?q=order-&status=failed", cookie).body()))
        .containsExactly(failedC, failedD);
    assertThat(tenantIds(get(first, "/ui/fragments/tenants?q=order-&status=ok", cookie).body()))
        .containsExactly(okA);
    assertThat(tenantIds(get(first, "/ui/fragments/tenants?q=" + failedD, cookie).body()))
        .as("an id finds its tenant too").containsExactly(failedD);
    String page = get(first, "/ui/?q=order-&status=failed", cookie).body();
    assertThat(page).contains("value=\"order-\"").contains("<option value=\"failed\" selected>")
        .contains("data-live=\"/ui/fragments/tenants?q=order-&amp;status=failed\"").contains("2 tenants");
    assertThat(get(first, "/ui/fragments/tenants?q=no-such-name", cookie).body()).contains("No tenant matches.");

    HttpResponse<String> bad = get(first, "/ui/?status=sideways", cookie);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("\"error\"").contains("failed, degraded, ok, paused, disabled");
  }

  @Test
  void theOpenIncidentsPageListsEveryTenantsIncidentsByNameButATenantKeyOnlyItsOwn() throws Exception {
    String[] mine = incidentOf("inc-mine", "checkout");
    String[] theirs = incidentOf("inc-theirs", "billing");
    String tenantKey = key("mine team", "tenant", mine[0]);
    String viewerKey = key("mine viewer", "viewer", mine[0]);
    String admin = cookie(login(first, env.token));

    String all = get(first, "/ui/incidents", admin).body();
    assertThat(all).contains("data-incident=\"" + mine[1] + "\"", "data-incident=\"" + theirs[1] + "\"")
        .contains("title=\"" + mine[0] + "\">inc-mine</a>")
        .contains("<span class=\"deployment-name\" title=\"" + mine[2] + "\">checkout</span>")
        .contains("class=\"page-state page-");

    String tenant = cookie(login(first, tenantKey));
    String own = get(first, "/ui/fragments/incidents", tenant).body();
    assertThat(own).contains("data-incident=\"" + mine[1] + "\"").doesNotContain(theirs[1])
        .doesNotContain("inc-theirs").contains("class=\"ack\"");
    HttpResponse<String> ackTheirs = post(first, "/ui/tenants/" + theirs[0] + "/incidents/" + theirs[1] + "/ack",
        tenant, "csrf=" + enc(csrf(get(first, "/ui/incidents", tenant).body())));
    assertThat(ackTheirs.statusCode()).as("another tenant's incident is not there for a tenant key").isEqualTo(404);

    String viewer = get(first, "/ui/incidents", cookie(login(first, viewerKey))).body();
    assertThat(viewer).contains("data-incident=\"" + mine[1] + "\"").doesNotContain(theirs[1])
        .doesNotContain("class=\"ack\"");

    HttpResponse<String> ack = post(first, "/ui/tenants/" + mine[0] + "/incidents/" + mine[1] + "/ack", tenant,
        "csrf=" + enc(csrf(get(first, "/ui/incidents", tenant).body())) + "&back=" + enc("/ui/incidents"));
    assertThat(ack.statusCode()).isEqualTo(303);
    assertThat(ack.headers().firstValue("Location")).hasValue("/ui/incidents");
    assertThat(get(first, "/ui/fragments/incidents", tenant).body()).contains("class=\"acknowledged\"")
        .doesNotContain("class=\"ack\"");
    assertThat(api.get("/api/tenants/" + theirs[0] + "/incidents").json().get(0).hasNonNull("acknowledgedAt"))
        .as("the other tenant's incident is untouched").isFalse();
  }

  @Test
  void aTenantsChannelsPageShowsEachChannelsDeliveriesAndFailingStateButNoSecretAndNotToOtherTenants()
      throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"channels-owner\"}");
    assertThat(api.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"status\":\"FAILED\"}");
    String dead = "http://127.0.0.1:" + WorkerEnv.freePort() + "/hooks/secret-path";
    String broken = api.create("/api/tenants/" + tenant + "/notification-channels", "{\"type\":\"webhook\","
        + "\"name\":\"dead hook\",\"config\":{\"url\":\"" + dead + "\",\"secret\":\"whsec_"
        + "c2VjcmV0LXNpZ25pbmcta2V5LTEyMzQ1Njc4OTA=\"}}");
    first.root().incidents().alert(new io.opsagent.notify.Alert(tenant, ws, io.opsagent.notify.Severity.CRITICAL,
        "api is FAILED", "It is down.", null, dep));
    first.root().db().jdbi().useHandle(h -> h.createUpdate(
            "UPDATE notification_channels SET failing_since = :since WHERE id = :id")
        .bind("since", Instant.now().minusSeconds(300)).bind("id", broken).execute());
    String other = incidentOf("channels-bystander", "web")[0];
    String otherKey = key("bystander team", "tenant", other);
    String cookie = cookie(login(first, env.token));

    String channels = await().atMost(Duration.ofSeconds(30))
        .until(() -> get(first, "/ui/tenants/" + tenant + "/fragments/channels", cookie).body(),
            b -> b.contains("class=\"delivery-error\">") && !b.contains("class=\"delivery-error\"></td>"));
    assertThat(channels).contains("data-channel=\"" + broken + "\"")
        .contains("<section class=\"channel channel-failing\" data-channel=\"" + broken + "\">")
        .contains("<span class=\"status status-failing channel-state\">failing</span>")
        .contains("class=\"channel-name\" title=\"" + broken + "\">dead hook</span>")
        .contains("api is FAILED").contains("class=\"num attempts\">")
        .contains("class=\"last-error\">");
    assertThat(channels).doesNotContain("secret-path").doesNotContain("whsec_").doesNotContain(dead);
    assertThat(get(first, "/ui/tenants/" + tenant + "/channels", cookie).body())
        .contains("Notification channels of <span class=\"tenant-name\"");

    String bystander = cookie(login(first, otherKey));
    assertThat(get(first, "/ui/tenants/" + tenant + "/channels", bystander).statusCode())
        .as("another tenant's channels answer 404 to a tenant key").isEqualTo(404);
    assertThat(get(first, "/ui/tenants/" + tenant + "/fragments/channels", bystander).statusCode()).isEqualTo(404);
    assertThat(get(first, "/ui/tenants/" + other + "/channels", bystander).body())
        .contains("No channels").doesNotContain(broken).doesNotContain("dead hook");
  }

  @Test
  void aTenantsPageShowsRunsAndCostOverTheChosenDaysWithLabelledAxes() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"ranged\"}");
    String old = first.root().runs().start(tenant, io.opsagent.queue.schedule.Trigger.MANUAL).id();
    String recent = first.root().runs().start(tenant, io.opsagent.queue.schedule.Trigger.MANUAL).id();
    first.root().db().jdbi().useHandle(h -> {
      h.createUpdate("UPDATE ops_agent_runs SET started_at = :at WHERE id = :id")
          .bind("at", Instant.now().minus(Duration.ofDays(10))).bind("id", old).execute();
      h.createUpdate("""
              INSERT INTO ops_usage_daily (tenant_id, day, runs, skipped_runs, model_calls, input_tokens,
                  output_tokens, cache_read_tokens, cache_write_tokens, cost_usd)
              VALUES (:t, :day, 3, 0, 3, 1500, 350, 0, 0, 0.0123)""")
          .bind("t", tenant).bind("day", java.time.LocalDate.now(java.time.ZoneOffset.UTC)).execute();
    });
    String cookie = cookie(login(first, env.token));

    String month = get(first, "/ui/tenants/" + tenant + "/fragments/live?days=30", cookie).body();
    assertThat(month).contains("data-run=\"" + old + "\"", "data-run=\"" + recent + "\"");
    assertThat(count(month, "<rect class=\"bar\"")).isEqualTo(30);
    String week = get(first, "/ui/tenants/" + tenant + "/fragments/live?days=7", cookie).body();
    assertThat(week).contains("data-run=\"" + recent + "\"").doesNotContain(old);
    assertThat(count(week, "<rect class=\"bar\"")).isEqualTo(7);
    assertThat(week).contains(">tokens</text>", ">USD</text>", "Last 7 days (UTC): 1850 tokens, $0.0123.")
        .contains("text-anchor=\"end\">2k</text>", "text-anchor=\"end\">0</text>")
        .contains("text-anchor=\"start\">$0.02</text>", "text-anchor=\"start\">$0.01</text>");
    assertThat(count(week, "<text class=\"tick day\"")).as("one label per day").isEqualTo(7);
    String page = get(first, "/ui/tenants/" + tenant + "?days=7", cookie).body();
    assertThat(page).contains("data-live=\"/ui/tenants/" + tenant + "/fragments/live?days=7\"")
        .contains("<strong class=\"range-current\">7 days</strong>");

    HttpResponse<String> bad = get(first, "/ui/tenants/" + tenant + "?days=2", cookie);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("\"error\":\"days must be one of [30, 7, 1]\"");
  }

  /** A tenant with one workspace and one deployment in {@code status}; its id. */
  private static String tenantWith(String name, String status) {
    String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
    assertThat(api.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\",\"status\":\"" + status + "\"}");
    return tenant;
  }

  /** A tenant {@code name} whose FAILED deployment {@code deployment} has an open incident: tenant, incident, deployment ids. */
  private static String[] incidentOf(String name, String deployment) {
    String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
    assertThat(api.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"" + deployment
        + "\",\"status\":\"FAILED\"}");
    first.root().incidents().alert(new io.opsagent.notify.Alert(tenant, ws, io.opsagent.notify.Severity.CRITICAL,
        deployment + " is FAILED", "It is down.", null, dep));
    String incident = api.get("/api/tenants/" + tenant + "/incidents?status=open").json().get(0).get("id").asText();
    return new String[] {tenant, incident, dep};
  }

  private static String key(String name, String role, String tenant) {
    var r = api.post("/api/keys", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"tenantId\":\""
        + tenant + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("key").asText();
  }

  private static java.util.List<String> tenantIds(String rows) {
    Matcher m = Pattern.compile("data-tenant=\"([^\"]+)\"").matcher(rows);
    java.util.List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
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
