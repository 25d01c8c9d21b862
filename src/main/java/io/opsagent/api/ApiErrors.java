package io.opsagent.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Every error the API gives is JSON {@code {"error": "..."}} with a message written for its caller:
 * never a library's class name, stack or HTML page, whichever layer (our handlers, Javalin, Jetty)
 * refused the request.
 */
final class ApiErrors {
  static final String DATABASE_UNAVAILABLE = "database unavailable";

  /** PostgreSQL states that mean the server cannot be used now (shutting down, starting, crashed). */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

  /** PostgreSQL states of a text it cannot store (a NUL, a character outside the encoding). */
  private static final Set<String> UNSTORABLE_TEXT_STATES = Set.of("22021", "22P05");

  private ApiErrors() {}

  static void write(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message == null || message.isBlank() ? reason(status) : message));
  }

  /** The message of a Javalin refusal (no route, wrong method, body too large…), in our words. */
  static String forStatus(int status, Context ctx) {
    return switch (status) {
      case 404 -> "no such route: " + ctx.method() + " " + ctx.path();
      case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path();
      case 413 -> "request body too large (at most " + JsonBody.MAX_BYTES / 1024 + " KiB)";
      default -> reason(status);
    };
  }

  /** True when {@code e} says the database could not be reached (pool timeout, refused connection). */
  static boolean isDatabaseUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof java.net.ConnectException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || UNAVAILABLE_STATES.contains(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /** True when the database refused a text value (the last line of defence behind the validation). */
  static boolean isUnstorableText(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNSTORABLE_TEXT_STATES.contains(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static String reason(int status) {
    HttpStatus s = HttpStatus.forStatus(status);
    return s == HttpStatus.UNKNOWN ? "error " + status : s.getMessage().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Jetty's own refusals (a malformed request line or URI, headers too large…), which never reach
   * Javalin: JSON instead of Jetty's HTML page.
   */
  static final class JsonErrorHandler extends ErrorHandler {
    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request,
        HttpServletResponse response) throws IOException {
      baseRequest.setHandled(true);
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      response.getOutputStream().write(body(response.getStatus()));
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());
      return ByteBuffer.wrap(body(status));
    }

    private static byte[] body(int status) {
      String message = status == 400 ? "malformed HTTP request" : ApiErrors.reason(status);
      return ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }
  }
}
