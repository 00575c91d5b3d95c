package dev.kappa.testing.postgres;

import dev.kappa.testing.process.Subcommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The Java half of {@code scripts/postgres-local.sh}: starts the local server and runs SQL over
 * JDBC, so that no PostgreSQL installation (not even {@code psql}) is needed.
 *
 * <pre>
 * PostgresLocalCli start &lt;data-dir&gt; &lt;port&gt; [--tls] [file.sql ...]   start unless running, then run the files
 * PostgresLocalCli load &lt;port&gt; &lt;file.sql&gt; [file.sql ...]     run each file in one transaction
 * PostgresLocalCli sql &lt;port&gt;                               statements from standard input
 * </pre>
 *
 * <p>{@code --tls} starts a server that accepts TLS connections only ({@link
 * PostgresServer#startWithTls}); the CA that signed its certificate is {@code
 * <data-dir>/tls/ca.crt}. The server started here outlives this JVM; the script stops it. SQL runs
 * as {@value PostgresServer#USER} in the database {@value PostgresServer#DATABASE} on {@code
 * 127.0.0.1}. Exit codes: 0 done, 1 failed, 2 usage error.
 */
public final class PostgresLocalCli {

  private PostgresLocalCli() {}

  /** Runs a subcommand and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /**
   * Runs a subcommand, reading statements from {@code in} ({@code sql}), printing results to {@code
   * out} and errors to {@code err}; the exit code.
   */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    return Subcommands.of("PostgresLocalCli", err)
        .add("start <data-dir> <port> [--tls] [file.sql ...]", rest -> start(rest, out, err))
        .add("load <port> <file.sql> [file.sql ...]", rest -> load(rest, out, err))
        .add("sql <port>", rest -> sql(rest, in, out, err))
        .run(args);
  }

  private static int start(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() < 2) {
      return 2;
    }
    Optional<Integer> port = Subcommands.port(args.get(1), err);
    if (port.isEmpty()) {
      return 2;
    }
    Path dataDir = Path.of(args.get(0)).toAbsolutePath();
    boolean tls = args.size() > 2 && args.get(2).equals("--tls");
    List<String> files = args.subList(tls ? 3 : 2, args.size());
    Optional<ProcessHandle> running = PostgresServer.runningPostmaster(dataDir);
    int actualPort;
    if (running.isPresent()) {
      actualPort = PostgresServer.recordedPort(dataDir).orElse(port.get());
      out.println(
          "already running (pid "
              + running.get().pid()
              + ") at "
              + PostgresServer.HOST
              + ":"
              + actualPort);
    } else {
      PostgresServer server = PostgresServer.start(dataDir, port.get(), true, tls);
      actualPort = server.port();
      long pid = PostgresServer.runningPostmaster(dataDir).map(ProcessHandle::pid).orElse(-1L);
      out.println(
          "started (pid "
              + pid
              + ") at "
              + PostgresServer.HOST
              + ":"
              + actualPort
              + (tls ? ", TLS only, CA " + server.caCertificate() : ""));
    }
    return loadFiles(actualPort, files, out, err);
  }

  private static int load(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() < 2) {
      return 2;
    }
    Optional<Integer> port = Subcommands.port(args.get(0), err);
    if (port.isEmpty()) {
      return 2;
    }
    return loadFiles(port.get(), args.subList(1, args.size()), out, err);
  }

  private static int loadFiles(int port, List<String> files, PrintStream out, PrintStream err) {
    for (String name : files) {
      Path file = Path.of(name);
      String sql;
      try {
        sql = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        err.println("cannot read " + file + ": " + e);
        return 1;
      }
      try (Connection connection = connect(port)) {
        SqlScripts.run(connection, sql);
      } catch (SQLException e) {
        err.println("loading " + file + " failed, nothing of it was applied: " + e.getMessage());
        return 1;
      }
      out.println("applied " + file);
    }
    return 0;
  }

  private static int sql(List<String> args, InputStream in, PrintStream out, PrintStream err) {
    if (args.size() != 1) {
      return 2;
    }
    Optional<Integer> port = Subcommands.port(args.get(0), err);
    if (port.isEmpty()) {
      return 2;
    }
    try (Connection connection = connect(port.get())) {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      boolean prompt = System.console() != null && in == System.in;
      return SqlScripts.interactive(connection, reader, out, prompt) == 0 ? 0 : 1;
    } catch (SQLException e) {
      err.println("cannot connect: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cannot read the statements: " + e);
      return 1;
    }
  }

  /**
   * A connection as {@link PostgresServer#USER}: the driver's default {@code sslmode=prefer} also
   * reaches a server with TLS only (encrypted, its certificate not checked, as psql does).
   */
  private static Connection connect(int port) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + PostgresServer.HOST + ":" + port + "/" + PostgresServer.DATABASE,
        PostgresServer.USER,
        PostgresServer.PASSWORD);
  }
}
