package io.opsagent.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A request's JSON object body with validating accessors: every problem is a 400 whose message
 * names the field. The body must be valid UTF-8 (nothing is silently replaced) of at most
 * {@link #MAX_BYTES}; text values may not hold a NUL (which PostgreSQL cannot store) nor an unpaired
 * surrogate, and single-line values ({@link #required}, {@link #optional}: names, types, versions)
 * no control character at all.
 */
public final class JsonBody {
  /** Where a handler that read the body before the route keeps it (the stream reads only once). */
  public static final String BODY_ATTRIBUTE = "opsagent.body";
  static final int MAX_BYTES = 1024 * 1024;

  private final ObjectNode node;

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  /** Reads the body of {@code ctx} as strict UTF-8 (413 past {@link #MAX_BYTES}) and parses it. */
  public static JsonBody parse(ObjectMapper json, Context ctx) {
    return parse(json, utf8(read(ctx)));
  }

  public static JsonBody parse(ObjectMapper json, String raw) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    JsonNode node;
    try {
      node = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(raw);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(describe(e));
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    return new JsonBody(object);
  }

  /** A single-line text field that must be present. */
  public String required(String field, int maxLength) {
    return optional(field, maxLength)
        .orElseThrow(() -> ApiException.badRequest("'" + field + "' is required"));
  }

  /** A single-line text field (a name, type, version…): no control characters. */
  public Optional<String> optional(String field, int maxLength) {
    return text(field, maxLength, false);
  }

  /** A multi-line text field (a message): tabs and line breaks allowed, other control characters not. */
  public Optional<String> optionalText(String field, int maxLength) {
    return text(field, maxLength, true);
  }

  public Optional<Boolean> optionalBoolean(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw ApiException.badRequest("'" + field + "' must be true or false");
    }
    return Optional.of(v.booleanValue());
  }

  /** An ISO-8601 instant such as {@code 2026-01-31T03:00:00Z}. */
  public Optional<Instant> optionalInstant(String field) {
    return optional(field, 64).map(s -> {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest("'" + field + "' must be an ISO-8601 instant such as 2026-01-31T03:00:00Z");
      }
    });
  }

  public ObjectNode requiredObject(String field) {
    JsonNode v = node.get(field);
    if (!(v instanceof ObjectNode o)) {
      throw ApiException.badRequest("'" + field + "' is required and must be a JSON object");
    }
    return o;
  }

  public Optional<ObjectNode> optionalObject(String field) {
    return node.hasNonNull(field) ? Optional.of(requiredObject(field)) : Optional.empty();
  }

  /** A whole number of at least 0 (absent or null: empty). */
  public Optional<Long> optionalNonNegativeLong(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw ApiException.badRequest("'" + field + "' must be a whole number of at least 0, or null");
    }
    return Optional.of(v.longValue());
  }

  public boolean isEmpty() {
    return node.isEmpty();
  }

  public boolean has(String field) {
    return node.has(field);
  }

  /** True when {@code field} is present with the value {@code null} (clears it, where allowed). */
  public boolean isNull(String field) {
    return node.has(field) && node.get(field).isNull();
  }

  /** Refuses fields not in {@code allowed} (a typo must not be silently ignored) and an empty body. */
  public void allowOnly(Set<String> allowed) {
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        unknown.add(f);
      }
    }
    if (!unknown.isEmpty()) {
      throw ApiException.badRequest("unknown field(s) " + Text.quoted(unknown) + "; accepted: "
          + String.join(", ", new TreeSet<>(allowed)));
    }
    if (node.isEmpty()) {
      throw ApiException.badRequest("no field to change; accepted: " + String.join(", ", new TreeSet<>(allowed)));
    }
  }

  private Optional<String> text(String field, int maxLength, boolean multiLine) {
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
    Text.problem(s, multiLine).ifPresent(p -> {
      throw ApiException.badRequest("'" + field + "' " + p);
    });
    return Optional.of(s);
  }

  /** The raw body, at most {@link #MAX_BYTES} (413 past it); read once, then kept for the route. */
  public static byte[] read(Context ctx) {
    byte[] read = ctx.attribute(BODY_ATTRIBUTE); // already read by the access guard
    if (read != null) {
      return read;
    }
    if (ctx.req().getContentLengthLong() > MAX_BYTES) {
      throw new ApiException(413, ApiErrors.forStatus(413, ctx));
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new ApiException(413, ApiErrors.forStatus(413, ctx));
      }
      ctx.attribute(BODY_ATTRIBUTE, bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("request body is not valid UTF-8");
    }
  }

  /** Jackson's complaint without its internals (class names, source excerpts, configuration hints). */
  private static String describe(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return "malformed JSON: the document nests too deeply or holds a value too long";
    }
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().split("\n", 2)[0];
    boolean plain = !original.isBlank() && !original.contains("`") && !original.contains("com.")
        && !original.toLowerCase(java.util.Locale.ROOT).contains("jackson")
        && !original.contains("Source:") && original.length() <= 200;
    return "malformed JSON" + where + (plain ? ": " + original : "");
  }
}
