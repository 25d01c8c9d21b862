package io.opsagent.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.JsonBody;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what over HTTP, installed on the server before any route: the bootstrap token
 * ({@code OPSAGENT_API_TOKEN}, an admin) and the scoped {@link ApiKeys}; the route table of
 * {@link AccessPolicy} (403 for a role a route does not take); tenant scoping (another tenant's
 * tenant, workspace, deployment, run, incident or channel answers 404, as if missing); the per
 * address throttle of failed authentications ({@link AuthThrottle}, 429 with {@code Retry-After});
 * and the record of who did what ({@link WhoDidIt}).
 */
public final class Access {
  private static final Logger log = LoggerFactory.getLogger(Access.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROUTE_ATTRIBUTE = "opsagent.route";

  private final byte[] bootstrap;
  private final String bootstrapFingerprint;
  private final Optional<Jdbi> jdbi;
  private final Optional<ApiKeys> keys;
  private final Optional<WhoDidIt> who;
  private final Optional<RecordedActions> recorder;
  private final AccessPolicy policy = new AccessPolicy();
  private final AuthThrottle throttle;
  private final ClientAddress addresses;

  private Access(String apiToken, Jdbi jdbi, List<String> trustedProxies, Clock clock) {
    this.bootstrap = apiToken.getBytes(StandardCharsets.UTF_8);
    this.bootstrapFingerprint = ApiKeys.hash("bootstrap fingerprint " + apiToken).substring(0, 32);
    this.jdbi = Optional.ofNullable(jdbi);
    this.keys = this.jdbi.map(j -> new ApiKeys(j, clock));
    this.who = this.jdbi.map(j -> new WhoDidIt(j, clock));
    this.recorder = who.map(RecordedActions::new);
    this.throttle = new AuthThrottle(clock);
    this.addresses = new ClientAddress(trustedProxies);
  }

  /** The bootstrap token and the keys, sessions and records of {@code jdbi}'s database. */
  public static Access of(String apiToken, Jdbi jdbi, List<String> trustedProxies, Clock clock) {
    return new Access(apiToken, jdbi, trustedProxies, clock);
  }

  /** Only the bootstrap token (no database): a server of a few routes, in tests. */
  public static Access tokenOnly(String apiToken) {
    return new Access(apiToken, null, List.of(), Clock.systemUTC());
  }

  public AccessPolicy policy() {
    return policy;
  }

  public Optional<ApiKeys> keys() {
    return keys;
  }

  public Optional<WhoDidIt> who() {
    return who;
  }

  /** The client address of a request (for throttling and logs). */
  public String address(Context ctx) {
    return addresses.of(ctx);
  }

  /** The caller {@code secret} names: the bootstrap token or a live key. */
  public Optional<Caller> authenticate(String secret) {
    if (secret == null) {
      return Optional.empty();
    }
    if (MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), bootstrap)) {
      return Optional.of(Caller.bootstrap());
    }
    return keys.flatMap(k -> k.authenticate(secret));
  }

  /** The caller a stored session's key id stands for, if that key still works. */
  public Optional<Caller> sessionCaller(String keyId) {
    if (keyId.equals(bootstrapSessionKey())) {
      return Optional.of(Caller.bootstrap());
    }
    return keyId.startsWith(Caller.BOOTSTRAP_ID) ? Optional.empty() : keys.flatMap(k -> k.live(keyId));
  }

  /** What a session of {@code caller} stores as its key id (the bootstrap's changes with the token). */
  public String sessionKey(Caller caller) {
    return caller.keyId().equals(Caller.BOOTSTRAP_ID) ? bootstrapSessionKey() : caller.keyId();
  }

  private String bootstrapSessionKey() {
    return Caller.BOOTSTRAP_ID + ":" + bootstrapFingerprint;
  }

  /** Counts a failed authentication of the request's address; throws 429 when it was one too many. */
  public void failed(Context ctx) {
    String address = address(ctx);
    Optional<Duration> wait = throttle.failed(address);
    if (wait.isPresent()) {
      log.warn("authentication throttled remote={} retryAfterSeconds={}", address, wait.get().toSeconds());
      throw tooMany(ctx, wait.get());
    }
  }

  /** Sets the request's caller (the dashboard's session sets it for {@code /ui}). */
  public static void setCaller(Context ctx, Caller caller) {
    ctx.attribute(Caller.ATTRIBUTE, caller);
  }

  /** Installs the handlers on {@code app}; before any route is registered. */
  public void install(Javalin app) {
    app.before(ctx -> {
      if (guarded(ctx.path())) {
        Optional<Duration> wait = throttle.throttled(address(ctx));
        if (wait.isPresent()) {
          throw tooMany(ctx, wait.get());
        }
      }
    });
    app.before("/api/*", this::authenticateBearer);
    app.beforeMatched(this::authorize);
    app.afterMatched(this::recordWhoDidIt);
  }

  private static boolean guarded(String path) {
    return path.startsWith("/api/") || path.equals("/api") || path.startsWith("/ui/") || path.equals("/ui");
  }

  private void authenticateBearer(Context ctx) {
    String header = ctx.header("Authorization");
    Optional<Caller> caller = header != null && header.startsWith("Bearer ")
        ? authenticate(header.substring("Bearer ".length())) : Optional.empty();
    if (caller.isEmpty()) {
      if (header != null) {
        failed(ctx);
      }
      throw new ApiException(401, "missing or wrong bearer token");
    }
    setCaller(ctx, caller.get());
  }

  private void authorize(Context ctx) {
    String method = ctx.method().name();
    String template = ctx.endpointHandlerPath();
    ctx.attribute(ROUTE_ATTRIBUTE, template);
    if (policy.isOpen(method, template)) {
      return;
    }
    Caller caller = ctx.attribute(Caller.ATTRIBUTE);
    if (caller == null) {
      if (!guarded(ctx.path())) {
        // a route outside /api and /ui that the table does not list: refused, as any unlisted route
        throw new ApiException(403, "this route is not open");
      }
      return; // the dashboard answered already (login page or 401)
    }
    Set<Role> roles = policy.rolesFor(method, template);
    if (!caller.may(roles)) {
      throw new ApiException(403, roles.isEmpty() ? "this route is not open to any key"
          : "a " + caller.role().wire() + " key cannot do this");
    }
    scope(ctx, caller);
    if (method.equals("PUT") && template.equals("/api/tenants/{tenantId}/ops/settings")) {
      settingFields(ctx, caller);
    }
  }

  /** Another tenant's object answers 404 to a scoped key, as if it did not exist. */
  private void scope(Context ctx, Caller caller) {
    if (caller.tenantId() == null) {
      return;
    }
    var params = ctx.pathParamMap();
    if (params.containsKey("tenantId") && !caller.sees(params.get("tenantId"))) {
      throw ApiException.notFound("tenant");
    }
    if (params.containsKey("workspaceId")) {
      owner("workspaces", params.get("workspaceId")).filter(t -> !caller.sees(t))
          .ifPresent(t -> { throw ApiException.notFound("workspace"); });
    }
    if (params.containsKey("deploymentId")) {
      owner("deployments", params.get("deploymentId")).filter(t -> !caller.sees(t))
          .ifPresent(t -> { throw ApiException.notFound("deployment"); });
    }
  }

  private Optional<String> owner(String table, String id) {
    if (jdbi.isEmpty() || id.length() > 64) {
      return Optional.empty();
    }
    return jdbi.get().withHandle(h -> h.createQuery("SELECT tenant_id FROM " + table + " WHERE id = :id")
        .bind("id", id).mapTo(String.class).findOne());
  }

  /** The settings route changes the mode (admin, tenant) or the budget (admin, platform). */
  private static void settingFields(Context ctx, Caller caller) {
    JsonNode body;
    try {
      body = JSON.readTree(JsonBody.read(ctx));
    } catch (java.io.IOException e) {
      return; // the route answers 400
    }
    if (body == null || !body.isObject()) {
      return;
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!caller.may(AccessPolicy.rolesForSetting(field))) {
        throw new ApiException(403, "a " + caller.role().wire() + " key cannot change '" + field + "'");
      }
    }
  }

  private void recordWhoDidIt(Context ctx) {
    Caller caller = ctx.attribute(Caller.ATTRIBUTE);
    String template = ctx.attribute(ROUTE_ATTRIBUTE); // here, endpointHandlerPath() is this handler's own
    if (recorder.isEmpty() || caller == null || template == null || ctx.statusCode() >= 300) {
      return;
    }
    recorder.get().record(ctx, caller, template);
  }

  private static ApiException tooMany(Context ctx, Duration wait) {
    ctx.header("Retry-After", Long.toString(wait.toSeconds()));
    return new ApiException(429, "too many failed authentications from this address: retry in "
        + wait.toSeconds() + " s");
  }
}
