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
import java.util.ArrayList;
import java.util.HashSet;
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
    CaseFields f = new CaseFields(source, "", root, Set.of("name", "kind", "description", "workspaces", "channel",
        "otherTenants", "tools", "expect"));
    String name = f.text("name", defaultName);
    if (!name.matches("[a-z0-9][a-z0-9-]{0,99}")) {
      throw new BadCaseException(source, "name", "'" + name + "' must be lower-case words joined by '-'");
    }
    List<WorkspaceSeed> workspaces = new ArrayList<>();
    for (CaseFields w : f.list("workspaces", true)) {
      CaseFields ws = w.only(Set.of("name", "deployments"));
      List<DeploymentSeed> deployments = new ArrayList<>();
      for (CaseFields d : ws.list("deployments", true)) {
        deployments.add(deployment(d.only(Set.of("name", "status", "version", "latestVersion", "age",
            "backupSchedule", "lastBackupAgo", "lastBackupStatus", "events"))));
      }
      workspaces.add(new WorkspaceSeed(ws.required("name"), deployments));
    }
    Set<String> names = new HashSet<>();
    workspaces.forEach(w -> w.deployments().forEach(d -> names.add(d.name())));
    ToolAnswers tools = ToolAnswersReader.read(source, root.get("tools"), names);
    return new EvalCase(name, source, f.text("kind", ""), f.text("description", ""), workspaces,
        f.bool("channel", true), f.strings("otherTenants"), tools, expectation(f.object("expect")));
  }

  private static DeploymentSeed deployment(CaseFields d) {
    List<EventSeed> events = new ArrayList<>();
    for (CaseFields e : d.list("events", false)) {
      CaseFields ev = e.only(Set.of("type", "status", "version", "message", "ago"));
      events.add(new EventSeed(ev.required("type"), ev.status("status", null), ev.text("version", null),
          ev.text("message", null), ev.duration("ago", Duration.ZERO)));
    }
    return new DeploymentSeed(d.required("name"), d.status("status", "RUNNING"), d.text("version", null),
        d.text("latestVersion", null), d.duration("age", Duration.ofDays(30)), d.text("backupSchedule", null),
        d.duration("lastBackupAgo", null), d.text("lastBackupStatus", null), events);
  }

  private static Expectation expectation(CaseFields e) {
    CaseFields x = e.only(Set.of("page", "severity", "action", "toVersion", "deployment", "maxActions", "forbid",
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
}
