package io.opsagent.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.config.Config;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database: one HikariCP pool, Flyway migrations and a {@link Jdbi} over the same pool.
 *
 * <p>PostgreSQL is the production database; without {@code OPSAGENT_DB_URL} an embedded HSQLDB file
 * database under {@code ./data/} (PostgreSQL syntax mode, MVCC) stands in so that opsagent can be
 * tried without any server. Migrations live in {@code db/migration/common} for both and in
 * {@code db/migration/{vendor}} where the two must differ (db-scheduler's binary column).
 */
public final class Database implements AutoCloseable {
  private static final String EMBEDDED_ATTRIBUTE = "opsagent.embedded";
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** Where the migrations live on the classpath: {@code common}, and one folder per vendor. */
  private static final String MIGRATIONS = "db/migration";
  /** Flyway's default history table, which {@link #migrate()} uses. */
  private static final String HISTORY_TABLE = "flyway_schema_history";
  /** A versioned migration's file name, e.g. {@code V147__page_guarantee.sql}: the version. */
  private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.+\\.sql");

  /**
   * TCP keepalives of the server's end of our sessions. A killed process's connections close at
   * once (its kernel sends FIN), which releases its advisory cycle locks; but a host that vanishes
   * (power loss, network partition) sends nothing, and with the server's defaults (often 2 h of
   * idleness, then 9 probes) its locks would stay held that long. With these, the server drops such
   * a session — and its locks — within about 20 + 3 × 5 = 35 s of silence.
   */
  static final String SERVER_KEEPALIVES =
      "-c tcp_keepalives_idle=20 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3";
  /** How long {@link #isHealthy()} waits for a connection and for its answer. */
  static final int HEALTH_TIMEOUT_MS = 1000;

  private final HikariDataSource dataSource;
  private final HikariDataSource healthPool;
  private final Jdbi jdbi;
  private final boolean embedded;

  private Database(HikariDataSource dataSource, HikariDataSource healthPool, boolean embedded) {
    this.dataSource = dataSource;
    this.healthPool = healthPool;
    this.embedded = embedded;
    this.jdbi = Jdbi.create(dataSource);
    jdbi.define(EMBEDDED_ATTRIBUTE, embedded);
    // Jdbi's default exception message lists the bound values: a failed insert of a channel would
    // put its URL and secret into whatever logs the exception.
    jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
  }

  /**
   * Opens the pool, sized for the queues' workers ({@code scheduling}); does not migrate (see
   * {@link #migrate()}).
   */
  public static Database open(Config.Database database, Config.Scheduling scheduling) {
    return open(database.url(), database.user(), database.password(),
        Math.max(10, scheduling.opsConcurrency() + scheduling.deploymentConcurrency() + 6));
  }

  public static Database open(String url, String user, String password, int poolSize) {
    return open(url, user, password, poolSize, 10_000);
  }

  /**
   * For a short-lived command that reads or changes a few rows: a pool of two connections that fails
   * on its first attempt, instead of retrying for 10 s, when the database does not answer. Does not
   * migrate (see {@link #schemaState()}).
   */
  public static Database openForCommand(Config.Database database) {
    return open(database.url(), database.user(), database.password(), 2, 1);
  }

  private static Database open(String url, String user, String password, int poolSize, long initTimeoutMs) {
    boolean embedded = url.startsWith("jdbc:hsqldb:");
    if (embedded && url.startsWith("jdbc:hsqldb:file:")) {
      createParentDirectory(url.substring("jdbc:hsqldb:file:".length()));
    }
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("opsagent-db");
    hc.setJdbcUrl(url);
    if (!user.isEmpty()) {
      hc.setUsername(user);
    } else if (embedded) {
      hc.setUsername("SA");
    }
    if (!password.isEmpty()) {
      hc.setPassword(password);
    }
    hc.setMaximumPoolSize(poolSize);
    hc.setMinimumIdle(Math.min(2, poolSize));
    hc.setConnectionTimeout(10_000);
    hc.setInitializationFailTimeout(initTimeoutMs);
    if (url.startsWith("jdbc:postgresql:")) {
      // lets db-scheduler's scheduleBatch insert thousands of schedules in a few round trips
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
      // options= in the URL wins over this property
      hc.addDataSourceProperty("options", SERVER_KEEPALIVES);
    }
    HikariDataSource pool = new HikariDataSource(hc);
    return new Database(pool, embedded ? pool : healthPool(hc), embedded);
  }

  /**
   * A one-connection pool of its own for {@link #isHealthy()}: the main pool waits up to 10 s for a
   * connection, which is right for work but makes an outage take 10 s to show. This one gives up
   * after {@value #HEALTH_TIMEOUT_MS} ms, and never fails at start (the main pool does that).
   */
  private static HikariDataSource healthPool(HikariConfig main) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(main.getJdbcUrl());
    hc.setUsername(main.getUsername());
    hc.setPassword(main.getPassword());
    hc.setPoolName("opsagent-db-health");
    hc.setMaximumPoolSize(1);
    hc.setMinimumIdle(0);
    hc.setConnectionTimeout(HEALTH_TIMEOUT_MS);
    hc.setValidationTimeout(HEALTH_TIMEOUT_MS);
    hc.setInitializationFailTimeout(-1);
    if (main.getJdbcUrl().startsWith("jdbc:postgresql:")) {
      hc.addDataSourceProperty("connectTimeout", "1"); // seconds
      hc.addDataSourceProperty("socketTimeout", "2");
    }
    return new HikariDataSource(hc);
  }

  private static void createParentDirectory(String pathAndProps) {
    String path = pathAndProps.split(";", 2)[0];
    Path parent = Path.of(path).toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the embedded database directory " + parent, e);
    }
  }

  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(migrationLocations().stream().map(l -> "classpath:" + l).toArray(String[]::new))
        .load();
  }

  /** Applies pending migrations; returns how many were applied. */
  public int migrate() {
    MigrateResult result = flyway().migrate();
    log.info("migrations applied={} schemaVersion={}", result.migrationsExecuted, result.targetSchemaVersion);
    return result.migrationsExecuted;
  }

  /**
   * Where the schema stands against this build's migrations, read without changing anything (no
   * migration, no lock, no history table created).
   *
   * @param applied the newest applied version, empty when none was (an empty or foreign database)
   * @param latest the newest version this build's migrations reach
   * @param pending how many of this build's migrations are not applied
   */
  public record SchemaState(Optional<String> applied, String latest, int pending) {
    public boolean current() {
      return pending == 0 && applied.isPresent();
    }
  }

  /**
   * {@link SchemaState} of this database: the versions of this build's migration files against the
   * successful rows of Flyway's history table, read with one query. (Flyway's own {@code info} gives
   * the same answer, but loading Flyway costs a short command more than half a second.)
   */
  public SchemaState schemaState() {
    TreeMap<List<BigInteger>, String> resolved = new TreeMap<>(Database::compareVersions);
    for (String location : migrationLocations()) {
      for (String file : migrationFiles(location)) {
        Matcher m = VERSIONED.matcher(file);
        if (m.matches()) {
          resolved.put(versionKey(m.group(1)), m.group(1).replace('_', '.'));
        }
      }
    }
    TreeMap<List<BigInteger>, String> applied = new TreeMap<>(Database::compareVersions);
    try (Connection c = dataSource.getConnection()) {
      boolean hasHistory;
      try (ResultSet tables = c.getMetaData().getTables(null, null, HISTORY_TABLE, new String[] {"TABLE"})) {
        hasHistory = tables.next();
      }
      if (hasHistory) {
        try (Statement st = c.createStatement();
            // "success" is a boolean on PostgreSQL, a BIT on HSQLDB: compared here, not in SQL
            ResultSet rs = st.executeQuery("SELECT \"version\", \"success\" FROM \"" + HISTORY_TABLE
                + "\" WHERE \"version\" IS NOT NULL")) {
          while (rs.next()) {
            if (rs.getBoolean(2)) {
              applied.put(versionKey(rs.getString(1)), rs.getString(1));
            }
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the schema history: " + e.getMessage(), e);
    }
    int pending = (int) resolved.keySet().stream().filter(v -> !applied.containsKey(v)).count();
    return new SchemaState(applied.isEmpty() ? Optional.empty() : Optional.of(applied.lastEntry().getValue()),
        resolved.isEmpty() ? "-" : resolved.lastEntry().getValue(), pending);
  }

  private List<String> migrationLocations() {
    return List.of(MIGRATIONS + "/common", MIGRATIONS + "/" + (embedded ? "hsqldb" : "postgresql"));
  }

  /** The file names directly under {@code location} on this build's classpath root (a jar or a directory). */
  private static List<String> migrationFiles(String location) {
    try {
      Path root = Path.of(Database.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(root)) {
        Path dir = root.resolve(location);
        if (!Files.isDirectory(dir)) {
          return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
          return files.map(p -> p.getFileName().toString()).toList();
        }
      }
      try (JarFile jar = new JarFile(root.toFile())) {
        String prefix = location + "/";
        return jar.stream().map(JarEntry::getName)
            .filter(n -> n.startsWith(prefix) && n.length() > prefix.length() && n.indexOf('/', prefix.length()) < 0)
            .map(n -> n.substring(prefix.length())).toList();
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot list the migrations under " + location, e);
    }
  }

  /** "1_1" and "1.1" are the same version, and so are "1" and "1.0" (as Flyway compares them). */
  private static List<BigInteger> versionKey(String version) {
    List<BigInteger> parts = new ArrayList<>();
    for (String part : version.split("[._]")) {
      parts.add(new BigInteger(part));
    }
    while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
      parts.remove(parts.size() - 1);
    }
    return parts;
  }

  private static int compareVersions(List<BigInteger> a, List<BigInteger> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      BigInteger x = i < a.size() ? a.get(i) : BigInteger.ZERO;
      BigInteger y = i < b.size() ? b.get(i) : BigInteger.ZERO;
      int c = x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Publishes the main pool's HikariCP metrics ({@code hikaricp_connections_*}, tag
   * {@code pool="opsagent-db"}) to {@code registry}; once per database (HikariCP refuses a second).
   */
  public void bindMetrics(MeterRegistry registry) {
    dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /**
   * Whether {@code h} talks to the embedded HSQLDB rather than PostgreSQL, for the few statements
   * whose SQL differs (upserts: {@code INSERT … ON CONFLICT} on PostgreSQL, {@code MERGE} on HSQLDB).
   */
  public static boolean embedded(Handle h) {
    return Boolean.TRUE.equals(h.getConfig(SqlStatements.class).getAttribute(EMBEDDED_ATTRIBUTE));
  }

  public boolean embedded() {
    return embedded;
  }

  /**
   * A new connection outside the pool, for a session that lives as long as the process (e.g. one
   * that {@code LISTEN}s); the caller closes it.
   */
  public Connection openDedicatedConnection() throws SQLException {
    return DriverManager.getConnection(dataSource.getJdbcUrl(), dataSource.getUsername(),
        dataSource.getPassword());
  }

  /**
   * True when the database answers; false within about a second when it does not (a connection of
   * the health pool is awaited at most {@value #HEALTH_TIMEOUT_MS} ms and validated within a second).
   * Used by {@code /health} and by the API to answer 503 at once during an outage.
   */
  public boolean isHealthy() {
    try (var c = healthPool.getConnection()) {
      return c.isValid(1);
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (healthPool != dataSource) {
      healthPool.close();
    }
    dataSource.close();
  }
}
