package io.opsagent.config;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Every setting of opsagent, read once from the environment and validated before anything starts.
 *
 * <p>One record per concern ({@link Database}, {@link Llm}, {@link Api}, {@link Scheduling},
 * {@link Cycle}, {@link Cooldowns}, {@link Notifications}, {@link Actions}, {@link Paging},
 * {@link Audit}); each class is handed only the records it uses, and each record checks its own
 * values. Every default lives in {@link #fromEnv(Map)} (and in the README's configuration table),
 * nowhere else. A bad value fails fast with a {@link ConfigException} in one form,
 * {@code NAME: expected <accepted form>, got "<value>"}, so a typo never turns into a silently
 * different behaviour. Secrets (the API key, the database password, the SMTP password, the API
 * token, the channel key, the audit keys) are masked by every {@code toString()}.
 */
public record Config(
    Database database,
    Llm llm,
    Api api,
    Scheduling scheduling,
    Cycle cycle,
    Cooldowns cooldowns,
    Notifications notifications,
    Actions actions,
    Paging paging,
    Audit audit,
    // logging, incidents
    LogFormat logFormat,
    Duration incidentReminder,
    // who may reach the HTTP server, and from where
    Http http,
    // the investigation tools (logs, health probes, metrics)
    InvestigationConfig investigation,
    // the Alertmanager webhook
    Alertmanager alertmanager) {

  public static final String DEFAULT_MODEL = "claude-sonnet-4-5";
  /** USD per million tokens (input/output/cache write/cache read) of the default model. */
  public static final String DEFAULT_MODEL_PRICES = DEFAULT_MODEL + "=3/15/3.75/0.30";
  public static final String DEFAULT_EMBEDDED_DB_URL =
      "jdbc:hsqldb:file:./data/opsagent;sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";

  /** The database ({@code OPSAGENT_DB_*}); the password is masked by {@link #toString()}. */
  public record Database(String url, String user, String password) {
    public Database {
      requireText(url, "OPSAGENT_DB_URL");
      Objects.requireNonNull(user, "OPSAGENT_DB_USER");
      Objects.requireNonNull(password, "OPSAGENT_DB_PASSWORD");
    }

    public boolean embedded() {
      return url.startsWith("jdbc:hsqldb:");
    }

    /** The URL with any password in it masked, for logs and messages. */
    public String maskedUrl() {
      return maskUserInfo(url).replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public String toString() {
      return "Database[url=" + maskedUrl() + ", user=" + user + "]";
    }
  }

  /**
   * The model ({@code OPSAGENT_MODEL_PROVIDER}, {@code OPSAGENT_MODEL_*}, {@code ANTHROPIC_*},
   * {@code OPENAI_API_KEY}, {@code OPSAGENT_LLM_*}, {@code OPSAGENT_MODEL_PRICES}); when no model is
   * {@link #configured()}, the rules engine decides. The key is masked.
   */
  public record Llm(Provider provider, Optional<String> apiKey, String baseUrl, String model, Duration timeout,
      int maxRetries, Map<String, ModelPrice> prices) {
    /** Who answers the model calls: a wire format and its default endpoint. */
    public enum Provider implements io.opsagent.Wire {
      ANTHROPIC("https://api.anthropic.com"),
      /** The Chat Completions wire format: OpenAI, Azure OpenAI, vLLM, Ollama, LM Studio. */
      OPENAI("https://api.openai.com/v1"),
      /** Claude on Amazon Bedrock: the AWS default credential chain and region; "" = the region's endpoint. */
      BEDROCK("");

      private final String defaultBaseUrl;

      Provider(String defaultBaseUrl) {
        this.defaultBaseUrl = defaultBaseUrl;
      }

      public String defaultBaseUrl() {
        return defaultBaseUrl;
      }
    }

    public Llm {
      Objects.requireNonNull(provider, "OPSAGENT_MODEL_PROVIDER");
      requireText(model, "OPSAGENT_MODEL");
      requirePositive(timeout, "OPSAGENT_LLM_TIMEOUT");
      requireBetween(maxRetries, 0, 10, "OPSAGENT_LLM_MAX_RETRIES");
      prices = Map.copyOf(prices);
    }

    /**
     * Whether a model decides: a key is set, Bedrock is chosen (its credentials come from the AWS
     * chain), or (OpenAI-compatible) a base URL other than OpenAI's names a local server, which
     * needs none.
     */
    public boolean configured() {
      return apiKey.isPresent() || provider == Provider.BEDROCK
          || provider == Provider.OPENAI && !baseUrl.equals(Provider.OPENAI.defaultBaseUrl());
    }

    /** The price of {@link #model()}, if the price table has it (else runs record no cost). */
    public Optional<ModelPrice> price() {
      return Optional.ofNullable(prices.get(model));
    }

    @Override
    public String toString() {
      return "Llm[" + (configured() ? provider.wire() + "(" + model + " @ " + (baseUrl.isEmpty() ? "the region's endpoint" : baseUrl) + ")" : "rules")
          + ", timeout=" + timeout + ", maxRetries=" + maxRetries + ", prices=" + prices + "]";
    }
  }

  /** The HTTP API ({@code OPSAGENT_HTTP_PORT}, 0: disabled; {@code OPSAGENT_API_TOKEN}, masked). */
  public record Api(int httpPort, Optional<String> token) {
    public Api {
      requireBetween(httpPort, 0, 65535, "OPSAGENT_HTTP_PORT");
    }

    @Override
    public String toString() {
      return "Api[httpPort=" + httpPort + ", token=" + (token.isPresent() ? "***" : "generated") + "]";
    }
  }

  /** The queues: each tenant's cycle interval, the workers per queue and how they poll. */
  public record Scheduling(Duration cycleInterval, int opsConcurrency, int deploymentConcurrency,
      Duration pollInterval, Duration heartbeatInterval) {
    public Scheduling {
      requirePositive(cycleInterval, "OPSAGENT_CYCLE_INTERVAL");
      requireBetween(opsConcurrency, 1, 256, "OPSAGENT_OPS_CONCURRENCY");
      requireBetween(deploymentConcurrency, 1, 256, "OPSAGENT_DEPLOYMENT_CONCURRENCY");
      requirePositive(pollInterval, "OPSAGENT_POLL_INTERVAL");
      requirePositive(heartbeatInterval, "OPSAGENT_HEARTBEAT_INTERVAL");
    }
  }

  /**
   * One cycle's limits: model calls ({@code OPSAGENT_MAX_STEPS}), tool calls with a side effect
   * ({@code OPSAGENT_MAX_ACTIONS_PER_CYCLE}), the full review of an unchanged state, the circuit
   * breaker's pause, the daily token budget and the mode a new tenant starts in.
   */
  public record Cycle(int maxSteps, int maxActions, Duration fullReviewInterval, Duration circuitPause,
      int dailyTokenBudget, String defaultMode) {
    public Cycle {
      requireBetween(maxSteps, 1, 50, "OPSAGENT_MAX_STEPS");
      requireBetween(maxActions, 0, 100, "OPSAGENT_MAX_ACTIONS_PER_CYCLE");
      requirePositive(fullReviewInterval, "OPSAGENT_FULL_REVIEW_INTERVAL");
      requirePositive(circuitPause, "OPSAGENT_CIRCUIT_PAUSE");
      requireBetween(dailyTokenBudget, 0, Integer.MAX_VALUE, "OPSAGENT_DAILY_TOKEN_BUDGET");
      if (!MODES.contains(defaultMode)) {
        throw new IllegalArgumentException("OPSAGENT_DEFAULT_MODE: expected live or dry-run, got \""
            + defaultMode + "\"");
      }
    }
  }

  /**
   * Cooldowns: where they are kept ({@code OPSAGENT_REDIS_URL}; in-memory without it, masked in
   * {@link #toString()}), each mutating action's and the alert window.
   */
  public record Cooldowns(Optional<String> redisUrl, Map<String, Duration> actions, Duration alert) {
    public Cooldowns {
      actions = Map.copyOf(actions);
      requirePositive(alert, "OPSAGENT_ALERT_COOLDOWN");
    }

    /**
     * The cooldown of a mutating action, looked up by its tool name ({@code restartDeployment}),
     * then by the tool's leading verb ({@code restart}); actions without either get {@code defaultFor}.
     */
    public Duration of(String action, Duration defaultFor) {
      Duration exact = actions.get(action);
      if (exact != null) {
        return exact;
      }
      int verbEnd = 0;
      while (verbEnd < action.length() && !Character.isUpperCase(action.charAt(verbEnd))) {
        verbEnd++;
      }
      return actions.getOrDefault(action.substring(0, verbEnd), defaultFor);
    }

    @Override
    public String toString() {
      return "Cooldowns[redis=" + redisUrl.map(Config::maskUserInfo).orElse("in-memory") + ", actions="
          + actions + ", alert=" + alert + "]";
    }
  }

  /**
   * Notification channels and their delivery: private webhook addresses, SMTP, attempts, backoff,
   * concurrency, and the key that encrypts channel configuration at rest
   * ({@code OPSAGENT_SECRET_KEY}, masked).
   */
  public record Notifications(boolean allowPrivateWebhooks, Smtp smtp, int maxAttempts, Duration backoff,
      int concurrency, Optional<SecretKey> secretKey) {
    public Notifications {
      Objects.requireNonNull(smtp, "smtp");
      requireBetween(maxAttempts, 0, 10_000, "OPSAGENT_NOTIFY_MAX_ATTEMPTS");
      requirePositive(backoff, "OPSAGENT_NOTIFY_BACKOFF");
      requireBetween(concurrency, 1, 256, "OPSAGENT_NOTIFY_CONCURRENCY");
    }

    @Override
    public String toString() {
      return "Notifications[allowPrivateWebhooks=" + allowPrivateWebhooks + ", smtp=" + smtp + ", maxAttempts="
          + maxAttempts + ", backoff=" + backoff + ", concurrency=" + concurrency + ", secretKey="
          + (secretKey.isPresent() ? "***" : "unset") + "]";
    }
  }

  /**
   * The audit trail: the chain's key (HMAC-SHA-256) and the one before a rotation, both masked, and
   * how long runs and deliveries are kept ({@code OPSAGENT_RETENTION}).
   */
  public record Audit(Optional<SecretKey> key, Optional<SecretKey> previousKey, Duration retention) {
    public Audit {
      requirePositive(retention, "OPSAGENT_RETENTION");
      if (previousKey.isPresent() && key.isEmpty()) {
        throw new IllegalArgumentException("OPSAGENT_AUDIT_KEY_PREVIOUS is set but OPSAGENT_AUDIT_KEY is not");
      }
    }

    @Override
    public String toString() {
      return "Audit[auditKey=" + (key.isPresent() ? "***" : "unset") + ", auditKeyPrevious="
          + (previousKey.isPresent() ? "***" : "unset") + ", retention=" + retention + "]";
    }
  }

  /**
   * The HTTP server's address ({@code OPSAGENT_HTTP_BIND}; empty: the command's default, 0.0.0.0 for
   * {@code worker}, 127.0.0.1 for {@code demo}) and the proxies whose {@code X-Forwarded-For} names
   * the client ({@code OPSAGENT_TRUSTED_PROXIES}, IPs or CIDRs; for throttling and logs).
   */
  /**
   * How an Alertmanager alert names its deployment ({@code OPSAGENT_ALERTMANAGER_LABELS}, default
   * {@code namespace,deployment}): the values of these labels joined by {@code /} are the
   * deployment's {@code externalId}. A label {@code opsagent_deployment_id} names the deployment's id
   * directly and is looked at first.
   */
  public record Alertmanager(List<String> labels) {
    public static final String DEFAULT_LABELS = "namespace,deployment";

    public Alertmanager {
      labels = List.copyOf(labels);
    }
  }

  public record Http(Optional<String> bind, List<String> trustedProxies) {
    public Http {
      trustedProxies = List.copyOf(trustedProxies);
    }

    /** The address to bind, {@code fallback} when unset. */
    public String bindOr(String fallback) {
      return bind.orElse(fallback);
    }
  }

  private static final List<String> MODES = List.of("live", "dry-run");

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + ": expected a value, got none");
    }
  }

  private static void requirePositive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": expected a positive duration, got " + value);
    }
  }

  private static void requireBetween(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + ": expected an integer from " + min + " to " + max
          + ", got " + value);
    }
  }

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
  public enum LogFormat implements io.opsagent.Wire {
    TEXT, JSON
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

  public static Config fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * Parses and validates; throws {@link ConfigException} listing every bad variable at once. Every
   * default is here (and in the README's configuration table), nowhere else.
   */
  public static Config fromEnv(Map<String, String> env) {
    Parser p = new Parser(env);
    var database = new Database(
        p.string("OPSAGENT_DB_URL", DEFAULT_EMBEDDED_DB_URL),
        p.string("OPSAGENT_DB_USER", ""),
        p.string("OPSAGENT_DB_PASSWORD", ""));
    var llm = p.llm();
    var api = new Api(
        p.integer("OPSAGENT_HTTP_PORT", 8080, 0, 65535),
        p.optional("OPSAGENT_API_TOKEN"));
    var scheduling = new Scheduling(
        p.duration("OPSAGENT_CYCLE_INTERVAL", "PT5M"),
        p.integer("OPSAGENT_OPS_CONCURRENCY", 1, 1, 256),
        p.integer("OPSAGENT_DEPLOYMENT_CONCURRENCY", 4, 1, 256),
        p.duration("OPSAGENT_POLL_INTERVAL", "PT2S"),
        p.duration("OPSAGENT_HEARTBEAT_INTERVAL", "PT8S"));
    var cycle = new Cycle(
        p.integer("OPSAGENT_MAX_STEPS", 8, 1, 50),
        p.integer("OPSAGENT_MAX_ACTIONS_PER_CYCLE", 5, 0, 100),
        p.duration("OPSAGENT_FULL_REVIEW_INTERVAL", "PT6H"),
        p.duration("OPSAGENT_CIRCUIT_PAUSE", "PT30M"),
        p.integer("OPSAGENT_DAILY_TOKEN_BUDGET", 500_000, 0, Integer.MAX_VALUE),
        p.oneOf("OPSAGENT_DEFAULT_MODE", "live", MODES));
    var cooldowns = new Cooldowns(
        p.optional("OPSAGENT_REDIS_URL"),
        p.durations("OPSAGENT_ACTION_COOLDOWNS", "restart=PT30M,update=PT1H,scale=PT30M"),
        p.duration("OPSAGENT_ALERT_COOLDOWN", "PT1H"));
    var notifications = new Notifications(
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
        p.secretKey("OPSAGENT_SECRET_KEY", "AES"));
    // platform actions (restart, rollback)
    var actions = p.actions();
    // the page guarantee
    var paging = new Paging(
        p.bool("OPSAGENT_PAGE_ON_REPORT", true),
        p.duration("OPSAGENT_WATCHDOG_AFTER", "PT60S"),
        p.duration("OPSAGENT_WATCHDOG_INTERVAL", "PT15S"),
        p.duration("OPSAGENT_NOTIFY_GIVE_UP", "PT24H"),
        p.duration("OPSAGENT_NOTIFY_MAX_BACKOFF", "PT30S"),
        p.integer("OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR", 20, 1, 100_000));
    // the audit chain's key, and the one before a rotation
    Optional<SecretKey> auditKey = p.secretKey("OPSAGENT_AUDIT_KEY", "HmacSHA256");
    Optional<SecretKey> auditKeyPrevious = p.secretKey("OPSAGENT_AUDIT_KEY_PREVIOUS", "HmacSHA256");
    if (auditKeyPrevious.isPresent() && auditKey.isEmpty()) {
      p.error("OPSAGENT_AUDIT_KEY_PREVIOUS is set but OPSAGENT_AUDIT_KEY is not: the previous key only"
          + " verifies runs chained before a rotation; set the new key as OPSAGENT_AUDIT_KEY");
      auditKeyPrevious = Optional.empty();
    }
    var audit = new Audit(auditKey, auditKeyPrevious, p.duration("OPSAGENT_RETENTION", "P90D"));
    var logFormat = p.logFormat("OPSAGENT_LOG_FORMAT");
    var incidentReminder = p.duration("OPSAGENT_INCIDENT_REMINDER", "PT4H");
    var http = new Http(p.address("OPSAGENT_HTTP_BIND"), p.addresses("OPSAGENT_TRUSTED_PROXIES"));
    var investigation = InvestigationConfig.parse(p::optional, p::error);
    var alertmanager = new Alertmanager(p.labelNames("OPSAGENT_ALERTMANAGER_LABELS", Alertmanager.DEFAULT_LABELS));
    p.throwIfErrors();
    return new Config(database, llm, api, scheduling, cycle, cooldowns, notifications, actions, paging, audit,
        logFormat, incidentReminder, http, investigation, alertmanager);
  }

  @Override
  public String toString() {
    return "Config[" + database + ", " + llm + ", " + api + ", " + scheduling + ", " + cycle + ", " + cooldowns
        + ", " + notifications + ", " + actions + ", " + paging + ", " + audit + ", logFormat=" + logFormat.wire()
        + ", incidentReminder=" + incidentReminder + ", http=" + http + ", investigation=" + investigation
        + ", alertmanager=" + alertmanager + "]";
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
        error(name + ": expected an IP address to bind (0.0.0.0 for every interface, 127.0.0.1 for this host"
            + " only), got \"" + v.get() + "\"");
        return Optional.empty();
      }
      return v;
    }

    /** A comma-separated list of one to four Prometheus label names; {@code def} when unset. */
    List<String> labelNames(String name, String def) {
      List<String> out = new ArrayList<>();
      for (String part : string(name, def).split(",")) {
        String l = part.strip();
        if (!l.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          error(name + ": expected label names separated by commas (e.g. " + def + "), got \"" + l + "\"");
          return List.of();
        }
        out.add(l);
      }
      if (out.size() > 4) {
        error(name + ": at most 4 label names, got " + out.size());
        return List.of();
      }
      return out;
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
          error(name + ": expected IP addresses or CIDRs separated by commas, got \"" + a + "\"");
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
          expected(name, "an http(s) URL like https://host:port", v);
        }
      } catch (IllegalArgumentException e) {
        expected(name, "an http(s) URL like https://host:port", v);
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
          expected(name, "an integer from " + min + " to " + max, v.get());
          return def;
        }
        return n;
      } catch (NumberFormatException e) {
        expected(name, "an integer from " + min + " to " + max, v.get());
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
          expected(name, "true or false", v.get());
          return def;
      }
    }

    Duration duration(String name, String def) {
      String v = raw(name).orElse(def);
      Duration d = parseDuration(name, v, def);
      return d == null ? Duration.parse(def) : d;
    }

    /** {@code action=ISO-duration} pairs separated by commas, e.g. {@code restart=PT30M}. */
    Map<String, Duration> durations(String name, String def) {
      String v = raw(name).orElse(def);
      Map<String, Duration> out = new LinkedHashMap<>();
      for (String pair : v.split(",")) {
        String[] kv = pair.trim().split("=", 2);
        if (kv.length != 2 || kv[0].isBlank()) {
          expected(name, "a list like " + def, v);
          return Map.of();
        }
        Duration d = parseDuration(name, kv[1].trim(), "PT30M");
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
          expected(name, "a list like " + def + " (USD per million tokens:"
              + " input/output[/cacheWrite/cacheRead])", v);
          return Map.of();
        }
      }
      return out;
    }

    /** {@code example}: an accepted value shown in the message (the default, where there is one). */
    private Duration parseDuration(String name, String v, String example) {
      try {
        Duration d = Duration.parse(v);
        if (d.isNegative() || d.isZero()) {
          expected(name, "a positive ISO-8601 duration like " + example, v);
          return null;
        }
        return d;
      } catch (DateTimeParseException e) {
        expected(name, "an ISO-8601 duration like " + example, v);
        return null;
      }
    }

    LogFormat logFormat(String name) {
      String v = raw(name).orElse("text");
      Optional<LogFormat> format = io.opsagent.Wire.find(LogFormat.class, v);
      if (format.isPresent()) {
        return format.get();
      }
      expected(name, "text or json", v);
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
        errors.add(name + ": expected base64 of 32 random bytes (e.g. `openssl rand -base64 32`),"
            + " got a value that is not valid base64");
        return Optional.empty();
      }
      if (key.length != 32) {
        errors.add(name + ": expected base64 of 32 random bytes (e.g. `openssl rand -base64 32`),"
            + " got a value that decodes to " + key.length + " bytes");
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
          errors.add("OPSAGENT_PLATFORM_CONTROL_SECRET: expected a secret, or whsec_ followed by base64,"
              + " got a value starting with whsec_ whose rest is not base64");
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

    /**
     * The model: {@code OPSAGENT_MODEL_API_KEY} and {@code OPSAGENT_MODEL_BASE_URL} apply to every
     * provider, falling back to the provider's own variables (Bedrock takes no key). Vertex is refused here.
     */
    Llm llm() {
      String name = optional("OPSAGENT_MODEL_PROVIDER").orElse("anthropic").strip().toLowerCase(java.util.Locale.ROOT);
      Llm.Provider provider = Llm.Provider.ANTHROPIC;
      if (name.equals("openai")) {
        provider = Llm.Provider.OPENAI;
      } else if (name.equals("bedrock")) {
        provider = Llm.Provider.BEDROCK;
      } else if (name.equals("vertex")) {
        error("OPSAGENT_MODEL_PROVIDER: \"vertex\" is not supported by this build;"
            + " supported: anthropic, bedrock, openai (OpenAI-compatible: OpenAI, Azure OpenAI, vLLM, Ollama, LM Studio)");
      } else if (!name.equals("anthropic")) {
        expected("OPSAGENT_MODEL_PROVIDER", "anthropic, bedrock or openai", name);
      }
      boolean openai = provider == Llm.Provider.OPENAI;
      boolean bedrock = provider == Llm.Provider.BEDROCK;
      // Bedrock signs with AWS credentials: no API key of ours
      Optional<String> key = bedrock ? Optional.empty() : optional("OPSAGENT_MODEL_API_KEY")
          .or(() -> optional(openai ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY"));
      String baseUrlVar = raw("OPSAGENT_MODEL_BASE_URL").isPresent() || !provider.equals(Llm.Provider.ANTHROPIC)
          ? "OPSAGENT_MODEL_BASE_URL" : "ANTHROPIC_BASE_URL";
      String baseUrl = bedrock && raw(baseUrlVar).isEmpty() ? "" : url(baseUrlVar, provider.defaultBaseUrl());
      String model = string("OPSAGENT_MODEL", DEFAULT_MODEL);
      if ((openai || bedrock) && raw("OPSAGENT_MODEL").isEmpty()) {
        error("OPSAGENT_MODEL: required with OPSAGENT_MODEL_PROVIDER=" + name + " (the provider's model name,"
            + (openai ? " e.g. gpt-4.1 or llama3.1)" : " e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0)"));
      }
      return new Llm(provider, key,
          baseUrl,
          model,
          duration("OPSAGENT_LLM_TIMEOUT", "PT60S"),
          integer("OPSAGENT_LLM_MAX_RETRIES", 3, 0, 10),
          prices("OPSAGENT_MODEL_PRICES", DEFAULT_MODEL_PRICES));
    }

    String oneOf(String name, String def, List<String> allowed) {
      Optional<String> v = raw(name);
      if (v.isEmpty()) {
        return def;
      }
      if (!allowed.contains(v.get())) {
        expected(name, String.join(" or ", allowed), v.get());
        return def;
      }
      return v.get();
    }

    /**
     * The one form of a bad value's message: {@code NAME: expected <accepted form>, got "<value>"}.
     * Only for values that are not secrets.
     */
    private void expected(String name, String form, String got) {
      errors.add(name + ": expected " + form + ", got \"" + got + "\"");
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
