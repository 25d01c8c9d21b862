package io.opsagent.platform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Matches inventory items to the live objects of one parent: by external id, or else an object of
 * the API without an external id and with the item's name (adopted: it gets the item's external id).
 * Each object matches at most one item.
 */
final class Matcher<T> {
  record Match<T>(T object, boolean adopted) {}

  private final Function<T, String> id;
  private final Function<T, String> source;
  private final Map<String, T> byExternalId = new HashMap<>();
  private final Map<String, T> adoptableByName = new HashMap<>();
  private final Map<String, T> all = new LinkedHashMap<>();
  private final Map<String, Match<T>> matched = new HashMap<>(); // by the item's external id
  private final Map<String, T> taken = new HashMap<>(); // by the object's id

  Matcher(List<T> objects, Function<T, String> id, Function<T, String> externalId, Function<T, String> name,
      Function<T, String> source) {
    this.id = id;
    this.source = source;
    for (T o : objects) {
      all.put(id.apply(o), o);
      if (externalId.apply(o) != null) {
        byExternalId.putIfAbsent(externalId.apply(o), o);
      } else if (Source.API.equals(source.apply(o))) {
        adoptableByName.putIfAbsent(name.apply(o), o);
      }
    }
  }

  /** The object this item is, or null when it is new. */
  Match<T> find(String externalId, String name) {
    T o = byExternalId.get(externalId);
    boolean adopted = false;
    if (o == null) {
      o = adoptableByName.get(name);
      adopted = true;
    }
    if (o == null || taken.containsKey(id.apply(o))) {
      return null;
    }
    taken.put(id.apply(o), o);
    Match<T> m = new Match<>(o, adopted);
    matched.put(externalId, m);
    return m;
  }

  Match<T> matchOf(String externalId) {
    return matched.get(externalId);
  }

  /** The objects no item matched. */
  List<T> unmatched() {
    List<T> out = new ArrayList<>();
    all.values().forEach(o -> {
      if (!taken.containsKey(id.apply(o))) {
        out.add(o);
      }
    });
    return out;
  }

  /** The matched objects of another source (left as they are). */
  List<T> matchedForeign() {
    return taken.values().stream().filter(o -> !Source.API.equals(source.apply(o))).toList();
  }
}
