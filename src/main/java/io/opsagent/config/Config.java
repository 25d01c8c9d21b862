package io.opsagent.config;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Every setting of opsagent, read once from the environment and validated before anything starts.
 *
 * <p>Every default lives here (and in the README's configuration table), nowhere else. A bad value
 * fails fast with a {@link ConfigException} naming the variable, so a typo never turns into a
 * silently different behaviour. Secrets held here ({@link #anthropicApiKey()}, {@link #dbPassword()},
 * {@link #smtp()}'s password, {@link #apiToken()}, {@link #secretKey()}, {@link #auditKey()},
 * {@link #auditKeyPrevious()}) are masked by {@link #toString()}.
 */
public record Config(
    String dbUrl,
    String dbUser,
    String dbPassword,
    Optional<String> redisUrl,
    Optional<String> anthropicApiKey,
    String anthropicBaseUrl,
    String model,
    Duration llmTimeout,
    int llmMaxRetries,
    int httpPort,
    Optional<String> apiToken,
    Duration cycleInterval,
    int opsConcurrency,
    int deploymentConcurrency,
    Duration pollInterval,
    Duration heartbeatInterval,
    boolean allowPrivateWebhooks,
    Smtp smtp,
    int notifyMaxAttempts,
    Duration notifyBackoff,
    int notifyConcurrency,
    int maxStepsPerCycle,
    int maxActionsPerCycle,
    Map<String, Duration> actionCooldowns,
    Duration alertCooldown,
    Duration circuitPause,
    Duration fullReviewInterval,
    Map<String, ModelPrice> modelPrices,
    // logging, secrets at rest, retention
    LogFormat logFormat,
    Optional<SecretKey> secretKey,
    Duration retention,
    // platform actions (restart, rollback)
    Actions actions,
    // incidents
    Duration incidentReminder,
    // trust controls
    int dailyTokenBudget,
    String defaultMode,
    // the page guarantee
    Paging paging,
    // the audit chain's key (HMAC-SHA-256), and the one before a rotation
    Optional<SecretKey> auditKey,
    Optional<SecretKey> auditKeyPrevious,
    // who may reach the HTTP server, and from where
    Http http,
    // the investigation tools (logs, health probes, metrics)
    InvestigationConfig investigation) {

  public static final String DEFAULT_MODEL = "claude-sonnet-4-5";
  /** USD per million tokens (input/output/cache write/cache read) of the default model. */
  public static final String DEFAULT_MODEL_PRICES = DEFAULT_MODEL + "=3/15/3.75/0.30";
  public static final String DEFAULT_EMBEDDED_DB_URL =
      "jdbc:hsqldb:file:./data/opsagent;sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";

  /** SMTP settings for email channels; {@code host} empty means email channels cannot deliver. */
  public record Smtp(
      Optional<String> host, int port, String user, String password, String from, boolean startTls) {
    @Override
    public String toString() {
      return "Smtp[host=" + host.orElse("-") + ", port=" + port + ", user=" + user
          + ", password=" + (password.isEmpty() ? "" : "***") + ", from=" + from
          + ", startTls=" + startTls + "]";
    }
  }

  /**
   * How log lines are written ({@code OPSAGENT_LOG_FORMAT}); read by {@code logback.xml} itself, here
   * so that a bad value stops the start like any other setting.
   */
  public enum LogFormat {
    TEXT, JSON;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The platform control endpoint and the limits of the agent's actions. {@code controlUrl} empty
   * means read-only: no mutating tool is offered. The secret is masked by {@link #toString()}.
   */
  public record Actions(Optional<URI> controlUrl, Optional<String> controlSecret,
      Duration verifyTimeout, Duration lockout, int maxPerTenantHour, Duration retryBackoff) {
    public boolean enabled() {
      return controlUrl.isPresent();
    }

    @Override
    public String toString() {
      return "Actions[controlUrl=" + controlUrl.map(u -> maskUserInfo(u.toString())).orElse("unset")
          + ", controlSecret=" + (controlSecret.isPresent() ? "***" : "unset")
          + ", verifyTimeout=" + verifyTimeout + ", lockout=" + lockout
          + ", maxPerTenantHour=" + maxPerTenantHour + ", retryBackoff=" + retryBackoff + "]";
    }
  }

  /**
   * How code makes sure a failure reaches a person: {@code onReport} pages a FAILED/DEGRADED report
   * at once ({@code OPSAGENT_PAGE_ON_REPORT}); the watchdog pages a deployment failing for
   * {@code watchdogAfter} with no page, looking every {@code watchdogInterval}; a delivery is retried
   * until it reaches its receiver or {@code notifyGiveUp} has passed, at most {@code notifyMaxBackoff}
   * apart; the model's pages are capped at {@code maxAlertsPerTenantHour} per tenant.
   */
  public record Paging(boolean onReport, Duration watchdogAfter, Duration watchdogInterval,
      Duration notifyGiveUp, Duration notifyMaxBackoff, int maxAlertsPerTenantHour) {}

  /**
   * The HTTP server's address ({@code OPSAGENT_HTTP_BIND}; empty: the command's default, 0.0.0.0 for
   * {@code worker}, 127.0.0.1 for {@code demo}) and the proxies whose {@code X-Forwarded-For} names
   * the client ({@code OPSAGENT_TRUSTED_PROXIES}, IPs or CIDRs; for throttling and logs).
   */
  public record Http(Optional<String> bind, List<String> trustedProxies) {
    public Http {
      trustedProxies = List.copyOf(trustedProxies);
    }

    /** The address to bind, {@code fallback} when unset. */
    public String bindOr(String fallback) {
      return bind.orElse(fallback);
    }
  }

  public Config {
    actionCooldowns = Map.copyOf(actionCooldowns);
    modelPrices = Map.copyOf(modelPrices);
  }

  /** The price of {@link #model()}, if the price table has it (else runs record no cost). */
  public Optional<ModelPrice> modelPrice() {
    return Optional.ofNullable(modelPrices.get(model));
  }

  public static Config fromEnv() {
    return fromEnv(System.getenv());
  }

  /** Parses and validates; throws {@link ConfigException} listing every bad variable at once. */
  public static Config fromEnv(Map<String, String> env) {
    Parser p = new Parser(env);
    Config config = new Config(
        p.string("OPSAGENT_DB_URL", DEFAULT_EMBEDDED_DB_URL),
        p.string("OPSAGENT_DB_USER", ""),
        p.string("OPSAGENT_DB_PASSWORD", ""),
        p.optional("OPSAGENT_REDIS_URL"),
        p.optional("ANTHROPIC_API_KEY"),
        p.url("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
        p.string("OPSAGENT_MODEL", DEFAULT_MODEL),
        p.duration("OPSAGENT_LLM_TIMEOUT", "PT60S"),
        p.integer("OPSAGENT_LLM_MAX_RETRIES", 3, 0, 10),
        p.integer("OPSAGENT_HTTP_PORT", 8080, 0, 65535),
        p.optional("OPSAGENT_API_TOKEN"),
        p.duration("OPSAGENT_CYCLE_INTERVAL", "PT5M"),
        p.integer("OPSAGENT_OPS_CONCURRENCY", 1, 1, 256),
        p.integer("OPSAGENT_DEPLOYMENT_CONCURRENCY", 4, 1, 256),
        p.duration("OPSAGENT_POLL_INTERVAL", "PT2S"),
        p.duration("OPSAGENT_HEARTBEAT_INTERVAL", "PT8S"),
        p.bool("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", false),
        new Smtp(
            p.optional("OPSAGENT_SMTP_HOST"),
            p.integer("OPSAGENT_SMTP_PORT", 25, 1, 65535),
            p.string("OPSAGENT_SMTP_USER", ""),
            p.string("OPSAGENT_SMTP_PASSWORD", ""),
            p.string("OPSAGENT_SMTP_FROM", "opsagent@localhost"),
            p.bool("OPSAGENT_SMTP_STARTTLS", false)),
        p.integer("OPSAGENT_NOTIFY_MAX_ATTEMPTS", 0, 1, 10_000), // 0: no cap, OPSAGENT_NOTIFY_GIVE_UP decides
        p.duration("OPSAGENT_NOTIFY_BACKOFF", "PT2S"),
        p.integer("OPSAGENT_NOTIFY_CONCURRENCY", 8, 1, 256),
        p.integer("OPSAGENT_MAX_STEPS", 8, 1, 50),
        p.integer("OPSAGENT_MAX_ACTIONS_PER_CYCLE", 5, 0, 100),
        p.durations("OPSAGENT_ACTION_COOLDOWNS", "restart=PT30M,update=PT1H,scale=PT30M"),
        p.duration("OPSAGENT_ALERT_COOLDOWN", "PT1H"),
        p.duration("OPSAGENT_CIRCUIT_PAUSE", "PT30M"),
        p.duration("OPSAGENT_FULL_REVIEW_INTERVAL", "PT6H"),
        p.prices("OPSAGENT_MODEL_PRICES", DEFAULT_MODEL_PRICES),
        // logging, secrets at rest, retention
        p.logFormat("OPSAGENT_LOG_FORMAT"),
        p.secretKey("OPSAGENT_SECRET_KEY", "AES"),
        p.duration("OPSAGENT_RETENTION", "P90D"),
        // platform actions (restart, rollback)
        p.actions(),
        // incidents
        p.duration("OPSAGENT_INCIDENT_REMINDER", "PT4H"),
        // trust controls
        p.integer("OPSAGENT_DAILY_TOKEN_BUDGET", 500_000, 0, Integer.MAX_VALUE),
        p.oneOf("OPSAGENT_DEFAULT_MODE", "live", List.of("live", "dry-run")),
        // the page guarantee
        new Paging(
            p.bool("OPSAGENT_PAGE_ON_REPORT", true),
            p.duration("OPSAGENT_WATCHDOG_AFTER", "PT60S"),
            p.duration("OPSAGENT_WATCHDOG_INTERVAL", "PT15S"),
            p.duration("OPSAGENT_NOTIFY_GIVE_UP", "PT24H"),
            p.duration("OPSAGENT_NOTIFY_MAX_BACKOFF", "PT30S"),
            p.integer("OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR", 20, 1, 100_000)),
        // the audit chain's key, and the one before a rotation
        p.secretKey("OPSAGENT_AUDIT_KEY", "HmacSHA256"),
        p.secretKey("OPSAGENT_AUDIT_KEY_PREVIOUS", "HmacSHA256"),
        new Http(p.address("OPSAGENT_HTTP_BIND"), p.addresses("OPSAGENT_TRUSTED_PROXIES")),
        // the investigation tools
        InvestigationConfig.parse(p::optional, p::error));
    if (config.auditKeyPrevious().isPresent() && config.auditKey().isEmpty()) {
      p.error("OPSAGENT_AUDIT_KEY_PREVIOUS is set but OPSAGENT_AUDIT_KEY is not: the previous key only"
          + " verifies runs chained before a rotation; set the new key as OPSAGENT_AUDIT_KEY");
    }
    p.throwIfErrors();
    return config;
  }

  public boolean embeddedDatabase() {
    return dbUrl.startsWith("jdbc:hsqldb:");
  }

  /**
   * The cooldown of a mutating action, looked up by its tool name ({@code restartDeployment}), then by
   * the tool's leading verb ({@code restart}); actions without either get {@code defaultFor}.
   */
  public Duration cooldownOf(String action, Duration defaultFor) {
    Duration exact = actionCooldowns.get(action);
    if (exact != null) {
      return exact;
    }
    int verbEnd = 0;
    while (verbEnd < action.length() && !Character.isUpperCase(action.charAt(verbEnd))) {
      verbEnd++;
    }
    return actionCooldowns.getOrDefault(action.substring(0, verbEnd), defaultFor);
  }

  @Override
  public String toString() {
    return "Config[dbUrl=" + maskedDbUrl() + ", dbUser=" + dbUser
        + ", redis=" + redisUrl.map(Config::maskUserInfo).orElse("in-memory")
        + ", llm=" + (anthropicApiKey.isPresent() ? "claude(" + model + " @ " + anthropicBaseUrl + ")" : "rules")
        + ", httpPort=" + httpPort + ", cycleInterval=" + cycleInterval
        + ", opsConcurrency=" + opsConcurrency + ", deploymentConcurrency=" + deploymentConcurrency
        + ", allowPrivateWebhooks=" + allowPrivateWebhooks + ", smtp=" + smtp
        + ", maxActionsPerCycle=" + maxActionsPerCycle + ", actionCooldowns=" + actionCooldowns
        + ", alertCooldown=" + alertCooldown + ", circuitPause=" + circuitPause
        + ", fullReviewInterval=" + fullReviewInterval + ", modelPrices=" + modelPrices
        + ", logFormat=" + logFormat.wire() + ", secretKey=" + (secretKey.isPresent() ? "***" : "unset")
        + ", retention=" + retention + ", actions=" + actions + ", incidentReminder=" + incidentReminder
        + ", dailyTokenBudget=" + dailyTokenBudget + ", defaultMode=" + defaultMode + ", paging=" + paging
        + ", auditKey=" + (auditKey.isPresent() ? "***" : "unset")
        + ", auditKeyPrevious=" + (auditKeyPrevious.isPresent() ? "***" : "unset") + ", http=" + http
        + ", investigation=" + investigation + "]";
  }

  /** The database URL with any password in it masked, for logs and messages. */
  public String maskedDbUrl() {
    return maskUserInfo(dbUrl).replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  static String maskUserInfo(String url) {
    return url.replaceAll("//[^/@]*@", "//***@");
  }

  /** Collects every problem before failing, so one start shows all bad settings. */
  private static final class Parser {
    private final Map<String, String> env;
    private final List<String> errors = new ArrayList<>();

    Parser(Map<String, String> env) {
      this.env = env;
    }

    private Optional<String> raw(String name) {
      String v = env.get(name);
      return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** An IP address to bind, if set. */
    Optional<String> address(String name) {
      Optional<String> v = optional(name).map(String::strip);
      if (v.isPresent() && !new inet.ipaddr.IPAddressString(v.get()).isIPAddress()) {
        error(name + " must be an IP address to bind (0.0.0.0 for every interface, 127.0.0.1 for this host only), got '"
            + v.get() + "'");
        return Optional.empty();
      }
      return v;
    }

    /** A comma-separated list of IP addresses or CIDRs; empty when unset. */
    List<String> addresses(String name) {
      List<String> out = new ArrayList<>();
      for (String part : optional(name).orElse("").split(",")) {
        String a = part.strip();
        if (a.isEmpty()) {
          continue;
        }
        if (new inet.ipaddr.IPAddressString(a).getAddress() == null) {
          error(name + " must list IP addresses or CIDRs separated by commas, got '" + a + "'");
        } else {
          out.add(a);
        }
      }
      return out;
    }

    Optional<String> optional(String name) {
      return raw(name);
    }

    String string(String name, String def) {
      return raw(name).orElse(def);
    }

    String url(String name, String def) {
      String v = raw(name).orElse(def);
      try {
        URI uri = URI.create(v);
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
          errors.add(name + " must be an http(s) URL, got '" + v + "'");
        }
      } catch (IllegalArgumentException e) {
        errors.add(name + " must be an http(s) URL, got '" + v + "'");
      }
      return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    int integer(String name, int def, int min, int max) {
      Optional<String> v = raw(name);
      if (v.isEmpty()) {
        return def;
      }
      try {
        int n = Integer.parseInt(v.get());
        if (n < min || n > max) {
          errors.add(name + " must be between " + min + " and " + max + ", got " + n);
          return def;
        }
        return n;
      } catch (NumberFormatException e) {
        errors.add(name + " must be an integer, got '" + v.get() + "'");
        return def;
      }
    }

    boolean bool(String name, boolean def) {
      Optional<String> v = raw(name);
      if (v.isEmpty()) {
        return def;
      }
      switch (v.get().toLowerCase()) {
        case "true", "1", "yes":
          return true;
        case "false", "0", "no":
          return false;
        default:
          errors.add(name + " must be true or false, got '" + v.get() + "'");
          return def;
      }
    }

    Duration duration(String name, String def) {
      String v = raw(name).orElse(def);
      Duration d = parseDuration(name, v);
      return d == null ? Duration.parse(def) : d;
    }

    /** {@code action=ISO-duration} pairs separated by commas, e.g. {@code restart=PT30M}. */
    Map<String, Duration> durations(String name, String def) {
      String v = raw(name).orElse(def);
      Map<String, Duration> out = new LinkedHashMap<>();
      for (String pair : v.split(",")) {
        String[] kv = pair.trim().split("=", 2);
        if (kv.length != 2 || kv[0].isBlank()) {
          errors.add(name + " must be a list like restart=PT30M,update=PT1H, got '" + v + "'");
          return Map.of();
        }
        Duration d = parseDuration(name, kv[1].trim());
        if (d != null) {
          out.put(kv[0].trim(), d);
        }
      }
      return out;
    }

    /** {@code model=in/out[/cacheWrite/cacheRead]} entries separated by commas (USD per million). */
    Map<String, ModelPrice> prices(String name, String def) {
      String v = raw(name).orElse(def);
      Map<String, ModelPrice> out = new LinkedHashMap<>();
      for (String entry : v.split(",")) {
        String[] kv = entry.trim().split("=", 2);
        String[] p = kv.length == 2 ? kv[1].trim().split("/") : new String[0];
        try {
          if (kv[0].isBlank() || (p.length != 2 && p.length != 4)) {
            throw new NumberFormatException();
          }
          ModelPrice price = p.length == 2 ? ModelPrice.of(p[0], p[1]) : new ModelPrice(
              new java.math.BigDecimal(p[0]), new java.math.BigDecimal(p[1]),
              new java.math.BigDecimal(p[2]), new java.math.BigDecimal(p[3]));
          if (price.input().signum() < 0 || price.output().signum() < 0
              || price.cacheWrite().signum() < 0 || price.cacheRead().signum() < 0) {
            throw new NumberFormatException();
          }
          out.put(kv[0].trim(), price);
        } catch (NumberFormatException e) {
          errors.add(name + " must be a list like claude-sonnet-4-5=3/15/3.75/0.30 (USD per million"
              + " tokens: input/output[/cacheWrite/cacheRead]), got '" + v + "'");
          return Map.of();
        }
      }
      return out;
    }

    private Duration parseDuration(String name, String v) {
      try {
        Duration d = Duration.parse(v);
        if (d.isNegative() || d.isZero()) {
          errors.add(name + " must be a positive ISO-8601 duration, got '" + v + "'");
          return null;
        }
        return d;
      } catch (DateTimeParseException e) {
        errors.add(name + " must be an ISO-8601 duration such as PT5M, got '" + v + "'");
        return null;
      }
    }

    LogFormat logFormat(String name) {
      String v = raw(name).orElse("text");
      for (LogFormat f : LogFormat.values()) {
        if (f.wire().equals(v)) {
          return f;
        }
      }
      errors.add(name + " must be text or json, got '" + v + "'");
      return LogFormat.TEXT;
    }

    /**
     * Base64 of exactly 32 bytes (an AES-256 or HMAC-SHA-256 key, by {@code algorithm}); the value
     * itself never appears in a message.
     */
    Optional<SecretKey> secretKey(String name, String algorithm) {
      Optional<String> v = raw(name);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(v.get());
      } catch (IllegalArgumentException e) {
        errors.add(name + " must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`); "
            + "it is not valid base64");
        return Optional.empty();
      }
      if (key.length != 32) {
        errors.add(name + " must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`); "
            + "it decodes to " + key.length + " bytes");
        return Optional.empty();
      }
      return Optional.of(new SecretKeySpec(key, algorithm));
    }

    /** The control URL needs its signing secret: an unsigned control request is never sent. */
    Actions actions() {
      Optional<URI> url = Optional.empty();
      if (raw("OPSAGENT_PLATFORM_CONTROL_URL").isPresent()) {
        int before = errors.size();
        String v = url("OPSAGENT_PLATFORM_CONTROL_URL", "");
        url = errors.size() > before ? Optional.empty() : Optional.of(URI.create(v));
      }
      Optional<String> secret = raw("OPSAGENT_PLATFORM_CONTROL_SECRET");
      if (secret.isPresent() && secret.get().startsWith("whsec_")) {
        try {
          if (Base64.getDecoder().decode(secret.get().substring("whsec_".length())).length == 0) {
            throw new IllegalArgumentException();
          }
        } catch (IllegalArgumentException e) {
          errors.add("OPSAGENT_PLATFORM_CONTROL_SECRET starts with whsec_ but the rest is not base64");
        }
      }
      if (url.isPresent() && secret.isEmpty()) {
        errors.add("OPSAGENT_PLATFORM_CONTROL_URL is set but OPSAGENT_PLATFORM_CONTROL_SECRET is not:"
            + " control requests must be signed; set the secret the platform verifies, or unset the URL"
            + " to keep the agent read-only");
      }
      return new Actions(url, secret,
          duration("OPSAGENT_ACTION_VERIFY_TIMEOUT", "PT5M"),
          duration("OPSAGENT_ACTION_LOCKOUT", "PT6H"),
          integer("OPSAGENT_MAX_ACTIONS_PER_TENANT_HOUR", 3, 0, 1000),
          duration("OPSAGENT_ACTION_RETRY_BACKOFF", "PT10S"));
    }

    String oneOf(String name, String def, List<String> allowed) {
      Optional<String> v = raw(name);
      if (v.isEmpty()) {
        return def;
      }
      if (!allowed.contains(v.get())) {
        errors.add(name + " must be one of " + allowed + ", got '" + v.get() + "'");
        return def;
      }
      return v.get();
    }

    void error(String message) {
      errors.add(message);
    }

    void throwIfErrors() {
      if (!errors.isEmpty()) {
        throw new ConfigException(errors);
      }
    }
  }
}
