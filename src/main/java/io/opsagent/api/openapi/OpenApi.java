package io.opsagent.api.openapi;

import io.opsagent.api.ApiRoute;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3 document of the worker ({@code GET /openapi.json}), made from its route table: each
 * {@link ApiRoute} gives an operation with its path and query parameters, request body and answers;
 * the schemas are read from the request and response records by swagger-core. Every operation
 * answers errors as {@link ApiError}; those under {@code /api/} need the bearer token, and each lists
 * its {@code x-access-roles}.
 */
public final class OpenApi {
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
  private static final String DESCRIPTION = "The HTTP API of the opsagent worker. Everything under /api/"
      + " needs `Authorization: Bearer <OPSAGENT_API_TOKEN>` (401 otherwise). Every error is JSON"
      + " {\"error\": \"...\"}: 400 bad input (an unknown body field too), 401, 404 unknown route or object"
      + " (another tenant's object too), 405, 413, 503 while the database is unreachable. Routes that"
      + " take query parameters refuse unknown or repeated ones with 400.";

  /** Every error body, 404 included. */
  @io.swagger.v3.oas.annotations.media.Schema(name = "Error", description = "every error body, 404 included")
  public record ApiError(@io.swagger.v3.oas.annotations.media.Schema(description = "what went wrong, for the caller")
      String error) {}

  private final TreeMap<String, Schema> schemas = new TreeMap<>();

  private OpenApi() {}

  /** The document of {@code routes}, as JSON. */
  public static String json(String version, List<ApiRoute> routes) {
    return Json.pretty(new OpenApi().document(version, routes));
  }

  private OpenAPI document(String version, List<ApiRoute> routes) {
    Paths paths = new Paths();
    for (ApiRoute r : routes) {
      PathItem item = paths.computeIfAbsent(r.path(), p -> new PathItem());
      item.operation(PathItem.HttpMethod.valueOf(r.method().name()), operation(r));
    }
    Components components = new Components()
        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer"));
    components.setSchemas(schemas);
    return new OpenAPI().info(new Info().title("opsagent").version(version).description(DESCRIPTION))
        .paths(paths).components(components);
  }

  private Operation operation(ApiRoute r) {
    Operation op = new Operation().summary(r.summary())
        .operationId(r.method().name().toLowerCase(Locale.ROOT) + operationName(r.path()));
    Matcher m = PATH_PARAM.matcher(r.path());
    while (m.find()) {
      op.addParametersItem(new Parameter().name(m.group(1)).in("path").required(true).schema(new StringSchema()));
    }
    for (ApiRoute.Query q : r.query()) {
      op.addParametersItem(new Parameter().name(q.name()).in("query").required(false).description(q.description())
          .schema("integer".equals(q.type()) ? new IntegerSchema() : new StringSchema()));
    }
    op.setParameters(op.getParameters() == null ? List.of() : op.getParameters());
    if (r.body() != null) {
      op.requestBody(new RequestBody().required(true).content(content("application/json", schema(r.body()))));
    }
    ApiResponses responses = new ApiResponses()
        .addApiResponse("default", new ApiResponse().description("an error").content(content("application/json",
            schema(ApiError.class))));
    for (ApiRoute.Answer a : r.answers()) {
      Schema<?> s = a.type() == null ? null : a.list() ? new ArraySchema().items(schema(a.type())) : schema(a.type());
      ApiResponse response = new ApiResponse().description(a.description());
      if (s != null || !a.mediaType().equals("application/json")) {
        response.content(content(a.mediaType(), s == null ? new StringSchema() : s));
      }
      responses.addApiResponse(Integer.toString(a.status()), response);
    }
    op.responses(responses);
    op.security(r.path().startsWith("/api/") ? List.of(new SecurityRequirement().addList("bearer")) : List.of());
    op.addExtension("x-access-roles", r.accessRoles());
    return op;
  }

  /** A reference to the schema of {@code type}, read (with those it refers to) by swagger-core. */
  private Schema<?> schema(Class<?> type) {
    var resolved = ModelConverters.getInstance().readAllAsResolvedSchema(type);
    resolved.referencedSchemas.forEach(schemas::putIfAbsent);
    return new Schema<>().$ref("#/components/schemas/" + resolved.schema.getName());
  }

  private static Content content(String mediaType, Schema<?> schema) {
    return new Content().addMediaType(mediaType, new MediaType().schema(schema));
  }

  private static String operationName(String path) {
    StringBuilder b = new StringBuilder();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals("api")) {
        continue;
      }
      for (String w : part.replace("{", "By-").replace("}", "").split("-")) {
        if (!w.isEmpty()) {
          b.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        }
      }
    }
    return b.toString();
  }
}
