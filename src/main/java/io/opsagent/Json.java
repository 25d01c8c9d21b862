package io.opsagent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.commons.lang3.StringUtils;

/**
 * The JSON configuration of the whole program, made once (an {@link ObjectMapper} is thread-safe
 * once configured): ISO-8601 instants, lenient on unknown fields. {@link #CANONICAL} sorts map keys
 * too, for what is hashed (the audit chain, repeated tool calls), so equal content gives equal bytes.
 * Also the one text-truncation rule.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static final ObjectMapper CANONICAL = MAPPER.copy()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Json() {}

  /** {@code text} cut to at most {@code max} characters, ending with "…" when cut; null stays null. */
  public static String truncate(String text, int max) {
    return StringUtils.abbreviate(text, "…", max);
  }
}
