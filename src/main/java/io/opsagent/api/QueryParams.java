package io.opsagent.api;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The query parameters of a route that takes some: a name the route does not know, or one given
 * twice, is a 400 (a misspelt filter must not silently return everything). Values are checked by
 * Javalin's validators ({@code ctx.queryParamAsClass}), whose errors become our 400
 * {@code {"error": "..."}} with a message naming the parameter.
 */
public final class QueryParams {
  private static final int MAX_VALUE = 200;

  private final Context ctx;
  private final Map<String, List<String>> params;

  private QueryParams(Context ctx, Map<String, List<String>> params) {
    this.ctx = ctx;
    this.params = params;
  }

  public static QueryParams of(Context ctx, String... accepted) {
    Map<String, List<String>> params = ctx.queryParamMap();
    Set<String> known = Set.of(accepted);
    List<String> unknown = new ArrayList<>();
    for (var e : params.entrySet()) {
      if (!known.contains(e.getKey())) {
        unknown.add(e.getKey());
      } else if (e.getValue().size() > 1) {
        throw ApiException.badRequest("query parameter '" + e.getKey() + "' is given more than once");
      }
    }
    if (!unknown.isEmpty()) {
      throw ApiException.badRequest("unknown query parameter(s) " + Text.quoted(unknown)
          + (accepted.length == 0 ? "; this route takes none" : "; accepted: " + String.join(", ", accepted)));
    }
    return new QueryParams(ctx, params);
  }

  public Optional<String> get(String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.get(0).isEmpty()) {
      throw ApiException.badRequest("query parameter '" + name + "' must not be empty");
    }
    String invalid = "query parameter '" + name + "' is not valid";
    return Optional.of(ctx.queryParamAsClass(name, String.class)
        .check(v -> v.length() <= MAX_VALUE && Text.problem(v, false).isEmpty(), invalid)
        .getOrThrow(errors -> ApiException.badRequest(invalid)));
  }

  public int limit(int byDefault, int max) {
    return intBetween("limit", byDefault, max);
  }

  /** The whole number {@code name}, from 1 to {@code max}; {@code byDefault} when absent. */
  public int intBetween(String name, int byDefault, int max) {
    if (get(name).isEmpty()) {
      return byDefault;
    }
    String rule = name + " must be an integer between 1 and " + max;
    return ctx.queryParamAsClass(name, Integer.class)
        .check(n -> n >= 1 && n <= max, rule)
        .getOrThrow(errors -> ApiException.badRequest(rule));
  }

  /** A value of a closed set, parsed by {@code parse} (which throws on anything else). */
  public <E> Optional<E> oneOf(String name, Function<String, E> parse, String accepted) {
    return get(name).map(raw -> {
      try {
        return parse.apply(raw);
      } catch (RuntimeException e) {
        throw ApiException.badRequest(name + " must be one of " + accepted);
      }
    });
  }
}
