package io.opsagent.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Checks a tool input against the subset of JSON Schema our tools use: an object with string
 * properties ({@code enum}, {@code minLength}, {@code maxLength}), {@code required}, and
 * {@code additionalProperties: false}. Returns every problem found, in one message.
 */
public final class InputValidator {
  private InputValidator() {}

  public static Optional<String> problems(ObjectNode schema, JsonNode input) {
    if (input == null || !input.isObject()) {
      return Optional.of("input must be a JSON object");
    }
    List<String> problems = new ArrayList<>();
    JsonNode props = schema.path("properties");
    for (JsonNode r : schema.path("required")) {
      if (!input.has(r.asText()) || input.get(r.asText()).isNull()) {
        problems.add("'" + r.asText() + "' is required");
      }
    }
    for (Iterator<String> it = input.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode prop = props.get(name);
      if (prop == null) {
        if (!schema.path("additionalProperties").asBoolean(true)) {
          problems.add("unexpected property '" + name + "'");
        }
        continue;
      }
      check(name, prop, input.get(name), problems);
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  private static void check(String name, JsonNode prop, JsonNode value, List<String> problems) {
    if (!"string".equals(prop.path("type").asText()) || value.isNull()) {
      return;
    }
    if (!value.isTextual()) {
      problems.add("'" + name + "' must be a string");
      return;
    }
    String s = value.asText();
    if (prop.has("minLength") && s.length() < prop.get("minLength").asInt()) {
      problems.add("'" + name + "' must not be empty");
    }
    if (prop.has("maxLength") && s.length() > prop.get("maxLength").asInt()) {
      problems.add("'" + name + "' is longer than " + prop.get("maxLength").asInt() + " characters");
    }
    if (prop.has("enum")) {
      List<String> allowed = new ArrayList<>();
      prop.get("enum").forEach(e -> allowed.add(e.asText()));
      if (!allowed.contains(s)) {
        problems.add("'" + name + "' must be one of " + allowed);
      }
    }
  }
}
