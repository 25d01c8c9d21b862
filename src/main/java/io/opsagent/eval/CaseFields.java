package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** One object of a case file, read field by field with the field's path for messages. */
record CaseFields(String source, String path, JsonNode node, Set<String> allowed) {
  CaseFields {
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

  CaseFields only(Set<String> fields) {
    return new CaseFields(source, path, node, fields);
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
    if (v != null && !CaseLoader.STATUSES.contains(v)) {
      throw bad(field, "'" + v + "' is not a deployment status; one of " + new java.util.TreeSet<>(CaseLoader.STATUSES));
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

  CaseFields object(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw bad(field, "is required");
    }
    return new CaseFields(source, at(path, field), v, null);
  }

  List<CaseFields> list(String field, boolean required) {
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
    List<CaseFields> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(new CaseFields(source, at(path, field) + "[" + i + "]", v.get(i), null));
    }
    return out;
  }
}
