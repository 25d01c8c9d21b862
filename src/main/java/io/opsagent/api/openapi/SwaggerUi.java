package io.opsagent.api.openapi;

import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Swagger UI over {@code /openapi.json} at {@code /openapi}, served by the worker itself from the
 * swagger-ui webjar: the page, its stylesheet and scripts come from this host, nothing from outside
 * (the validator badge, which would call out, is switched off).
 */
public final class SwaggerUi {
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final Map<String, String> FILES = Map.of(
      "swagger-ui.css", "text/css; charset=utf-8",
      "swagger-ui-bundle.js", "text/javascript; charset=utf-8");
  private static final String PAGE = """
      <!doctype html>
      <html><head><meta charset="utf-8"><title>opsagent API</title>
      <link rel="stylesheet" href="/openapi/swagger-ui.css"></head>
      <body><div id="ui"></div>
      <script src="/openapi/swagger-ui-bundle.js"></script>
      <script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", validatorUrl: null});</script>
      </body></html>
      """;

  private final String version = webjarVersion();

  /** {@code GET /openapi} and {@code GET /openapi/{file}}. */
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("GET /openapi", "Swagger UI over this document, served by the worker; no auth",
            ctx -> ctx.html(PAGE)).text(200, "an HTML page", "text/html"),
        ApiRoute.of("GET /openapi/{file}", "Swagger UI's stylesheet and scripts; no auth", this::file)
            .text(200, "the file", "text/plain"));
  }

  private void file(Context ctx) {
    String name = ctx.pathParam("file");
    String type = FILES.get(name);
    if (type == null) {
      throw ApiException.notFound("file");
    }
    ctx.header("Cache-Control", "public, max-age=3600").contentType(type);
    InputStream in = SwaggerUi.class.getClassLoader().getResourceAsStream(WEBJAR + version + "/" + name);
    if (in == null) {
      throw ApiException.notFound("file");
    }
    ctx.result(in);
  }

  private static String webjarVersion() {
    try (InputStream in = SwaggerUi.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties p = new Properties();
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is not on the class path");
      }
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
