package dev.kappa.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.process.LocalCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers of the test's own: started, queried, stopped, killed and started again on the same data.
 */
@Timeout(180)
class PostgresServerIT {

  @TempDir Path dataDir;

  @Test
  void answersQueriesAsTheKappaUserOnLoopback() throws SQLException {
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      assertTrue(postgres.jdbcUrl().startsWith("jdbc:postgresql://127.0.0.1:"), postgres.jdbcUrl());
      try (Connection connection = postgres.connect();
          Statement statement = connection.createStatement();
          ResultSet row =
              statement.executeQuery(
                  "SELECT current_user, current_database(), current_setting('server_version_num'),"
                      + " current_setting('listen_addresses')")) {
        assertTrue(row.next());
        assertEquals("kappa", row.getString(1));
        assertEquals("kappa", row.getString(2));
        assertEquals(16, Integer.parseInt(row.getString(3)) / 10000, "PostgreSQL 16");
        assertEquals("127.0.0.1", row.getString(4));
      }
    }
  }

  /**
   * With TLS: connections verify the server's certificate against the CA made for it and are
   * encrypted; one without TLS, and one trusting another CA, are refused.
   */
  @Test
  void withTlsAcceptsOnlyVerifiedTlsConnections(@TempDir Path otherCaDir)
      throws SQLException, IOException {
    try (PostgresServer postgres = PostgresServer.startWithTls(dataDir)) {
      assertTrue(postgres.jdbcUrl().contains("sslmode=verify-full"), postgres.jdbcUrl());
      String schema = postgres.createSchema("tls");
      try (Connection connection =
              DriverManager.getConnection(postgres.jdbcUrl(schema), "kappa", "kappa");
          Statement statement = connection.createStatement();
          ResultSet row =
              statement.executeQuery(
                  "SELECT ssl, version, current_schema() FROM pg_stat_ssl"
                      + " WHERE pid = pg_backend_pid()")) {
        assertTrue(row.next());
        assertTrue(row.getBoolean(1), "the connection is encrypted");
        assertTrue(row.getString(2).startsWith("TLS"), row.getString(2));
        assertEquals(schema, row.getString(3));
      }

      String plain = "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/kappa?sslmode=disable";
      SQLException unencrypted =
          assertThrows(
              SQLException.class, () -> DriverManager.getConnection(plain, "kappa", "kappa"));
      assertTrue(unencrypted.getMessage().contains("no encryption"), unencrypted.getMessage());

      Path otherCa = LocalCa.create(otherCaDir, "Another CA", "another-password").certificate();
      String untrusted =
          "jdbc:postgresql://127.0.0.1:"
              + postgres.port()
              + "/kappa?sslmode=verify-full&sslrootcert="
              + otherCa;
      SQLException refused =
          assertThrows(
              SQLException.class, () -> DriverManager.getConnection(untrusted, "kappa", "kappa"));
      assertTrue(refused.getMessage().contains("SSL error"), refused.getMessage());
    }
  }

  /**
   * A certificate signed by the trusted CA but for another host name is refused by {@code
   * sslmode=verify-full} (the host check), and accepted by {@code verify-ca}, which checks the CA
   * only: what {@code verify-full} adds.
   */
  @Test
  void withTlsRefusesACertificateForAnotherHostName() throws SQLException, IOException {
    LocalCa.create(PostgresServer.tlsDir(dataDir), "Kappa test CA", "test-password")
        .issueServerCertificate("server", "db.example.org", "san=dns:db.example.org");
    try (PostgresServer postgres = PostgresServer.startWithTls(dataDir)) {
      SQLException refused =
          assertThrows(
              SQLException.class,
              () -> DriverManager.getConnection(postgres.jdbcUrl(), "kappa", "kappa").close());
      assertTrue(
          refused.getMessage().contains("does not match") || refused.getMessage().contains("host"),
          refused.getMessage());

      String caOnly = postgres.jdbcUrl().replace("sslmode=verify-full", "sslmode=verify-ca");
      try (Connection connection = DriverManager.getConnection(caOnly, "kappa", "kappa")) {
        assertTrue(connection.isValid(10));
      }
    }
  }

  @Test
  void checksPasswords() {
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      SQLException refused =
          assertThrows(
              SQLException.class,
              () -> DriverManager.getConnection(postgres.jdbcUrl(), "kappa", "wrong").close());
      assertEquals("28P01", refused.getSQLState(), refused.getMessage());
    }
  }

  @Test
  void stopThenStartOnTheSameDataDirectoryAndPortKeepsTheRows() throws SQLException {
    int port;
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      port = postgres.port();
      String schema = postgres.createSchema("kept");
      postgres.execute(
          "CREATE TABLE "
              + schema
              + ".t (id int PRIMARY KEY, name text);"
              + "INSERT INTO "
              + schema
              + ".t VALUES (1, 'one'), (2, 'two')");

      postgres.stop();

      assertFalse(postgres.isRunning());
      assertFalse(accepts(port), "nothing listens on the port while stopped");
      try (PostgresServer again = PostgresServer.start(dataDir, port)) {
        assertEquals(port, again.port());
        assertEquals(
            List.of("1 one", "2 two"), rows(again, "SELECT id, name FROM " + schema + ".t"));
      }
    }
  }

  @Test
  void restartAfterKillRecoversCommittedRows() throws SQLException {
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      postgres.execute(
          "CREATE TABLE crash (id int PRIMARY KEY); INSERT INTO crash VALUES (1), (2)");

      postgres.kill();
      assertFalse(postgres.isRunning());
      postgres.restart();

      postgres.execute("INSERT INTO crash VALUES (3)");
      assertEquals(List.of("1", "2", "3"), rows(postgres, "SELECT id FROM crash"));
    }
  }

  @Test
  void startOnAPortInUseNamesThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> PostgresServer.start(dataDir, taken.getLocalPort()));
      assertTrue(
          e.getMessage().contains("127.0.0.1:" + taken.getLocalPort() + ": the port is in use"),
          e.getMessage());
    }
  }

  @Test
  void secondServerOnTheSameDataIsRefused() {
    try (PostgresServer postgres = PostgresServer.start(dataDir)) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> PostgresServer.start(dataDir, 0));
      assertTrue(e.getMessage().contains("is already running on"), e.getMessage());
      assertTrue(postgres.isRunning());
    }
  }

  private static List<String> rows(PostgresServer postgres, String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query + " ORDER BY 1")) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          values.add(result.getString(i));
        }
        rows.add(String.join(" ", values));
      }
    }
    return rows;
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
