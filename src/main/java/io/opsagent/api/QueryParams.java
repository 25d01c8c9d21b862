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
 * twice, is a 400 (a misspelt filter must not silently return everything).
 */
public final class QueryParams {
  private final Map<String, List<String>> params;

  private QueryParams(Map<String, List<String>> params) {
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
    return new QueryParams(params);
  }

  public Optional<String> get(String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    String v = values.get(0);
    if (v.isEmpty()) {
      throw ApiException.badRequest("query parameter '" + name + "' must not be empty");
    }
    if (v.length() > 200 || Text.problem(v, false).isPresent()) {
      throw ApiException.badRequest("query parameter '" + name + "' is not valid");
    }
    return Optional.of(v);
  }

  public int limit(int byDefault, int max) {
    return get("limit").map(raw -> {
      try {
        int n = Integer.parseInt(raw);
        if (n >= 1 && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
      throw ApiException.badRequest("limit must be an integer between 1 and " + max);
    }).orElse(byDefault);
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
