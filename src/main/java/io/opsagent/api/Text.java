package io.opsagent.api;

import java.util.Collection;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the API accepts as text: no NUL, no unpaired surrogate, and in single-line values no control character. */
final class Text {
  private Text() {}

  /** Why {@code s} is refused ("must not contain …"), or empty when it is acceptable. */
  static Optional<String> problem(String s, boolean multiLine) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return Optional.of("must not contain a NUL character");
      }
      if (Character.isISOControl(c) && !(multiLine && (c == '\n' || c == '\r' || c == '\t'))) {
        return Optional.of(multiLine
            ? "must not contain control characters other than tab and line breaks"
            : "must not contain control characters (such as line breaks or tabs)");
      }
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return Optional.of("must not contain an unpaired surrogate (not valid Unicode)");
      }
    }
    return Optional.empty();
  }

  /** {@code 'a', 'b'}, each value cut to 40 characters and stripped of control characters. */
  static String quoted(Collection<String> values) {
    return values.stream()
        .map(v -> "'" + v.chars().filter(c -> !Character.isISOControl(c)).limit(40)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + "'")
        .collect(Collectors.joining(", "));
  }
}
