package io.opsagent.api;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * One route of the worker, the single place it is declared: the server registers its {@link #handler}
 * and the OpenAPI document ({@link io.opsagent.api.openapi.OpenApi}) describes it from the same entry:
 * summary, query parameters, the request record (its schema read from the record) and the answers.
 * {@link #accessRoles} names the roles allowed to call it. A route without handler is served by
 * another component (the dashboard) and only described here.
 */
public record ApiRoute(HandlerType method, String path, String summary, Handler handler, Class<?> body,
    List<Query> query, List<Answer> answers, List<String> accessRoles) {

  /** The role every route needs for now: the API token's. */
  public static final List<String> ADMIN = List.of("admin");

  /** A query parameter: {@code integer} or {@code string}. */
  public record Query(String name, String type, String description) {}

  /**
   * A response: {@code type} is the record its JSON is read from (null: no body, or {@code mediaType}
   * text), {@code list} a JSON array of them.
   */
  public record Answer(int status, String description, Class<?> type, boolean list, String mediaType) {}

  public static ApiRoute get(String path, String summary, Handler handler) {
    return of(HandlerType.GET, path, summary, handler);
  }

  public static ApiRoute post(String path, String summary, Handler handler) {
    return of(HandlerType.POST, path, summary, handler);
  }

  public static ApiRoute put(String path, String summary, Handler handler) {
    return of(HandlerType.PUT, path, summary, handler);
  }

  public static ApiRoute patch(String path, String summary, Handler handler) {
    return of(HandlerType.PATCH, path, summary, handler);
  }

  public static ApiRoute delete(String path, String summary, Handler handler) {
    return of(HandlerType.DELETE, path, summary, handler);
  }

  public static ApiRoute of(HandlerType method, String path, String summary, Handler handler) {
    return new ApiRoute(method, path, summary, handler, null, List.of(), List.of(), ADMIN);
  }

  /** The request body: a record bound by {@link JsonBody}. */
  public ApiRoute body(Class<?> type) {
    return new ApiRoute(method, path, summary, handler, type, query, answers, accessRoles);
  }

  public ApiRoute query(String name, String type, String description) {
    List<Query> q = new ArrayList<>(query);
    q.add(new Query(name, type, description));
    return new ApiRoute(method, path, summary, handler, body, List.copyOf(q), answers, accessRoles);
  }

  /** A JSON answer of one {@code type} (null: none). */
  public ApiRoute answers(int status, String description, Class<?> type) {
    return answer(new Answer(status, description, type, false, "application/json"));
  }

  /** A JSON answer: an array of {@code type}. */
  public ApiRoute answersList(int status, String description, Class<?> type) {
    return answer(new Answer(status, description, type, true, "application/json"));
  }

  /** A text answer ({@code text/html}, {@code text/plain}…). */
  public ApiRoute text(int status, String description, String mediaType) {
    return answer(new Answer(status, description, null, false, mediaType));
  }

  public ApiRoute roles(List<String> roles) {
    return new ApiRoute(method, path, summary, handler, body, query, answers, List.copyOf(roles));
  }

  private ApiRoute answer(Answer a) {
    List<Answer> all = new ArrayList<>(answers);
    all.add(a);
    return new ApiRoute(method, path, summary, handler, body, query, List.copyOf(all), accessRoles);
  }
}
