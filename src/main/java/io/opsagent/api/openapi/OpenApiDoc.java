package io.opsagent.api.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small builder of an OpenAPI 3.0 document: operations with their path and query parameters,
 * request body, responses, and the shared schemas they refer to. Path parameters are read from the
 * path's {@code {name}} segments; every operation answers errors as the {@code Error} schema, and
 * those under {@code /api/} need the bearer token.
 */
final class OpenApiDoc {
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

  private final ObjectNode root = JSON.createObjectNode();
  private final ObjectNode paths;
  private final ObjectNode schemas;

  OpenApiDoc(String title, String version, String description) {
    root.put("openapi", "3.0.3");
    root.putObject("info").put("title", title).put("version", version).put("description", description);
    paths = root.putObject("paths");
    ObjectNode components = root.putObject("components");
    schemas = components.putObject("schemas");
    components.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
    schema("Error", object().put("description", "every error body, 404 included")
        .set("properties", JSON.createObjectNode().set("error", string("what went wrong, for the caller"))));
  }

  /** A named shared schema of an object with these properties: {@code name, type-or-$Ref, description} triples. */
  OpenApiDoc schema(String name, String description, String... triples) {
    ObjectNode s = object().put("description", description);
    ObjectNode props = s.putObject("properties");
    for (int i = 0; i < triples.length; i += 3) {
      props.set(triples[i], type(triples[i + 1]).put("description", triples[i + 2]));
    }
    schemas.set(name, s);
    return this;
  }

  private void schema(String name, ObjectNode s) {
    schemas.set(name, s);
  }

  Op op(String method, String path, String summary) {
    ObjectNode item = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
    ObjectNode op = item.putObject(method.toLowerCase(Locale.ROOT)).put("summary", summary)
        .put("operationId", method.toLowerCase(Locale.ROOT) + operationName(path));
    ArrayNode params = op.putArray("parameters");
    Matcher m = PATH_PARAM.matcher(path);
    while (m.find()) {
      params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
          .set("schema", string(null));
    }
    op.putObject("responses").set("default", response("an error", "$Error"));
    if (path.startsWith("/api/")) {
      op.putArray("security").addObject().putArray("bearer");
    } else {
      op.putArray("security");
    }
    return new Op(op);
  }

  ObjectNode json() {
    return root;
  }

  /** One operation, being described. */
  static final class Op {
    private final ObjectNode op;

    private Op(ObjectNode op) {
      this.op = op;
    }

    Op query(String name, String type, String description) {
      ((ArrayNode) op.get("parameters")).addObject().put("name", name).put("in", "query")
          .put("required", false).put("description", description).set("schema", type(type));
      return this;
    }

    /** A JSON request body: {@code name, type-or-$Ref, description} triples; a name ending in ? is optional. */
    Op body(String... triples) {
      ObjectNode s = object();
      ObjectNode props = s.putObject("properties");
      ArrayNode required = JSON.createArrayNode();
      for (int i = 0; i < triples.length; i += 3) {
        String name = triples[i];
        boolean optional = name.endsWith("?");
        name = optional ? name.substring(0, name.length() - 1) : name;
        props.set(name, type(triples[i + 1]).put("description", triples[i + 2]));
        if (!optional) {
          required.add(name);
        }
      }
      if (!required.isEmpty()) {
        s.set("required", required);
      }
      op.putObject("requestBody").put("required", !required.isEmpty()).putObject("content")
          .putObject("application/json").set("schema", s);
      return this;
    }

    /** A response: {@code type} is {@code $Name}, {@code [$Name]} (a list), a primitive type, or null (no body). */
    Op answers(int status, String description, String type) {
      ((ObjectNode) op.get("responses")).set(Integer.toString(status), response(description, type));
      return this;
    }

    Op text(int status, String description, String mediaType) {
      ObjectNode r = ((ObjectNode) op.get("responses")).putObject(Integer.toString(status))
          .put("description", description);
      r.putObject("content").putObject(mediaType).putObject("schema").put("type", "string");
      return this;
    }
  }

  private static ObjectNode response(String description, String type) {
    ObjectNode r = JSON.createObjectNode().put("description", description);
    if (type != null) {
      r.putObject("content").putObject("application/json").set("schema", type(type));
    }
    return r;
  }

  private static ObjectNode type(String type) {
    if (type.startsWith("[")) {
      ObjectNode a = JSON.createObjectNode().put("type", "array");
      a.set("items", type(type.substring(1, type.length() - 1)));
      return a;
    }
    if (type.startsWith("$")) {
      return JSON.createObjectNode().put("$ref", "#/components/schemas/" + type.substring(1));
    }
    if (type.contains("|")) {
      ObjectNode e = JSON.createObjectNode().put("type", "string");
      for (String v : type.split("\\|")) {
        e.withArray("enum").add(v);
      }
      return e;
    }
    return switch (type) {
      case "date-time" -> JSON.createObjectNode().put("type", "string").put("format", "date-time");
      case "object" -> JSON.createObjectNode().put("type", "object");
      default -> JSON.createObjectNode().put("type", type);
    };
  }

  private static ObjectNode string(String description) {
    ObjectNode s = JSON.createObjectNode().put("type", "string");
    return description == null ? s : s.put("description", description);
  }

  private static ObjectNode object() {
    return JSON.createObjectNode().put("type", "object");
  }

  private static String operationName(String path) {
    StringBuilder b = new StringBuilder();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals("api")) {
        continue;
      }
      String p = part.replace("{", "By-").replace("}", "");
      for (String w : p.split("-")) {
        if (!w.isEmpty()) {
          b.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        }
      }
    }
    return b.toString();
  }
}
