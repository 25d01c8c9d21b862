package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.opsagent.Json;
import io.opsagent.eval.EvalCase.DeploymentSeed;
import io.opsagent.eval.EvalCase.EventSeed;
import io.opsagent.eval.EvalCase.Expectation;
import io.opsagent.eval.EvalCase.WorkspaceSeed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads the cases: those shipped under {@code evals/} on the classpath, then those of a directory,
 * which add to them or replace one of the same name. Strict: an unknown field, a missing required
 * one or a value of the wrong kind stops the run with a {@link BadCaseException} naming the file and
 * the field, so a typo never silently turns a check off.
 */
public final class CaseLoader {
  static final String RESOURCE_DIR = "evals";
  static final Set<String> STATUSES = Set.of("PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED");
  static final Set<String> INVESTIGATION_TOOLS = Set.of("getDeploymentLogs", "probeHealth", "queryMetrics");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private CaseLoader() {}

  /** The shipped cases, plus (adding or replacing by name) those of {@code dir} when given; by name. */
  public static List<EvalCase> load(Path dir) {
    Map<String, EvalCase> byName = new TreeMap<>();
    for (EvalCase c : shipped()) {
      put(byName, c);
    }
    if (dir != null) {
      if (!Files.isDirectory(dir)) {
        throw new BadCaseException(dir.toString(), "", "--cases must name a directory of .json/.yaml case files");
      }
      Map<String, EvalCase> mine = new TreeMap<>();
      for (Path p : caseFiles(dir)) {
        put(mine, read(p.toString(), p));
      }
      byName.putAll(mine);
    }
    return List.copyOf(byName.values());
  }

  /** The cases shipped in the jar (or the build's classes directory). */
  static List<EvalCase> shipped() {
    URL url = CaseLoader.class.getClassLoader().getResource(RESOURCE_DIR);
    if (url == null) {
      return List.of();
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
          return readAll(fs.getPath(RESOURCE_DIR));
        }
      }
      return readAll(Path.of(uri));
    } catch (URISyntaxException | IOException e) {
      throw new UncheckedIOException(new IOException("cannot list the shipped cases: " + e.getMessage(), e));
    }
  }

  private static List<EvalCase> readAll(Path dir) {
    Map<String, EvalCase> byName = new TreeMap<>();
    for (Path p : caseFiles(dir)) {
      put(byName, read(RESOURCE_DIR + "/" + p.getFileName(), p));
    }
    return List.copyOf(byName.values());
  }

  private static void put(Map<String, EvalCase> into, EvalCase c) {
    EvalCase before = into.put(c.name(), c);
    if (before != null) {
      throw new BadCaseException(c.source(), "name", "'" + c.name() + "' is also the name of " + before.source());
    }
  }

  private static List<Path> caseFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".json") || n.endsWith(".yaml") || n.endsWith(".yml");
      }).sorted().toList();
    } catch (IOException e) {
      throw new BadCaseException(dir.toString(), "", "cannot list: " + e.getMessage());
    }
  }

  static EvalCase read(String source, Path file) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = (file.getFileName().toString().endsWith(".json") ? Json.MAPPER : YAML).readTree(in);
    } catch (IOException e) {
      throw new BadCaseException(source, "", "not valid " + (source.endsWith(".json") ? "JSON" : "YAML")
          + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    String base = file.getFileName().toString().replaceFirst("\\.(json|ya?ml)$", "");
    return parse(source, base, root);
  }

  static EvalCase parse(String source, String defaultName, JsonNode root) {
    Fields f = new Fields(source, "", root, Set.of("name", "kind", "description", "workspaces", "channel",
        "otherTenants", "tools", "expect"));
    String name = f.text("name", defaultName);
    if (!name.matches("[a-z0-9][a-z0-9-]{0,99}")) {
      throw new BadCaseException(source, "name", "'" + name + "' must be lower-case words joined by '-'");
    }
    List<WorkspaceSeed> workspaces = new ArrayList<>();
    for (Fields w : f.list("workspaces", true)) {
      Fields ws = w.only(Set.of("name", "deployments"));
      List<DeploymentSeed> deployments = new ArrayList<>();
      for (Fields d : ws.list("deployments", true)) {
        deployments.add(deployment(d.only(Set.of("name", "status", "version", "latestVersion", "age",
            "backupSchedule", "lastBackupAgo", "lastBackupStatus", "events"))));
      }
      workspaces.add(new WorkspaceSeed(ws.required("name"), deployments));
    }
    Map<String, Object> tools = new LinkedHashMap<>();
    JsonNode t = root.path("tools");
    if (!t.isMissingNode()) {
      if (!t.isObject()) {
        throw new BadCaseException(source, "tools", "must be an object keyed by tool name");
      }
      for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
        String tool = it.next();
        if (!INVESTIGATION_TOOLS.contains(tool)) {
          throw new BadCaseException(source, "tools." + tool, "unknown tool; one of " + INVESTIGATION_TOOLS);
        }
        tools.put(tool, t.get(tool));
      }
    }
    return new EvalCase(name, source, f.text("kind", ""), f.text("description", ""), workspaces,
        f.bool("channel", true), f.strings("otherTenants"), tools, expectation(f.object("expect")));
  }

  private static DeploymentSeed deployment(Fields d) {
    List<EventSeed> events = new ArrayList<>();
    for (Fields e : d.list("events", false)) {
      Fields ev = e.only(Set.of("type", "status", "version", "message", "ago"));
      events.add(new EventSeed(ev.required("type"), ev.status("status", null), ev.text("version", null),
          ev.text("message", null), ev.duration("ago", Duration.ZERO)));
    }
    return new DeploymentSeed(d.required("name"), d.status("status", "RUNNING"), d.text("version", null),
        d.text("latestVersion", null), d.duration("age", Duration.ofDays(30)), d.text("backupSchedule", null),
        d.duration("lastBackupAgo", null), d.text("lastBackupStatus", null), events);
  }

  private static Expectation expectation(Fields e) {
    Fields x = e.only(Set.of("page", "severity", "action", "toVersion", "deployment", "maxActions", "forbid",
        "pageContains", "pageExcludes", "summaryContains", "summaryExcludes"));
    String severity = x.text("severity", null);
    if (severity != null && !Set.of("critical", "warning", "info").contains(severity)) {
      throw x.bad("severity", "one of critical, warning, info");
    }
    String action = x.text("action", "none");
    if (!Set.of("none", "restart", "rollback", "any").contains(action)) {
      throw x.bad("action", "one of none, restart, rollback, any (then only maxActions is checked)");
    }
    List<String> forbid = x.strings("forbid");
    for (String f : forbid) {
      if (!f.matches("(restart|rollback)(:.+)?")) {
        throw x.bad("forbid", "'" + f + "': each entry is restart or rollback, optionally ':DEPLOYMENT'");
      }
    }
    boolean page = x.requiredBool("page");
    if (!page && severity != null) {
      throw x.bad("severity", "a case that expects no page names no severity");
    }
    if (action.equals("none") && x.text("toVersion", null) != null) {
      throw x.bad("toVersion", "only with action rollback");
    }
    return new Expectation(page, severity, action, x.text("toVersion", null), x.text("deployment", null),
        x.integer("maxActions", action.equals("none") ? 0 : 1), forbid, x.strings("pageContains"),
        x.strings("pageExcludes"), x.strings("summaryContains"), x.strings("summaryExcludes"));
  }

  /** One object of a case file, read field by field with the field's path for messages. */
  private record Fields(String source, String path, JsonNode node, Set<String> allowed) {
    Fields {
      if (!node.isObject()) {
        throw new BadCaseException(source, path, "must be an object");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String n = it.next();
        if (allowed != null && !allowed.contains(n)) {
          throw new BadCaseException(source, at(path, n), "unknown field; known: " + new java.util.TreeSet<>(allowed));
        }
      }
    }

    Fields only(Set<String> fields) {
      return new Fields(source, path, node, fields);
    }

    BadCaseException bad(String field, String problem) {
      return new BadCaseException(source, at(path, field), problem);
    }

    private static String at(String path, String field) {
      return path.isEmpty() ? field : path + "." + field;
    }

    String text(String field, String def) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isValueNode()) {
        throw bad(field, "must be text");
      }
      return v.asText();
    }

    String required(String field) {
      String v = text(field, null);
      if (v == null || v.isBlank()) {
        throw bad(field, "is required");
      }
      return v;
    }

    String status(String field, String def) {
      String v = text(field, def);
      if (v != null && !STATUSES.contains(v)) {
        throw bad(field, "'" + v + "' is not a deployment status; one of " + new java.util.TreeSet<>(STATUSES));
      }
      return v;
    }

    boolean bool(String field, boolean def) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isBoolean()) {
        throw bad(field, "must be true or false");
      }
      return v.asBoolean();
    }

    boolean requiredBool(String field) {
      if (!node.has(field)) {
        throw bad(field, "is required (true or false)");
      }
      return bool(field, false);
    }

    int integer(String field, int def) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isInt() || v.asInt() < 0) {
        throw bad(field, "must be a whole number, 0 or more");
      }
      return v.asInt();
    }

    Duration duration(String field, Duration def) {
      String v = text(field, null);
      if (v == null) {
        return def;
      }
      try {
        Duration d = Duration.parse(v);
        if (d.isNegative()) {
          throw bad(field, "must not be negative");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw bad(field, "'" + v + "' is not an ISO-8601 duration (e.g. PT10M, P3D)");
      }
    }

    List<String> strings(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return List.of();
      }
      if (!v.isArray()) {
        throw bad(field, "must be a list of text");
      }
      List<String> out = new ArrayList<>();
      for (JsonNode s : v) {
        if (!s.isValueNode()) {
          throw bad(field, "must be a list of text");
        }
        out.add(s.asText());
      }
      return out;
    }

    Fields object(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        throw bad(field, "is required");
      }
      return new Fields(source, at(path, field), v, null);
    }

    List<Fields> list(String field, boolean required) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        if (required) {
          throw bad(field, "is required");
        }
        return List.of();
      }
      if (!v.isArray() || (required && v.isEmpty())) {
        throw bad(field, required ? "must be a non-empty list" : "must be a list");
      }
      List<Fields> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        out.add(new Fields(source, at(path, field) + "[" + i + "]", v.get(i), null));
      }
      return out;
    }
  }
}
