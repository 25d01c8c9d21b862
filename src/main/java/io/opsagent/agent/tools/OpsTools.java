package io.opsagent.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.opsagent.Json;
import io.opsagent.agent.llm.ToolSpec;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tools offered to the model (after the original {@code tools.ts}), each with its JSON schema
 * and its {@link ActionClass}.
 *
 * <p>Guarantees: the registry refuses to start with a tool without an action class or with a
 * duplicate name; the definitions sent to the model are the same bytes for every tenant and cycle.
 * Every call goes through one pipeline (see {@code ToolSession}): validate against the schema (the very
 * schema sent to the model, by a JSON Schema validator: {@link #problems}), check
 * that a {@code workspaceId} belongs to the cycle's tenant, pass the {@link ActionGate}, execute,
 * record. Handlers therefore only ever see valid, in-scope, admitted input.
 */
public final class OpsTools {
  public static final String GET_INFRASTRUCTURE_OVERVIEW = "getInfrastructureOverview";
  public static final String SEND_ALERT = "sendAlert";
  public static final String RECORD_ACTION = "recordAction";
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  /** What a handler may know about the call: whose cycle it is and the state gathered for it. */
  public record CallContext(String tenantId, String runId, String stateJson) {}

  /** Executes a validated, admitted call and returns the text the model gets back. */
  public interface Handler {
    String execute(CallContext context, JsonNode input) throws Exception;
  }

  public record Definition(String name, String description, ObjectNode inputSchema,
      ActionClass actionClass, Handler handler) {}

  private final Map<String, Definition> byName = new LinkedHashMap<>();
  private final Map<String, Schema> schemas = new LinkedHashMap<>();
  private final List<ToolSpec> specs;

  public OpsTools(List<Definition> definitions) {
    for (Definition d : definitions) {
      Objects.requireNonNull(d.name(), "tool name");
      if (d.actionClass() == null) {
        throw new IllegalArgumentException("tool '" + d.name() + "' has no ActionClass (SAFE or MUTATING)");
      }
      if (d.inputSchema() == null || d.handler() == null) {
        throw new IllegalArgumentException("tool '" + d.name() + "' needs an input schema and a handler");
      }
      if (byName.putIfAbsent(d.name(), d) != null) {
        throw new IllegalArgumentException("tool '" + d.name() + "' is defined twice");
      }
      schemas.put(d.name(), SCHEMAS.getSchema(d.inputSchema().toString(), InputFormat.JSON));
    }
    this.specs = byName.values().stream()
        .map(d -> new ToolSpec(d.name(), d.description(), d.inputSchema())).toList();
  }

  /** The contract's three tools; {@code sendAlert} goes through {@code notifier}, outside incidents. */
  public static OpsTools standard(Notifier notifier) {
    return standard(notifier, null);
  }

  /**
   * The contract's three tools; {@code sendAlert} goes through {@code notifier}, and an alert naming
   * a {@code deploymentId} through {@code incidents} (paged once per open incident).
   */
  public static OpsTools standard(Notifier notifier, Incidents incidents) {
    return new OpsTools(List.of(
        new Definition(GET_INFRASTRUCTURE_OVERVIEW,
            "Returns the tenant's infrastructure state gathered at the start of this cycle (the same"
                + " document as in the first message).",
            schema(), ActionClass.SAFE, (ctx, in) -> ctx.stateJson()),
        new Definition(SEND_ALERT,
            "Sends an alert to the notification channels of a workspace (and the tenant-wide ones)."
                + " Use for anything a person should know about. Name the deploymentId when the alert"
                + " is about one deployment: it then belongs to that deployment's incident, which pages"
                + " once (code pages a FAILED or DEGRADED report by itself), is re-sent while"
                + " unacknowledged and is resolved automatically when the deployment recovers; an alert"
                + " on an incident already paged goes out as an update of it (your diagnosis).",
            optional(schema("workspaceId", 64, null, "severity", 16, List.of("critical", "warning", "info"),
                "title", 200, null, "body", 4000, null), "deploymentId", 64),
            ActionClass.SAFE, (ctx, in) -> sendAlert(notifier, incidents, ctx, in)),
        new Definition(RECORD_ACTION,
            "Records a decision or action, with your reasoning and its result, in this run's audit trail.",
            schema("action", 200, null, "reasoning", 4000, null, "result", 4000, null),
            ActionClass.SAFE, (ctx, in) -> "recorded")));
  }

  /** These tools plus {@code more} (the health, version and backup tools of later phases). */
  public OpsTools plus(List<Definition> more) {
    List<Definition> all = new java.util.ArrayList<>(byName.values());
    all.addAll(more);
    return new OpsTools(all);
  }

  public List<ToolSpec> specs() {
    return specs;
  }

  /** True for the tools that notify people ({@code sendAlert}): recorded, not executed, in dry-run. */
  public boolean notifies(String name) {
    return SEND_ALERT.equals(name);
  }

  public Optional<Definition> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * Every way {@code input} breaks the input schema of tool {@code name}, in one message
   * ({@code "'title': must be at least 1 characters long; required property 'body' not found"});
   * empty when it is valid.
   */
  public Optional<String> problems(String name, JsonNode input) {
    List<com.networknt.schema.Error> errors = schemas.get(name)
        .validate(input == null ? "null" : input.toString(), InputFormat.JSON);
    return errors.isEmpty() ? Optional.empty() : Optional.of(errors.stream().map(e -> {
      String at = e.getInstanceLocation().toString();
      return at.isEmpty() ? e.getMessage() : "'" + at.substring(1) + "': " + e.getMessage();
    }).collect(Collectors.joining("; ")));
  }

  private static String sendAlert(Notifier notifier, Incidents incidents, CallContext ctx, JsonNode in) {
    String deploymentId = in.path("deploymentId").asText(null);
    Alert alert = new Alert(ctx.tenantId(), in.get("workspaceId").asText(),
        Severity.fromWire(in.get("severity").asText()), in.get("title").asText(),
        in.get("body").asText(), ctx.runId(), deploymentId, null, Alert.FIRING, Alert.BY_MODEL);
    if (deploymentId != null && incidents != null) {
      return incidents.alert(alert).describe();
    }
    List<String> deliveries = notifier.send(alert);
    return deliveries.isEmpty()
        ? "no enabled notification channel matches this workspace; the alert was not delivered"
        : "alert queued for delivery to " + deliveries.size() + " channel(s)";
  }

  /** {@code schema} with one more, optional, string property. */
  private static ObjectNode optional(ObjectNode schema, String name, int maxLength) {
    ((ObjectNode) schema.get("properties")).putObject(name).put("type", "string").put("minLength", 1)
        .put("maxLength", maxLength);
    return schema;
  }

  /** An object schema of required string properties: (name, maxLength, enum-or-null) triples. */
  private static ObjectNode schema(Object... triples) {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    ObjectNode props = s.putObject("properties");
    var required = JSON.createArrayNode();
    for (int i = 0; i < triples.length; i += 3) {
      String name = (String) triples[i];
      ObjectNode p = props.putObject(name).put("type", "string");
      @SuppressWarnings("unchecked") List<String> values = (List<String>) triples[i + 2];
      if (values != null) {
        values.forEach(p.putArray("enum")::add);
      } else {
        p.put("minLength", 1);
      }
      p.put("maxLength", (Integer) triples[i + 1]);
      required.add(name);
    }
    if (!required.isEmpty()) {
      s.set("required", required);
    }
    s.put("additionalProperties", false);
    return s;
  }
}
