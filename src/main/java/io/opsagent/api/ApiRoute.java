package io.opsagent.api;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * One route of the worker, the single place it is declared: the server registers its {@link #handler}
 * and the OpenAPI document ({@link io.opsagent.api.openapi.OpenApi}) describes it from the same entry:
 * summary, query parameters, the request record (its schema read from the record) and the answers.
 * {@link #accessRoles} names the roles that may call it. A route without handler is served by another
 * component (the dashboard) and only described here.
 */
public record ApiRoute(HandlerType method, String path, String summary, Handler handler, Class<?> body,
    List<Query> query, List<Answer> answers, List<String> accessRoles) {

  /** A query parameter: {@code integer} or {@code string}. */
  public record Query(String name, String type, String description) {}

  /** A response: JSON read from the record {@code type} (an array of them if {@code list}), or text. */
  public record Answer(int status, String description, Class<?> type, boolean list, String mediaType) {}

  /** A route for the admin role (the server applies the access table): {@code route} is {@code "GET /api/tenants"}. */
  public static ApiRoute of(String route, String summary, Handler handler) {
    String[] methodAndPath = route.split(" ", 2);
    return new ApiRoute(HandlerType.valueOf(methodAndPath[0]), methodAndPath[1], summary, handler, null,
        List.of(), List.of(), List.of("admin"));
  }

  /** The request body: a record bound by {@link JsonBody}. */
  public ApiRoute body(Class<?> type) {
    return new ApiRoute(method, path, summary, handler, type, query, answers, accessRoles);
  }

  public ApiRoute query(String name, String type, String description) {
    List<Query> all = new ArrayList<>(query);
    all.add(new Query(name, type, description));
    return new ApiRoute(method, path, summary, handler, body, List.copyOf(all), answers, accessRoles);
  }

  /** A JSON answer: one {@code type} (null: no body), or an array of them when {@code list}. */
  public ApiRoute answers(int status, String description, Class<?> type, boolean list) {
    List<Answer> all = new ArrayList<>(answers);
    all.add(new Answer(status, description, type, list, "application/json"));
    return new ApiRoute(method, path, summary, handler, body, query, List.copyOf(all), accessRoles);
  }

  public ApiRoute answers(int status, String description, Class<?> type) {
    return answers(status, description, type, false);
  }

  /** The roles that may call it, in place of {@code admin}. */
  public ApiRoute roles(String... roles) {
    return new ApiRoute(method, path, summary, handler, body, query, answers, List.of(roles));
  }

  /** A text answer ({@code text/html}, {@code text/plain}…). */
  public ApiRoute text(int status, String description, String mediaType) {
    List<Answer> all = new ArrayList<>(answers);
    all.add(new Answer(status, description, null, false, mediaType));
    return new ApiRoute(method, path, summary, handler, body, query, List.copyOf(all), accessRoles);
  }
}
