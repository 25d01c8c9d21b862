package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's headless Chromium driven through chromedriver) against
 * a worker on PostgreSQL whose model is the fake Messages API: logging in, a tenant with a FAILED
 * deployment, "Run now" and the run with its alert appearing without a reload, the run's tool calls
 * and the run's reasoning, the incident it opened and its resolution, the kill switch engaged and
 * released from the banner, a tenant's dry-run mode, refused logins and CSRF-less posts, and a
 * hostile deployment name shown as text; the overview's order, search and filter and a copied id; the
 * open incidents page and its acknowledge button; a tenant's channels page with a failing channel.
 * Screenshots of each page land in {@code target/ui-screenshots/}.
 */
class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final String HOSTILE = "<script>alert(1)</script>";
  private static final String REASONING = "web is FAILED and nobody knows yet: page the on-call first.";
  private static final String RECORDED = "noted for the audit trail";
  private static final Path SHOTS = Path.of("target", "ui-screenshots");
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static WorkerEnv env;
  static Worker worker;
  static ApiClient api;
  static String acme;
  static String webDeployment;
  WebDriver browser;

  @BeforeAll
  static void startWorker() throws IOException {
    assumeTrue(new File(chromium()).canExecute() && new File(chromedriver()).canExecute(),
        "Chromium and chromedriver are needed (Debian packages chromium and chromium-driver; scripts/test installs them)");
    db = TestDatabase.create(DashboardBrowserTest.class);
    model = FakeMessagesApi.start();
    model.otherwise(DashboardBrowserTest::sre);
    receiver = TestReceiver.answering();
    env = new WorkerEnv(db, model, "PT24H");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
    acme = api.create("/api/tenants", "{\"name\":\"acme\"}");
    String ws = api.create("/api/tenants/" + acme + "/workspaces", "{\"name\":\"prod\"}");
    // switched off first, so the FAILED deployment queues no event cycle: the operator starts one
    assertThat(api.delete("/api/tenants/" + acme + "/ops/schedule").status()).isEqualTo(200);
    webDeployment = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":"
        + JSON.writeValueAsString(HOSTILE) + ",\"status\":\"FAILED\"}");
    api.create("/api/tenants/" + acme + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hook") + "\"}}");
    String quiet = api.create("/api/tenants", "{\"name\":\"quiet\"}");
    assertThat(api.put("/api/tenants/" + quiet + "/ops/settings", "{\"mode\":\"dry-run\"}").status()).isEqualTo(200);
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (model != null) {
      model.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void openBrowser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1100,900");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(chromedriver())).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void anOperatorLogsInRunsACycleAndSeesItsAlertToolCallAndReasoningWithoutReloading() throws IOException {
    logIn(env.token);
    WebElement row = tenantRow("acme");
    assertThat(row.findElement(By.className("failed-count")).getText()).isEqualTo("1");
    assertThat(row.findElement(By.className("mode")).getText()).isEqualTo("live");
    assertThat(row.getText()).contains("disabled");
    assertThat(tenantRow("quiet").findElement(By.className("failed-count")).getText()).isEqualTo("0");
    assertThat(tenantRow("quiet").findElement(By.className("mode")).getText())
        .as("a dry-run tenant says so").isEqualTo("dry-run");
    assertThat(browser.findElement(By.cssSelector("#kill-switch .ks-state")).getText())
        .startsWith("Kill switch released");
    screenshot("tenants");

    row.findElement(By.className("tenant-name")).click();
    assertThat(browser.findElement(By.className("tenant-title")).getText()).isEqualTo("acme");
    assertThat(browser.findElement(By.className("deployment-name")).getText())
        .as("a hostile deployment name is shown as text").isEqualTo(HOSTILE);
    assertThat(browser.findElements(By.cssSelector("details[data-run]"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector("section.incidents")).getText()).contains("None.");
    js("window.sameDocument = 'yes';");

    browser.findElement(By.cssSelector("#live button.enable")).click();
    await().atMost(WAIT).ignoreExceptions()
        .until(() -> browser.findElement(By.cssSelector("#live .status-panel")).getText().contains("enabled"));
    browser.findElement(By.cssSelector("#live button.run-now")).click();

    WebElement run = await().atMost(WAIT).ignoreExceptions().until(this::manualRunWithDeliveredAlert,
        r -> r != null);
    assertThat(js("return window.sameDocument;")).as("the run appeared without reloading the page")
        .isEqualTo("yes");
    assertThat(browser.findElement(By.id("flash")).getText()).isEqualTo("Cycle queued.");
    assertThat(run.findElement(By.className("alert-chip")).getText())
        .isEqualTo("alert: " + HOSTILE + " is FAILED (delivered)");
    assertNoDialog();

    run.findElement(By.tagName("summary")).click();
    assertThat(run.findElement(By.className("summary")).getText()).isEqualTo("Paged the on-call.");
    assertThat(run.findElement(By.className("reasoning")).getText())
        .as("the run's own reasoning: what the model said, step by step, not recordAction's input")
        .contains(REASONING, "Paged the on-call.").doesNotContain(RECORDED);
    List<WebElement> calls = run.findElements(By.className("tool-call"));
    assertThat(calls).extracting(c -> c.findElement(By.className("tool-name")).getText())
        .containsExactly("sendAlert", "sendAlert", "recordAction");
    assertThat(calls.get(0).findElement(By.className("verdict")).getText()).isEqualTo("allowed");
    assertThat(calls.get(0).getText()).contains("\"severity\" : \"critical\"", HOSTILE + " is FAILED");
    assertThat(calls.get(1).findElement(By.className("verdict")).getText()).isEqualTo("refused");
    assertThat(calls.get(1).findElement(By.className("refusal")).getText()).isEqualTo("invalid_input");
    assertThat(run.findElement(By.cssSelector("table.alerts .delivery")).getText()).isEqualTo("delivered");
    WebElement incident = browser.findElement(By.cssSelector("tr.incident-open"));
    assertThat(incident.findElement(By.className("deployment-name")).getText()).as("names first").isEqualTo(HOSTILE);
    assertThat(incident.findElement(By.className("deployment-name")).getAttribute("title"))
        .as("the id on hover").isEqualTo(webDeployment);
    assertThat(incident.findElement(By.className("problem")).getAttribute("title"))
        .isEqualTo(acme + ":" + webDeployment + ":failed");
    assertThat(incident.getText()).contains("critical", HOSTILE + " is FAILED");
    js("window.scrollTo(0, 0);");
    screenshot("tenant");
    js("arguments[0].scrollIntoView();", run);
    screenshot("run");
    WebElement chart = browser.findElement(By.cssSelector("svg.chart"));
    assertThat(chart.findElements(By.cssSelector("rect.bar"))).hasSize(30);
    assertThat(chart.findElement(By.cssSelector("rect.bar:last-of-type title")).getAttribute("textContent"))
        .as("today's bar").contains("1850 tokens", "1 runs");
    assertThat(chart.findElements(By.cssSelector(".y-tokens text"))).extracting(WebElement::getText)
        .as("the tokens axis, from zero to a round number above today's 1850").containsExactly("0", "500", "1k",
            "1.5k", "2k");
    assertThat(chart.findElements(By.cssSelector(".y-cost text")).get(0).getText()).isEqualTo("$0");
    assertThat(chart.findElements(By.cssSelector(".y-cost text")).get(4).getText()).startsWith("$");
    assertThat(chart.findElements(By.cssSelector("text.unit"))).extracting(WebElement::getText)
        .containsExactly("tokens", "USD");
    assertThat(chart.findElements(By.cssSelector(".x-axis text"))).hasSizeGreaterThanOrEqualTo(6);
    js("document.querySelector('svg.chart').scrollIntoView();");
    screenshot("usage");

    String openRun = run.getAttribute("id");
    js("document.querySelector('#live').dataset.lastHtml = '';");
    await().atMost(WAIT).until(() -> js("return document.querySelector('#live').dataset.lastHtml;") != "");
    assertThat(browser.findElement(By.id(openRun)).getAttribute("open"))
        .as("an opened run stays open through live updates").isNotNull();
    assertNoDialog();

    api.post("/api/deployments/" + webDeployment + "/events", "{\"type\":\"recovered\",\"status\":\"RUNNING\"}");
    WebElement resolved = await().atMost(WAIT).ignoreExceptions()
        .until(() -> browser.findElement(By.cssSelector("tr.incident-resolved")), r -> r != null);
    assertThat(resolved.findElement(By.className("problem")).getAttribute("title"))
        .isEqualTo(acme + ":" + webDeployment + ":failed");
    assertThat(resolved.findElement(By.className("resolved-at")).getText()).endsWith("UTC");
    assertThat(browser.findElements(By.cssSelector("tr.incident-open"))).isEmpty();

    browser.findElement(By.cssSelector("a.range-7")).click();
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.className("range-current")).getText()
        .equals("7 days"));
    assertThat(browser.findElements(By.cssSelector("svg.chart rect.bar"))).as("a bar per day of the range").hasSize(7);
    assertThat(browser.findElements(By.cssSelector("svg.chart .x-axis text"))).hasSize(7);
    assertThat(browser.findElement(By.id(openRun))).as("today's run is in the range").isNotNull();
  }

  @Test
  void theOverviewPutsFailingTenantsFirstAndSearchesAndFiltersByNameAndStatus() throws IOException {
    String broken = api.create("/api/tenants", "{\"name\":\"zz-broken\"}");
    assertThat(api.delete("/api/tenants/" + broken + "/ops/schedule").status()).isEqualTo(200);
    String ws = api.create("/api/tenants/" + broken + "/workspaces", "{\"name\":\"prod\"}");
    api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"db\",\"status\":\"FAILED\"}");
    logIn(env.token);
    WebElement row = tenantRow("zz-broken");
    List<String> names = tenantNames();
    assertThat(names.indexOf("zz-broken")).as("a tenant with a FAILED deployment comes before a healthy one,"
        + " whatever its name").isLessThan(names.indexOf("quiet"));
    assertThat(row.findElement(By.className("health")).getText()).isEqualTo("FAILED");
    assertThat(row.findElement(By.className("tenant-name")).getAttribute("title")).isEqualTo(broken);
    screenshot("overview");

    row.findElement(By.className("copy-id")).click();
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("flash")).getText(),
        t -> t.equals("Copied " + broken));

    browser.findElement(By.id("q")).sendKeys("QUI");
    browser.findElement(By.id("search")).click();
    await().atMost(WAIT).ignoreExceptions().until(() -> tenantNames().equals(List.of("quiet")));
    assertThat(browser.getCurrentUrl()).endsWith("/ui/?q=QUI&status=");
    assertThat(browser.findElement(By.className("matched")).getText()).isEqualTo("1 tenant");

    browser.get(url("/ui/"));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("status"))).selectByValue("failed");
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.getCurrentUrl().contains("status=failed")
        && tenantNames().contains("zz-broken"));
    assertThat(tenantNames()).doesNotContain("quiet");
    assertThat(browser.findElements(By.cssSelector("tr.tenant .health"))).extracting(WebElement::getText)
        .containsOnly("FAILED");
  }

  @Test
  void theOpenIncidentsPageShowsEveryTenantsIncidentByNameAndAcknowledgesItWithoutReloading() throws IOException {
    String tenant = api.create("/api/tenants", "{\"name\":\"storefront\"}");
    assertThat(api.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"cart\",\"status\":\"FAILED\"}");
    worker.root().incidents().alert(new io.opsagent.notify.Alert(tenant, ws, io.opsagent.notify.Severity.CRITICAL,
        "cart is FAILED", "It is down.", null, dep));
    String incident = api.get("/api/tenants/" + tenant + "/incidents?status=open").json().get(0).get("id").asText();
    logIn(env.token);
    // the overview, once the login's redirect has landed there, links to the incidents page
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.className("nav-incidents")),
        link -> link != null).click();

    WebElement row = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(
        By.cssSelector("tr[data-incident='" + incident + "']")), r -> r != null);
    assertThat(row.findElement(By.className("tenant-name")).getText()).isEqualTo("storefront");
    assertThat(row.findElement(By.className("deployment-name")).getText()).isEqualTo("cart");
    assertThat(row.findElement(By.className("deployment-name")).getAttribute("title")).isEqualTo(dep);
    assertThat(row.findElement(By.className("page-state")).getText())
        .as("nobody listens on this tenant: no channel, so nothing is on its way").isEqualTo("unpaged");
    assertThat(browser.findElements(By.cssSelector("tr.incident-open")).size()).isGreaterThanOrEqualTo(1);
    js("window.sameDocument = 'yes';");
    screenshot("incidents");

    row.findElement(By.className("ack")).click();

    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(
        By.cssSelector("tr[data-incident='" + incident + "'] .acknowledged")).getText().endsWith("UTC"));
    assertThat(browser.findElement(By.id("flash")).getText()).isEqualTo("Incident acknowledged: no more reminders for it.");
    assertThat(js("return window.sameDocument;")).isEqualTo("yes");
    assertThat(api.get("/api/tenants/" + tenant + "/incidents").json().get(0).get("acknowledgedAt").isNull()).isFalse();
    assertNoDialog();
  }

  @Test
  void aTenantsChannelsPageShowsAFailingChannelWithItsDeliveriesAndAHealthyOne() throws IOException {
    String tenant = api.create("/api/tenants", "{\"name\":\"paged-shop\"}");
    assertThat(api.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\",\"status\":\"FAILED\"}");
    String dead = api.create("/api/tenants/" + tenant + "/notification-channels", "{\"type\":\"webhook\","
        + "\"name\":\"old pager\",\"config\":{\"url\":\"http://127.0.0.1:" + WorkerEnv.freePort() + "/gone\"}}");
    String good = api.create("/api/tenants/" + tenant + "/notification-channels", "{\"type\":\"webhook\","
        + "\"name\":\"team hook\",\"workspaceId\":\"" + ws + "\",\"config\":{\"url\":\"" + receiver.url("/team")
        + "\"}}");
    worker.root().incidents().alert(new io.opsagent.notify.Alert(tenant, ws, io.opsagent.notify.Severity.CRITICAL,
        "web is FAILED", "It is down.", null, dep));
    worker.root().db().jdbi().useHandle(h -> h.createUpdate(
            "UPDATE notification_channels SET failing_since = :since WHERE id = :id")
        .bind("since", java.time.Instant.now().minusSeconds(300)).bind("id", dead).execute());
    logIn(env.token);
    tenantRow("paged-shop").findElement(By.className("tenant-name")).click();
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.className("channels-link")),
        link -> link != null).click();

    WebElement failing = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(
        By.cssSelector("section.channel-failing[data-channel='" + dead + "']")), s -> s != null
            && !s.findElements(By.cssSelector("tr.delivery")).isEmpty()
            && !s.findElement(By.className("delivery-error")).getText().isEmpty());
    assertThat(failing.findElement(By.className("channel-name")).getText()).isEqualTo("old pager");
    assertThat(failing.findElement(By.className("channel-state")).getText()).isEqualTo("failing");
    assertThat(failing.findElement(By.className("last-error")).getText()).isNotEmpty();
    WebElement delivery = failing.findElement(By.cssSelector("tr.delivery"));
    assertThat(delivery.getText()).contains("web is FAILED");
    assertThat(Integer.parseInt(delivery.findElement(By.className("attempts")).getText())).isGreaterThanOrEqualTo(1);

    WebElement healthy = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(
        By.cssSelector("section.channel[data-channel='" + good + "']")), s -> s != null
            && s.findElement(By.className("delivery-status")).getText().equals("delivered"));
    assertThat(healthy.findElement(By.className("channel-state")).getText()).isEqualTo("healthy");
    assertThat(healthy.findElement(By.className("channel-scope")).getText()).isEqualTo("workspace prod");
    assertThat(browser.getPageSource()).doesNotContain("/gone").doesNotContain(receiver.url("/team"));
    screenshot("channels");
  }

  @Test
  void theKillSwitchIsEngagedWithAReasonFromTheBannerAndReleasedAgain() throws IOException {
    logIn(env.token);
    try {
      tenantRow("acme").findElement(By.className("tenant-name")).click();
      WebElement banner = browser.findElement(By.id("kill-switch"));
      assertThat(banner.findElement(By.className("ks-state")).getText()).startsWith("Kill switch released");
      js("window.sameDocument = 'yes';");

      browser.findElement(By.id("ks-reason")).sendKeys("bad model rollout " + HOSTILE);
      browser.findElement(By.cssSelector("#kill-switch button.ks-engage")).click();

      await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.cssSelector("#kill-switch .ks-state"))
          .getText().startsWith("Kill switch engaged"));
      assertThat(browser.findElement(By.className("ks-reason")).getText()).isEqualTo("bad model rollout " + HOSTILE);
      JsonNode state = api.get("/api/ops/kill-switch").json();
      assertThat(state.get("engaged").asBoolean()).isTrue();
      assertThat(state.get("reason").asText()).isEqualTo("bad model rollout " + HOSTILE);
      assertThat(js("return window.sameDocument;")).isEqualTo("yes");
      assertNoDialog();
      js("window.scrollTo(0, 0);");
      screenshot("kill-switch");

      browser.get(url("/ui/"));
      assertThat(browser.findElement(By.cssSelector("#kill-switch .ks-state")).getText())
          .as("every page shows it").startsWith("Kill switch engaged");
      browser.findElement(By.cssSelector("#kill-switch button.ks-release")).click();
      await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.cssSelector("#kill-switch .ks-state"))
          .getText().startsWith("Kill switch released"));
      assertThat(api.get("/api/ops/kill-switch").json().get("engaged").asBoolean()).isFalse();
    } finally {
      api.delete("/api/ops/kill-switch");
    }
  }

  @Test
  void aWrongTokenIsRefusedAndLeavesTheDashboardClosed() throws IOException {
    browser.get(url("/ui/"));
    assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));
    screenshot("login");

    logIn(env.token + "-wrong");

    assertThat(browser.findElement(By.id("login-error")).getText()).isEqualTo("That is not a valid API key.");
    assertThat(browser.manage().getCookieNamed("opsagent_session")).isNull();
    browser.get(url("/ui/tenants/" + acme));
    assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));
    assertThat(browser.getPageSource()).doesNotContain("acme");
  }

  @Test
  void aButtonWhoseFormLostItsCsrfTokenIsRefusedWith403AndChangesNothing() {
    logIn(env.token);
    WebElement row = tenantRow("quiet");
    assertThat(row.getText()).contains("enabled");
    js("document.querySelectorAll('tr.tenant input[name=csrf]').forEach(function (i) { i.remove(); });");

    row.findElement(By.className("disable")).click();

    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("flash")).getText(),
        t -> t.equals("Refused (HTTP 403)."));
    assertThat(api.get("/api/tenants/" + tenantId("quiet") + "/ops/schedule").json().get("enabled").asBoolean())
        .isTrue();

    browser.navigate().refresh();
    tenantRow("quiet").findElement(By.className("disable")).click();
    await().atMost(WAIT).ignoreExceptions().until(() -> tenantRow("quiet").getText().contains("disabled"));
    assertThat(api.get("/api/tenants/" + tenantId("quiet") + "/ops/schedule").json().get("enabled").asBoolean())
        .as("the same button with its token works").isFalse();
  }

  private List<String> tenantNames() {
    return browser.findElements(By.cssSelector("tr.tenant .tenant-name")).stream().map(WebElement::getText).toList();
  }

  private WebElement manualRunWithDeliveredAlert() {
    for (WebElement d : browser.findElements(By.cssSelector("details[data-run]"))) {
      String summary = d.findElement(By.tagName("summary")).getText();
      if (summary.contains("completed") && summary.contains("manual") && summary.contains("(delivered)")) {
        return d;
      }
    }
    return null;
  }

  private void logIn(String token) {
    browser.get(url("/ui/login"));
    browser.findElement(By.id("token")).sendKeys(token);
    WebElement submit = browser.findElement(By.id("login"));
    submit.click();
    // the answer to the form is a new page (the overview, or the login page with its error): wait
    // until the page that was submitted is gone, so callers look at the answer, not at the form
    await().atMost(WAIT).until(() -> {
      try {
        submit.isEnabled();
        return false;
      } catch (org.openqa.selenium.StaleElementReferenceException gone) {
        return true;
      }
    });
  }

  /** The tenant's row once the page (or its live refresh) shows it. */
  private WebElement tenantRow(String name) {
    return await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElements(By.cssSelector("tr.tenant"))
        .stream().filter(r -> r.findElement(By.className("tenant-name")).getText().equals(name))
        .findFirst(), java.util.Optional::isPresent).orElseThrow();
  }

  private static String tenantId(String name) {
    for (JsonNode t : api.get("/api/tenants").json()) {
      if (t.get("name").asText().equals(name)) {
        return t.get("id").asText();
      }
    }
    throw new AssertionError("no tenant " + name);
  }

  private void assertNoDialog() {
    assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  private void screenshot(String name) throws IOException {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SHOTS.resolve(name + ".png"), png);
  }

  private static String url(String path) {
    return "http://localhost:" + worker.httpPort() + path;
  }

  /** The fake model: a FAILED deployment gets a critical alert and a recorded reason, then a summary. */
  private static FakeMessagesApi.Reply sre(JsonNode request) {
    if (request.path("messages").size() > 1) {
      return model.text("Paged the on-call.", 900, 40);
    }
    JsonNode failed = SreScript.stateOf(request).path("failed");
    if (failed.isEmpty()) {
      return model.text(SreScript.ALL_CLEAR, 800, 20);
    }
    JsonNode d = failed.get(0);
    String alert = JSON.createObjectNode().put("workspaceId", d.path("workspaceId").asText())
        .put("deploymentId", d.path("deploymentId").asText())
        .put("severity", "critical").put("title", d.path("name").asText() + " is FAILED")
        .put("body", "Please look at it.").toString();
    String loud = JSON.createObjectNode().put("workspaceId", d.path("workspaceId").asText())
        .put("severity", "loud").put("title", "again").put("body", "louder").toString();
    String record = JSON.createObjectNode().put("action", "alerted").put("reasoning", RECORDED)
        .put("result", "on-call paged").toString();
    return model.toolUseSaying(REASONING, 850, 60, "sendAlert", alert, "sendAlert", loud, "recordAction", record);
  }

  private static String chromium() {
    return System.getenv().getOrDefault("OPSAGENT_TEST_CHROMIUM", "/usr/bin/chromium");
  }

  private static String chromedriver() {
    return System.getenv().getOrDefault("OPSAGENT_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
  }
}
