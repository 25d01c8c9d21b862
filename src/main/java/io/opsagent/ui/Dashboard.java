package io.opsagent.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.opsagent.action.ActionRepository;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.api.ApiServer;
import io.opsagent.api.auth.Access;
import io.opsagent.api.auth.Caller;
import io.opsagent.api.auth.Role;
import io.opsagent.api.auth.WhoDidIt;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.incident.Incident;
import io.opsagent.incident.Incidents;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.trust.KillSwitch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' dashboard under {@code /ui/}, on the API's port: the login form takes an API key
 * (or the bootstrap token) and opens a server-side session (an HttpOnly, SameSite=Strict cookie; see
 * {@link UiSession}) that every worker of the cluster accepts and that logout or revoking the key
 * ends at once; every state-changing form carries the session's CSRF token. The page shows what the
 * key's role allows: a tenant key sees its tenant only, and the buttons follow the route table of
 * {@link io.opsagent.api.auth.AccessPolicy} (which also refuses, 403, a post the role may not make). Pages are rendered on the server from jte templates compiled at build
 * time, which HTML-escape everything they print; the only script is a static file, and every page
 * is sent with a Content-Security-Policy that forbids inline script and style.
 *
 * <p>The pages: the tenants, failing first, searched by name and filtered by status; the open
 * incidents of every tenant the key sees; a tenant's status, incidents, actions, runs and usage over
 * a time range ({@code ?days=1|7|30}); a tenant's channels with their latest deliveries. Names come
 * first everywhere, each id in its tooltip and behind a "copy id" button.
 *
 * <p>Every page shows the cluster-wide kill switch at the top, with the button that engages it (with
 * a reason) or releases it, like {@code PUT} / {@code DELETE /api/ops/kill-switch}.
 */
public final class Dashboard implements ApiServer.Routes {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final Pattern BACK = Pattern.compile(
      "/ui/(incidents|tenants/[A-Za-z0-9_-]{1,64}(/channels|\\?days=(1|7|30))?)?");
  private static final Map<String, String> STATIC = Map.of(
      "dashboard.js", "text/javascript; charset=utf-8",
      "dashboard.css", "text/css; charset=utf-8");

  private final UiSession sessions;
  private final DashboardQueries queries;
  private final TenantRepository tenants;
  private final OpsScheduler scheduler;
  private final KillSwitch killSwitch;
  private final Incidents incidents;
  private final Access access;
  private final WhoDidIt who;
  private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);

  public Dashboard(Access access, Jdbi jdbi, ObjectMapper json, TenantStatusQuery statuses, RunRepository runs,
      TenantRepository tenants, DeploymentRepository deployments, OpsScheduler scheduler, KillSwitch killSwitch,
      Incidents incidents, ActionRepository actions, Clock clock) {
    this.access = access;
    this.who = access.who().orElseThrow(() -> new IllegalStateException("the dashboard needs a database"));
    this.sessions = new UiSession(jdbi, access, clock);
    this.queries = new DashboardQueries(jdbi, statuses, runs, deployments,
        new DashboardQueries.Sources(killSwitch, incidents, actions, who), json, clock);
    this.tenants = tenants;
    this.scheduler = scheduler;
    this.killSwitch = killSwitch;
    this.incidents = incidents;
  }

  @Override
  public java.util.List<io.opsagent.api.ApiRoute> routes() {
    return io.opsagent.api.openapi.DashboardPages.routes();
  }

  @Override
  public void register(Javalin app) {
    app.before(this::guard);
    app.get("/ui/login", ctx -> {
      if (session(ctx).isPresent()) {
        ctx.redirect("/ui/", HttpStatus.SEE_OTHER);
      } else {
        html(ctx, 200, "login.jte", "");
      }
    });
    app.post("/ui/login", this::login);
    app.post("/ui/logout", ctx -> {
      session(ctx).ifPresent(sessions::end);
      setCookie(ctx, "", 0);
      ctx.redirect("/ui/login", HttpStatus.SEE_OTHER);
    });
    app.get("/ui/static/{file}", this::staticFile);
    app.get("/ui/", ctx -> tenantsPage(ctx, "tenants.jte", queries.killSwitch()));
    app.get("/ui/fragments/tenants", ctx -> tenantsPage(ctx, "tenantRows.jte", null));
    app.get("/ui/incidents", ctx -> html(ctx, 200, "incidents.jte", incidentsPage(ctx, queries.killSwitch())));
    app.get("/ui/fragments/incidents", ctx -> html(ctx, 200, "incidentRows.jte", incidentsPage(ctx, null)));
    app.get("/ui/tenants/{tenantId}/channels", ctx -> channelsPage(ctx).ifPresent(page ->
        html(ctx, 200, "channels.jte", page)));
    app.get("/ui/tenants/{tenantId}/fragments/channels", ctx -> channelsPage(ctx).ifPresent(page ->
        html(ctx, 200, "channelList.jte", page)));
    app.get("/ui/fragments/kill-switch", ctx -> html(ctx, 200, "killSwitch.jte",
        new Views.Banner(queries.killSwitch(), csrf(ctx), back(ctx), can(ctx))));
    app.post("/ui/kill-switch/engage", this::engage);
    app.post("/ui/kill-switch/release", ctx -> {
      killSwitch.release();
      who.record(Caller.of(ctx), "kill-switch.release", null, null, null);
      log.warn("kill switch released from the dashboard remote={} key={}", access.address(ctx), Caller.of(ctx).keyId());
      respond(ctx, "The kill switch is released.");
    });
    app.get("/ui/tenants/{tenantId}", ctx -> live(ctx).ifPresent(live ->
        html(ctx, 200, "tenant.jte", new Views.TenantPage(live, queries.killSwitch(), csrf(ctx)))));
    app.get("/ui/tenants/{tenantId}/fragments/live", ctx -> live(ctx).ifPresent(live ->
        html(ctx, 200, "live.jte", live)));
    app.post("/ui/tenants/{tenantId}/run", ctx -> change(ctx, id -> {
      OpsScheduler.QueuedCycle q = scheduler.runNow(id, Trigger.MANUAL);
      who.record(Caller.of(ctx), "cycle.run", id, q.runId(), null);
      return q.pending() ? "A cycle is running: one more is queued after it." : "Cycle queued.";
    }));
    app.post("/ui/tenants/{tenantId}/incidents/{incidentId}/ack", ctx -> {
      if (incidents.acknowledge(ctx.pathParam("tenantId"), ctx.pathParam("incidentId")).isEmpty()) {
        ctx.status(404).contentType("text/plain; charset=utf-8").result("no such incident");
        return;
      }
      who.record(Caller.of(ctx), "incident.ack", ctx.pathParam("tenantId"), ctx.pathParam("incidentId"), null);
      respond(ctx, "Incident acknowledged: no more reminders for it.");
    });
    app.post("/ui/tenants/{tenantId}/enable", ctx -> change(ctx, id -> {
      scheduler.enable(id);
      who.record(Caller.of(ctx), "schedule.on", id, null, null);
      return "The agent is enabled.";
    }));
    app.post("/ui/tenants/{tenantId}/disable", ctx -> change(ctx, id -> {
      scheduler.disable(id);
      who.record(Caller.of(ctx), "schedule.off", id, null, null);
      return "The agent is disabled.";
    }));
  }

  /**
   * Before every {@code /ui} request: security headers; then a valid session (else the login page,
   * or 401 for what is not a page); then, for a POST, the session's CSRF token (else 403).
   */
  private void guard(Context ctx) {
    String path = ctx.path();
    if (!path.equals("/ui") && !path.startsWith("/ui/")) {
      return;
    }
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
    if (path.equals("/ui/login") || path.startsWith("/ui/static/")) {
      return;
    }
    Optional<UiSession.Session> session = session(ctx);
    if (session.isEmpty()) {
      if (ctx.method().name().equals("GET") && !path.contains("/fragments/")) {
        ctx.redirect("/ui/login", HttpStatus.SEE_OTHER);
      } else {
        ctx.status(401).contentType("text/plain; charset=utf-8").result("not logged in");
      }
      ctx.skipRemainingHandlers();
      return;
    }
    Access.setCaller(ctx, session.get().caller());
    ctx.attribute("csrf", session.get().csrfToken());
    if (!ctx.method().name().equals("GET") && !ctx.method().name().equals("HEAD")) {
      String given = ctx.header("X-CSRF-Token");
      if (given == null) {
        given = ctx.formParam("csrf");
      }
      if (!sessions.csrfMatches(session.get(), given)) {
        log.warn("dashboard request refused: missing or wrong CSRF token method={} path={}", ctx.method(), path);
        ctx.status(403).contentType("text/plain; charset=utf-8").result("missing or wrong CSRF token");
        ctx.skipRemainingHandlers();
      }
    }
  }

  private void login(Context ctx) {
    Optional<Caller> caller = access.authenticate(ctx.formParam("token"));
    if (caller.isEmpty()) {
      access.failed(ctx); // 429 once the address failed too often
      log.warn("dashboard login refused: wrong key remote={}", access.address(ctx));
      html(ctx, 401, "login.jte", "That is not a valid API key.");
      return;
    }
    log.info("dashboard login key={} role={} remote={}", caller.get().keyId(), caller.get().role().wire(),
        access.address(ctx));
    setCookie(ctx, sessions.issue(caller.get()), (int) UiSession.LIFETIME.toSeconds());
    ctx.redirect("/ui/", HttpStatus.SEE_OTHER);
  }

  /** Engages the kill switch; the form's reason is required (an operator says why). */
  private void engage(Context ctx) {
    String reason = ctx.formParam("reason");
    reason = reason == null ? "" : reason.strip();
    if (reason.isEmpty() || reason.length() > KillSwitch.MAX_REASON) {
      ctx.status(400).json(Map.of("error", "a reason of 1 to " + KillSwitch.MAX_REASON + " characters is required"));
      return;
    }
    killSwitch.engage(reason);
    who.record(Caller.of(ctx), "kill-switch.engage", null, null, null);
    log.warn("kill switch engaged from the dashboard remote={} key={} reason_chars={}", access.address(ctx),
        Caller.of(ctx).keyId(), reason.length());
    respond(ctx, "The kill switch is engaged: no model call and no platform action leaves any worker.");
  }

  /** A state change on an existing tenant: JSON for the page's script, a redirect for a plain form. */
  private void change(Context ctx, Function<String, String> action) {
    String tenantId = ctx.pathParam("tenantId");
    if (tenants.find(tenantId).isEmpty()) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("no such tenant");
      return;
    }
    respond(ctx, action.apply(tenantId));
  }

  private void respond(Context ctx, String message) {
    String accept = ctx.header("Accept");
    if (accept != null && accept.contains("application/json")) {
      ctx.json(Map.of("message", message));
      return;
    }
    ctx.redirect(back(ctx), HttpStatus.SEE_OTHER);
  }

  /** Where a plain form goes back to: the page it names, if it is one of ours; else the tenants page. */
  private static String back(Context ctx) {
    String back = ctx.formParam("back");
    if (back == null) {
      back = ctx.queryParam("back");
    }
    return back != null && BACK.matcher(back).matches() ? back : "/ui/";
  }

  private Optional<Views.Live> live(Context ctx) {
    String tenantId = ctx.pathParam("tenantId");
    Optional<Integer> days = days(ctx);
    if (days.isEmpty()) {
      return Optional.empty();
    }
    Optional<Views.TenantRow> tenant = tenant(ctx);
    if (tenant.isEmpty()) {
      return Optional.empty();
    }
    var open = queries.incidents(tenantId, Incident.Status.OPEN);
    var resolved = queries.incidents(tenantId, Incident.Status.RESOLVED);
    var timeline = queries.timeline(tenantId, days.get());
    return Optional.of(new Views.Live(tenant.get(), queries.attention(tenantId), queries.failingChannels(tenantId),
        open, resolved, queries.actions(tenantId), timeline, queries.usageChart(tenantId, days.get()), csrf(ctx),
        can(ctx), queries.whoDidIt(open, resolved, timeline), days.get()));
  }

  /** The path's tenant, or a 404 answered. */
  private Optional<Views.TenantRow> tenant(Context ctx) {
    Optional<Views.TenantRow> tenant = queries.tenant(ctx.pathParam("tenantId"));
    if (tenant.isEmpty()) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("no such tenant");
    }
    return tenant;
  }

  /** The time range asked for ({@code ?days=1|7|30}, 30 by default), or a 400 answered. */
  private static Optional<Integer> days(Context ctx) {
    String given = ctx.queryParam("days");
    if (given == null || given.isEmpty()) {
      return Optional.of(UsageChart.RANGES.get(0));
    }
    for (int d : UsageChart.RANGES) {
      if (given.equals(Integer.toString(d))) {
        return Optional.of(d);
      }
    }
    ctx.status(400).json(Map.of("error", "days must be one of " + UsageChart.RANGES));
    return Optional.empty();
  }

  /** The overview (or its rows), searched by {@code ?q=} and filtered by {@code ?status=}. */
  private void tenantsPage(Context ctx, String template, Views.KillSwitchView killSwitch) {
    String q = ctx.queryParam("q") == null ? "" : ctx.queryParam("q").strip();
    String status = ctx.queryParam("status") == null ? "" : ctx.queryParam("status");
    if (q.length() > 200) {
      ctx.status(400).json(Map.of("error", "q must be at most 200 characters"));
      return;
    }
    if (!status.isEmpty() && !Views.TenantFilter.STATUSES.contains(status)) {
      ctx.status(400).json(Map.of("error", "status must be one of " + Views.TenantFilter.STATUSES));
      return;
    }
    Views.TenantFilter filter = new Views.TenantFilter(q, status);
    Caller caller = Caller.of(ctx);
    DashboardQueries.Matched matched = caller.tenantId() == null ? queries.tenants(filter)
        : queries.tenants(filter, caller.tenantId());
    html(ctx, 200, template, new Views.TenantsPage(matched.rows(), killSwitch, csrf(ctx), can(ctx), filter,
        matched.count()));
  }

  /** Every open incident the key sees: a tenant key its tenant's only. */
  private Views.IncidentsPage incidentsPage(Context ctx, Views.KillSwitchView killSwitch) {
    Caller caller = Caller.of(ctx);
    return new Views.IncidentsPage(queries.openIncidents(Optional.ofNullable(caller.tenantId())), killSwitch,
        csrf(ctx), can(ctx), caller.tenantId() == null);
  }

  private Optional<Views.ChannelsPage> channelsPage(Context ctx) {
    return tenant(ctx).map(t -> new Views.ChannelsPage(t, queries.channels(t.id()), queries.killSwitch(), csrf(ctx),
        can(ctx)));
  }

  private void staticFile(Context ctx) {
    String name = ctx.pathParam("file");
    String type = STATIC.get(name);
    if (type == null) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("not found");
      return;
    }
    try (InputStream in = Dashboard.class.getResourceAsStream("/ui/" + name)) {
      ctx.header("Cache-Control", "no-cache");
      ctx.contentType(type).result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Which buttons the session's key may press (the route table decides). */
  private Views.Can can(Context ctx) {
    Caller c = Caller.of(ctx);
    Role r = c.role();
    var policy = access.policy();
    return new Views.Can(c.keyName(), r.wire(), policy.allows(r, "POST", "/ui/kill-switch/engage"),
        policy.allows(r, "POST", "/ui/tenants/{tenantId}/run"),
        policy.allows(r, "POST", "/ui/tenants/{tenantId}/incidents/{incidentId}/ack"),
        policy.allows(r, "POST", "/ui/tenants/{tenantId}/enable"));
  }

  private Optional<UiSession.Session> session(Context ctx) {
    return sessions.verify(ctx.cookie(UiSession.COOKIE));
  }

  private static String csrf(Context ctx) {
    return ctx.attribute("csrf");
  }

  private static void setCookie(Context ctx, String value, int maxAge) {
    ctx.header("Set-Cookie", UiSession.COOKIE + "=" + value + "; Path=/ui; Max-Age=" + maxAge
        + "; HttpOnly; SameSite=Strict" + ("https".equals(ctx.scheme()) ? "; Secure" : ""));
  }

  private void html(Context ctx, int status, String template, Object model) {
    StringOutput out = new StringOutput();
    templates.render(template, model, out);
    ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
  }
}
