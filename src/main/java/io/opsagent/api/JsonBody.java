package io.opsagent.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.type.ReferenceType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.javalin.http.Context;
import io.opsagent.Json;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * A request's JSON body bound to a record by Jackson and checked by Bean Validation, with one rule for
 * every route: a field the record does not have is a 400 naming it (a typo must not be silently
 * ignored), as is a value of the wrong type (no coercion: {@code "1"} is not a number, {@code 1} not
 * a string) and a value its constraints refuse. The body must be valid UTF-8 (nothing is silently
 * replaced) of at most {@link #MAX_BYTES} (a route may allow more); text values are stripped of
 * surrounding white space. A field inside a list of objects is named by its place
 * ({@code workspaces[0].deployments[2].name}).
 *
 * <p>A record whose components are {@link Optional} describes a change: a component absent from the
 * body is {@code null}, one given as JSON {@code null} is {@link Optional#empty()} (clear it), and a
 * body that gives none is refused ({@link #readChange}).
 */
public final class JsonBody {
  /** Where a handler that read the body before the route keeps it (the stream reads only once). */
  public static final String BODY_ATTRIBUTE = "opsagent.body";
  static final int MAX_BYTES = 1024 * 1024;

  private static final ObjectReader READER = binder().reader()
      .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  /** What a value of each type must be, for a value of another type. */
  private static final Map<Class<?>, String> KINDS = Map.of(String.class, "a string", Boolean.class, "true or false",
      boolean.class, "true or false", Number.class, "a whole number", long.class, "a whole number",
      int.class, "a whole number", Instant.class, "an ISO-8601 instant such as 2026-01-31T03:00:00Z",
      ObjectNode.class, "a JSON object", Record.class, "a JSON object", List.class, "a list");

  private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
      .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

  private JsonBody() {}

  /** The body of {@code ctx} as a {@code type}; a missing body is a 400. */
  public static <T> T read(Context ctx, Class<T> type) {
    return read(utf8(read(ctx)), type);
  }

  /** As {@link #read(Context, Class)}, the body of at most {@code maxBytes} (413 past it). */
  public static <T> T read(Context ctx, Class<T> type, int maxBytes) {
    return read(utf8(read(ctx, maxBytes)), type);
  }

  /** The body of {@code ctx} as a {@code type}, or empty when there is none (blank). */
  public static <T> Optional<T> readOptional(Context ctx, Class<T> type) {
    String raw = utf8(read(ctx));
    return raw.isBlank() ? Optional.empty() : Optional.of(read(raw, type));
  }

  /** A change: as {@link #read}, refusing a body that names no field of {@code type}. */
  public static <T extends Record> T readChange(Context ctx, Class<T> type) {
    T change = read(ctx, type);
    if (change.equals(read("{}", type))) {
      throw ApiException.badRequest("no field to change; accepted: " + accepted(type));
    }
    return change;
  }

  static <T> T read(String raw, Class<T> type) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    T value;
    try {
      value = READER.forType(type).readValue(raw);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(describe(e, type));
    }
    if (value == null) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    VALIDATOR.validate(value).stream()
        .min(Comparator.comparing(v -> field(v.getPropertyPath())))
        .ifPresent(v -> {
          throw ApiException.badRequest("'" + field(v.getPropertyPath()) + "' " + v.getMessage());
        });
    return value;
  }

  /**
   * The program's mapper made strict: no scalar coercion (a string is not a number or a boolean, a
   * number or boolean not a string), {@code Optional} components, text stripped of surrounding white space.
   */
  private static ObjectMapper binder() {
    ObjectMapper m = Json.MAPPER.copy().registerModule(new Jdk8Module())
        .registerModule(new SimpleModule().addDeserializer(String.class, new StrippedString())
            .setDeserializerModifier(new BeanDeserializerModifier() {
              @Override
              public JsonDeserializer<?> modifyReferenceDeserializer(DeserializationConfig config,
                  ReferenceType type, BeanDescription bean, JsonDeserializer<?> deserializer) {
                return new AbsentAsNull(deserializer);
              }
            }));
    m.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
    List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)
        .forEach(shape -> m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail));
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    return m;
  }

  /** An {@code Optional} component absent from the body is null (JSON null stays {@code Optional.empty()}). */
  private static final class AbsentAsNull extends DelegatingDeserializer {
    AbsentAsNull(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new AbsentAsNull(delegate);
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
      return null;
    }
  }

  private static final class StrippedString extends StdScalarDeserializer<String> {
    StrippedString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String s = StringDeserializer.instance.deserialize(p, ctxt);
      return s == null ? null : s.strip();
    }
  }

  /** The field of the body a violation concerns: {@code name}, or {@code list[0].name} inside a list. */
  private static String field(Path path) {
    StringBuilder out = new StringBuilder();
    for (Path.Node node : path) {
      if (out.length() > 0 && (node.getIndex() != null || node.getKey() != null)) {
        out.append('[').append(node.getIndex() != null ? node.getIndex() : node.getKey()).append(']');
      }
      String name = node.getName();
      if (name != null && !name.startsWith("<")) { // not a container's element ("<list element>")
        out.append(out.length() > 0 ? "." : "").append(name);
      }
    }
    return out.length() > 0 ? out.toString() : path.toString();
  }

  /** Where in the body Jackson stopped: {@code name}, or {@code list[0].name} inside a list. */
  private static String field(List<JsonMappingException.Reference> path) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        out.append(out.length() > 0 ? "." : "").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String accepted(Class<?> type) {
    return type.isRecord() ? Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).sorted()
        .collect(Collectors.joining(", ")) : "none";
  }

  /** The raw body, at most {@link #MAX_BYTES} (413 past it); read once, then kept for the route. */
  public static byte[] read(Context ctx) {
    return read(ctx, MAX_BYTES);
  }

  private static byte[] read(Context ctx, int maxBytes) {
    byte[] read = ctx.attribute(BODY_ATTRIBUTE); // already read by the access guard
    if (read != null) {
      return read;
    }
    String tooLarge = maxBytes == MAX_BYTES ? ApiErrors.forStatus(413, ctx)
        : "request body too large (at most " + maxBytes / (1024 * 1024) + " MiB)";
    if (ctx.req().getContentLengthLong() > maxBytes) {
      throw new ApiException(413, tooLarge);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw new ApiException(413, tooLarge);
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

  /** Jackson's complaint in our words, naming the field, without its internals (class names, source excerpts). */
  private static String describe(JsonProcessingException e, Class<?> type) {
    if (e instanceof UnrecognizedPropertyException u) {
      String at = field(u.getPath().subList(0, Math.max(0, u.getPath().size() - 1)));
      return (at.isEmpty() ? "" : at + ": ") + "unknown field " + Text.quoted(List.of(u.getPropertyName()))
          + "; accepted: " + accepted(u.getReferringClass() == null ? type : u.getReferringClass());
    }
    if (e instanceof MismatchedInputException m) {
      return m.getPath().isEmpty() || m.getPath().get(0).getFieldName() == null ? "request body must be a JSON object"
          : "'" + field(m.getPath()) + "' must be " + KINDS.entrySet().stream()
              .filter(k -> m.getTargetType() != null && k.getKey().isAssignableFrom(m.getTargetType()))
              .map(Map.Entry::getValue).findFirst().orElse("of another type");
    }
    if (e instanceof StreamConstraintsException) {
      return "malformed JSON: the document nests too deeply or holds a value too long";
    }
    var at = e.getLocation();
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().split("\n", 2)[0];
    boolean plain = !original.isBlank() && !original.matches("(?is).*(`|com\\.|jackson|Source:).*")
        && original.length() <= 200;
    return "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
        + (plain ? ": " + original : "");
  }
}
