package io.opsagent.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the read-only investigation tools: where a deployment's logs are asked for
 * ({@code OPSAGENT_PLATFORM_LOGS_URL}, signed with {@code OPSAGENT_PLATFORM_LOGS_SECRET}, else the
 * control secret), the Prometheus to query ({@code OPSAGENT_PROMETHEUS_URL}) with the operator's
 * named PromQL templates ({@code OPSAGENT_PROMETHEUS_QUERIES}), and whether a health URL may reach a
 * private address ({@code OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS}, by default as webhooks).
 *
 * <p>Every template must name at least one placeholder of {@link #PLACEHOLDERS}: a template
 * without one would read the same series for every tenant. Secrets are masked by {@link #toString()}.
 */
public record InvestigationConfig(Optional<String> logsUrl, Optional<String> logsSecret,
    Optional<URI> prometheusUrl, Map<String, String> prometheusQueries, boolean allowPrivateHealthUrls) {

  /** What a PromQL template may name; each is replaced by the deployment's own value, escaped. */
  public static final List<String> PLACEHOLDERS = List.of("deployment", "deploymentId", "workspace",
      "workspaceId", "tenant", "tenantId", "externalId");
  /** What the logs URL template may name; each is replaced by the deployment's value, URL-encoded. */
  public static final List<String> URL_PLACEHOLDERS = List.of("deploymentId", "externalId", "tenantId",
      "workspaceId");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public InvestigationConfig {
    prometheusQueries = Map.copyOf(new LinkedHashMap<>(prometheusQueries));
  }

  public boolean logsEnabled() {
    return logsUrl.isPresent();
  }

  public boolean metricsEnabled() {
    return prometheusUrl.isPresent() && !prometheusQueries.isEmpty();
  }

  /**
   * Reads the settings through {@code raw} (a variable's trimmed value, empty when unset or blank),
   * reporting every problem to {@code error}. {@code OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS} defaults to
   * {@code OPSAGENT_ALLOW_PRIVATE_WEBHOOKS} (whose bad values {@link Config} reports).
   */
  public static InvestigationConfig parse(Function<String, Optional<String>> raw, Consumer<String> error) {
    boolean allowPrivateWebhooks = raw.apply("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS")
        .map(v -> List.of("true", "1", "yes").contains(v.toLowerCase())).orElse(false);
    Optional<String> logsUrl = raw.apply("OPSAGENT_PLATFORM_LOGS_URL");
    logsUrl.ifPresent(u -> checkUrl("OPSAGENT_PLATFORM_LOGS_URL", u, URL_PLACEHOLDERS, error));
    Optional<String> secret = raw.apply("OPSAGENT_PLATFORM_LOGS_SECRET")
        .or(() -> raw.apply("OPSAGENT_PLATFORM_CONTROL_SECRET"));
    secret.filter(s -> s.startsWith("whsec_") && !base64(s.substring("whsec_".length())))
        .ifPresent(s -> error.accept("OPSAGENT_PLATFORM_LOGS_SECRET starts with whsec_ but the rest is not base64"));
    if (logsUrl.isPresent() && secret.isEmpty()) {
      error.accept("OPSAGENT_PLATFORM_LOGS_URL is set but neither OPSAGENT_PLATFORM_LOGS_SECRET nor"
          + " OPSAGENT_PLATFORM_CONTROL_SECRET is: log requests must be signed");
    }
    Optional<URI> prometheus = raw.apply("OPSAGENT_PROMETHEUS_URL")
        .filter(u -> checkUrl("OPSAGENT_PROMETHEUS_URL", u, List.of(), error))
        .map(u -> URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u));
    Map<String, String> queries = raw.apply("OPSAGENT_PROMETHEUS_QUERIES")
        .map(v -> queries(v, error)).orElse(Map.of());
    if (raw.apply("OPSAGENT_PROMETHEUS_URL").isPresent() != raw.apply("OPSAGENT_PROMETHEUS_QUERIES").isPresent()) {
      error.accept("OPSAGENT_PROMETHEUS_URL and OPSAGENT_PROMETHEUS_QUERIES go together: queryMetrics needs"
          + " both the Prometheus base URL and the named templates");
    }
    boolean allowPrivate = raw.apply("OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS").map(v -> switch (v.toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> {
        error.accept("OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS must be true or false, got '" + v + "'");
        yield allowPrivateWebhooks;
      }
    }).orElse(allowPrivateWebhooks);
    return new InvestigationConfig(logsUrl, logsUrl.isPresent() ? secret : Optional.empty(), prometheus,
        queries, allowPrivate);
  }

  /** {@code name=template;...}, or the path of a file of {@code name=template} lines ({@code #} comments). */
  static Map<String, String> queries(String value, Consumer<String> error) {
    String name = "OPSAGENT_PROMETHEUS_QUERIES";
    List<String> entries;
    if (!value.contains("=")) {
      try {
        entries = Files.readAllLines(Path.of(value)).stream()
            .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      } catch (IOException | RuntimeException e) {
        error.accept(name + " is neither name=template;... nor a readable file (" + e.getClass().getSimpleName() + ")");
        return Map.of();
      }
    } else {
      entries = List.of(value.split(";"));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : entries) {
      if (entry.isBlank()) {
        continue;
      }
      String[] kv = entry.split("=", 2);
      String key = kv[0].strip();
      String template = kv.length == 2 ? kv[1].strip() : "";
      if (!NAME.matcher(key).matches() || template.isEmpty()) {
        error.accept(name + " entries must be name=template with a name like error_rate (lower case, digits,"
            + " _), got '" + io.opsagent.Json.truncate(entry, 60) + "'");
        continue;
      }
      List<String> named = placeholders(template);
      List<String> unknown = named.stream().filter(p -> !PLACEHOLDERS.contains(p)).toList();
      if (!unknown.isEmpty()) {
        error.accept(name + ": template '" + key + "' names unknown placeholder(s) " + unknown + "; known: "
            + PLACEHOLDERS);
      } else if (!quotedOnly(template)) {
        error.accept(name + ": template '" + key + "' has a placeholder outside a double-quoted label value"
            + " (write label=\"{deployment}\"): values are escaped for a double-quoted string only");
      } else if (named.isEmpty()) {
        error.accept(name + ": template '" + key + "' names no placeholder such as {deployment}: it would read"
            + " the same series for every tenant");
      } else if (out.putIfAbsent(key, template) != null) {
        error.accept(name + ": template '" + key + "' is defined twice");
      }
    }
    if (entries.stream().allMatch(String::isBlank)) {
      error.accept(name + " names no template");
    }
    return out;
  }

  /** The placeholders {@code template} names, in order. */
  public static List<String> placeholders(String template) {
    Matcher m = PLACEHOLDER.matcher(template);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Whether every placeholder of {@code template} stands inside a double-quoted PromQL string. */
  static boolean quotedOnly(String template) {
    boolean quoted = false;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '{') {
        Matcher m = PLACEHOLDER.matcher(template).region(i, template.length());
        if (m.lookingAt()) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean checkUrl(String name, String value, List<String> placeholders, Consumer<String> error) {
    String probe = value;
    for (String p : placeholders) {
      probe = probe.replace("{" + p + "}", "x");
    }
    try {
      URI uri = URI.create(probe);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return true;
    } catch (IllegalArgumentException e) {
      error.accept(name + " must be an http(s) URL" + (placeholders.isEmpty() ? ""
          : " (placeholders: " + placeholders.stream().map(p -> "{" + p + "}").toList() + ")")
          + ", got '" + Config.maskUserInfo(value) + "'");
      return false;
    }
  }

  private static boolean base64(String s) {
    try {
      return Base64.getDecoder().decode(s).length > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "Investigation[logsUrl=" + logsUrl.map(Config::maskUserInfo).orElse("unset")
        + ", logsSecret=" + (logsSecret.isPresent() ? "***" : "unset")
        + ", prometheusUrl=" + prometheusUrl.map(u -> Config.maskUserInfo(u.toString())).orElse("unset")
        + ", prometheusQueries=" + prometheusQueries.keySet() + ", allowPrivateHealthUrls="
        + allowPrivateHealthUrls + "]";
  }
}
