package io.opsagent.cli;

import io.opsagent.config.Config;
import java.net.BindException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Problems the operator fixes outside the program — a database that does not answer or refuses the
 * credentials, a port another process holds — told in one line naming the setting, its value (the
 * database URL masked) and what to do, instead of a stack trace. {@link Main} prints
 * {@link OneLine}'s message after {@code opsagent: } and exits 2.
 */
final class Failures {
  private Failures() {}

  /** A problem told in one line; exit 2. */
  static final class OneLine extends RuntimeException {
    OneLine(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs {@code open} (what opens the database or binds the HTTP port); a failure {@link #explain}
   * recognises becomes a {@link OneLine}, anything else goes on as it was.
   */
  static <T> T opening(Config config, Supplier<T> open) {
    try {
      return open.get();
    } catch (RuntimeException e) {
      Optional<String> line = explain(config, e);
      if (line.isPresent()) {
        throw new OneLine(line.get());
      }
      throw e;
    }
  }

  /** The one line for {@code e}, when it is a connection or port problem. */
  static Optional<String> explain(Config config, Throwable e) {
    BindException bind = find(e, BindException.class);
    if (bind != null) {
      return Optional.of("cannot listen on OPSAGENT_HTTP_PORT=" + config.api().httpPort() + " ("
          + oneLine(bind.getMessage(), config) + "): stop the process that holds the port, or set"
          + " OPSAGENT_HTTP_PORT to a free one (0 turns the HTTP API off)");
    }
    SQLException sql = find(e, SQLException.class);
    if (sql == null || !connectionProblem(sql, e)) {
      return Optional.empty();
    }
    String db = "OPSAGENT_DB_URL=" + config.database().maskedUrl();
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    String reason = reason(sql, e, config);
    if (state.startsWith("28")) {
      return Optional.of("the database at " + db + " refused OPSAGENT_DB_USER="
          + (config.database().user().isEmpty() ? "(unset)" : config.database().user()) + " (" + reason
          + "): check OPSAGENT_DB_USER and OPSAGENT_DB_PASSWORD");
    }
    if (reason.startsWith("No suitable driver")) {
      return Optional.of(db + " is not a database URL opsagent can use (" + reason + "): write it as"
          + " jdbc:postgresql://HOST:5432/DATABASE");
    }
    if (state.equals("3D000")) {
      return Optional.of("no such database at " + db + " (" + reason + "): create it, or correct"
          + " OPSAGENT_DB_URL");
    }
    return Optional.of("cannot connect to the database at " + db + " (" + reason + "): check that the"
        + " database server runs and is reachable there, or correct OPSAGENT_DB_URL");
  }

  /** Connection exceptions (08), bad credentials (28), unknown database (3D000), unreachable hosts. */
  private static boolean connectionProblem(SQLException sql, Throwable e) {
    String state = sql.getSQLState();
    return state != null && (state.startsWith("08") || state.startsWith("28") || state.equals("3D000"))
        || find(e, java.net.ConnectException.class) != null || find(e, UnknownHostException.class) != null;
  }

  /** The driver's first sentence (e.g. "Connection to 127.0.0.1:1 refused"), secrets masked. */
  private static String reason(SQLException sql, Throwable e, Config config) {
    String message = sql.getMessage() == null ? sql.getClass().getSimpleName() : sql.getMessage();
    int end = message.indexOf(". ");
    message = end > 0 ? message.substring(0, end) : message;
    message = message.replaceFirst("^FATAL: ", "");
    UnknownHostException host = find(e, UnknownHostException.class);
    if (host != null) {
      message = message.replaceAll("\\.$", "") + ": unknown host " + host.getMessage();
    }
    return oneLine(message.replaceAll("\\.$", ""), config);
  }

  private static String oneLine(String text, Config config) {
    String s = text == null ? "" : text.replaceAll("\\s+", " ").strip();
    if (!config.database().url().isEmpty()) {
      s = s.replace(config.database().url(), config.database().maskedUrl());
    }
    if (!config.database().password().isEmpty()) {
      s = s.replace(config.database().password(), "***");
    }
    return s;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
