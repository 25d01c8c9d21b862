package io.opsagent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** A request's JSON object body with validating accessors: every problem is a 400 with a message. */
final class JsonBody {
  private final ObjectNode node;

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  static JsonBody parse(ObjectMapper json, String raw) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    JsonNode node;
    try {
      node = json.readTree(raw);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    return new JsonBody(object);
  }

  String required(String field, int maxLength) {
    return optional(field, maxLength)
        .orElseThrow(() -> ApiException.badRequest("'" + field + "' is required"));
  }

  Optional<String> optional(String field, int maxLength) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest("'" + field + "' must be a string");
    }
    String s = v.asText().strip();
    if (s.isEmpty()) {
      throw ApiException.badRequest("'" + field + "' must not be empty");
    }
    if (s.length() > maxLength) {
      throw ApiException.badRequest("'" + field + "' must be at most " + maxLength + " characters");
    }
    return Optional.of(s);
  }

  ObjectNode requiredObject(String field) {
    JsonNode v = node.get(field);
    if (!(v instanceof ObjectNode o)) {
      throw ApiException.badRequest("'" + field + "' is required and must be a JSON object");
    }
    return o;
  }
}
