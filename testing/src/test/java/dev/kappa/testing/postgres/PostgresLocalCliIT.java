package dev.kappa.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code load} and {@code sql} against the shared server; {@code start} with a server of its own.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PostgresLocalCliIT {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @TempDir Path dir;

  @Test
  void loadAppliesAFileInOneTransaction(PostgresServer postgres) throws Exception {
    String schema = postgres.createSchema("cli");
    Path good =
        Files.writeString(
            dir.resolve("good.sql"),
            "CREATE TABLE "
                + schema
                + ".t (id int PRIMARY KEY);\nINSERT INTO "
                + schema
                + ".t VALUES (1);\n");
    Path bad =
        Files.writeString(
            dir.resolve("bad.sql"),
            "INSERT INTO " + schema + ".t VALUES (2);\nINSERT INTO " + schema + ".t VALUES (1);\n");

    assertEquals(0, run("", "load", Integer.toString(postgres.port()), good.toString()), err());
    assertEquals(1, run("", "load", Integer.toString(postgres.port()), bad.toString()));

    assertTrue(out().contains("applied " + good), out());
    assertTrue(err().contains("loading " + bad + " failed, nothing of it was applied"), err());
    assertTrue(err().contains("duplicate key"), err());
    assertEquals(1, count(postgres, schema + ".t"), "the failed file left no row");
  }

  @Test
  void sqlPrintsRowsAndErrorsAndGoesOn(PostgresServer postgres) {
    String input = "SELECT 1 AS one,\n 'x' AS two;\nSELECT nope;\nSELECT NULL AS three;\n";

    assertEquals(1, run(input, "sql", Integer.toString(postgres.port())), err());

    assertTrue(out().contains("one\ttwo\n1\tx\n(1 row)\n"), out());
    assertTrue(out().contains("\nERROR: column \"nope\" does not exist"), out());
    assertTrue(out().contains("three\nNULL\n(1 row)\n"), out());
  }

  @Test
  void startIsIdempotentAndAppliesTheFilesEachTime() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    Path schema =
        Files.writeString(
            dir.resolve("schema.sql"),
            "CREATE TABLE IF NOT EXISTS products (product_id text PRIMARY KEY);\n");
    Path data = dir.resolve("data");
    try {
      assertEquals(
          0, run("", "start", data.toString(), Integer.toString(port), schema.toString()), err());
      assertEquals(
          0, run("", "start", data.toString(), Integer.toString(port), schema.toString()), err());

      ProcessHandle postmaster = PostgresServer.runningPostmaster(data).orElseThrow();
      long pid = postmaster.pid();
      // The programs run from beside the data, not from the system temporary directory.
      String program = postmaster.info().command().orElseThrow();
      assertTrue(program.startsWith(data.toAbsolutePath().resolve("binaries") + "/"), program);
      assertTrue(out().contains("started (pid " + pid + ") at 127.0.0.1:" + port), out());
      assertTrue(out().contains("already running (pid " + pid + ") at 127.0.0.1:" + port), out());
      assertEquals(2, out().split("applied " + schema, -1).length - 1, out());
    } finally {
      Optional<ProcessHandle> server = PostgresServer.runningPostmaster(data);
      server.ifPresent(ProcessHandle::destroy);
      if (server.isPresent()) {
        server.get().onExit().get(60, TimeUnit.SECONDS);
      }
    }
    assertFalse(PostgresServer.runningPostmaster(data).isPresent());
  }

  /**
   * {@code start --tls}: a server that takes TLS connections only, to which {@code start}'s files
   * and {@code sql} still connect (the driver's default {@code sslmode=prefer}), encrypted.
   */
  @Test
  void startWithTlsServesOnlyTlsAndTheCommandsConnectOverIt() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    Path schema =
        Files.writeString(
            dir.resolve("schema.sql"), "CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY);\n");
    Path data = dir.resolve("data");
    try {
      assertEquals(
          0,
          run("", "start", data.toString(), Integer.toString(port), "--tls", schema.toString()),
          err());
      assertTrue(
          out().contains("TLS only, CA " + data.toAbsolutePath().resolve("tls/ca.crt")), out());
      assertTrue(out().contains("applied " + schema), out());

      assertEquals(
          0,
          run(
              "SELECT ssl AS encrypted FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n",
              "sql",
              Integer.toString(port)),
          err());
      assertTrue(out().contains("encrypted\nt\n(1 row)"), out());
    } finally {
      Optional<ProcessHandle> server = PostgresServer.runningPostmaster(data);
      server.ifPresent(ProcessHandle::destroy);
      if (server.isPresent()) {
        server.get().onExit().get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static int count(PostgresServer postgres, String table) throws SQLException {
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT count(*) FROM " + table)) {
      row.next();
      return row.getInt(1);
    }
  }

  private int run(String input, String... args) {
    return PostgresLocalCli.run(
        args,
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
