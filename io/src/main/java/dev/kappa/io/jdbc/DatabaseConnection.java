package dev.kappa.io.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One connection per DoFn or lookup instance, opened when first needed and opened anew after {@link
 * #discard()}: after a failure the old connection is dropped, never reused.
 *
 * <p>The driver is instantiated directly rather than found through {@code DriverManager}, which
 * does not see drivers loaded by a runner's user-code class loader (Flink's, for one). Not
 * thread-safe: DoFn instances are used by one thread at a time.
 */
final class DatabaseConnection implements AutoCloseable {

  /** Seconds a read may block: a server that stops answering fails the statement, retried then. */
  static final int SOCKET_TIMEOUT_SECONDS = 120;

  private static final Driver DRIVER = new org.postgresql.Driver();

  private final JdbcConfig config;
  private @Nullable Connection connection;

  DatabaseConnection(JdbcConfig config) {
    this.config = config;
  }

  /** The open connection, opening one if there is none (or the last one was closed). */
  Connection get() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = open(config);
    }
    return connection;
  }

  /** Rolls back what the connection holds, if it can; a connection that can't is discarded. */
  void rollbackQuietly() {
    if (connection == null) {
      return;
    }
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    } catch (SQLException e) {
      discard();
    }
  }

  /** Closes and forgets the connection, after a failure that may have broken it. */
  void discard() {
    Connection old = connection;
    connection = null;
    if (old != null) {
      try {
        old.close();
      } catch (SQLException e) {
        // It is being thrown away because it failed; closing it may fail too.
      }
    }
  }

  @Override
  public void close() {
    discard();
  }

  /** A new connection to the configured database, in auto-commit mode. */
  static Connection open(JdbcConfig config) throws SQLException {
    return open(config, SOCKET_TIMEOUT_SECONDS);
  }

  /**
   * A new connection whose reads block at most {@code socketTimeoutSeconds}; opening it (connect
   * and login) takes at most the config's connect timeout.
   */
  static Connection open(JdbcConfig config, int socketTimeoutSeconds) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", config.user());
    properties.setProperty("password", config.password());
    // connectTimeout bounds the TCP connect; loginTimeout the whole opening, so a port that
    // accepts and never answers fails too (pgjdbc waits for the startup reply otherwise).
    properties.setProperty("connectTimeout", Integer.toString(config.connectTimeoutSeconds()));
    properties.setProperty("loginTimeout", Integer.toString(config.connectTimeoutSeconds()));
    properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "kappa");
    // Not reWriteBatchedInserts: it would turn a batch into one multi-row INSERT, which fails when
    // two rows of the batch have the same key (ON CONFLICT cannot update a row twice in one
    // statement), as two panes of one window do.
    Connection connection = DRIVER.connect(config.url(), properties);
    if (connection == null) {
      throw new SQLException(
          "The PostgreSQL driver does not accept the URL " + config.redactedUrl(), "08001");
    }
    return connection;
  }
}
