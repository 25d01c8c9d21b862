package io.opsagent;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An enum with a wire name: how its constants are stored, sent, shown and read back (JSON included,
 * through {@link JsonValue}). By default the constant's name in lower case; an enum whose contract
 * spells it otherwise overrides {@link #wire()}. The one lookup of a wire name is {@link #find}.
 */
public interface Wire {
  @JsonValue
  default String wire() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
  }

  /** The constant of {@code type} whose wire name is {@code value}; empty for null or any other. */
  static <E extends Enum<E> & Wire> Optional<E> find(Class<E> type, String value) {
    return Arrays.stream(type.getEnumConstants()).filter(e -> e.wire().equals(value)).findFirst();
  }

  /**
   * The constant of {@code type} named {@code value}; otherwise an {@link IllegalArgumentException}
   * "{@code what} must be one of a, b, c; got 'value'".
   */
  static <E extends Enum<E> & Wire> E parse(Class<E> type, String value, String what) {
    return find(type, value).orElseThrow(() -> new IllegalArgumentException(
        what + " must be one of " + names(type) + "; got '" + value + "'"));
  }

  /** {@link #parse}, with null for null (a nullable column). */
  static <E extends Enum<E> & Wire> E parseNullable(Class<E> type, String value, String what) {
    return value == null ? null : parse(type, value, what);
  }

  /** The wire names of {@code type}, comma-separated, in declaration order. */
  static <E extends Enum<E> & Wire> String names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Wire::wire).collect(Collectors.joining(", "));
  }
}
