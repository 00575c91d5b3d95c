package dev.kappa.io.jdbc;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/** Tells failures worth retrying (the database or the network) from failures of the data. */
final class SqlErrors {

  private SqlErrors() {}

  /**
   * Whether {@code error}, or anything in its chain of causes and next exceptions, is transient:
   * SQLState class 08 (connection), 53 (insufficient resources), 57P (the server is shutting down,
   * starting up or restarting), 40001 (serialization failure), 40P01 (deadlock), JDBC's transient
   * and recoverable exceptions, and refused, reset or timed-out sockets. Anything else, such as
   * class 22 (bad data) or 23 (a violated constraint), fails the same way however often it is
   * retried.
   */
  static boolean isTransient(Throwable error) {
    Deque<Throwable> pending = new ArrayDeque<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    pending.add(error);
    while (!pending.isEmpty()) {
      Throwable e = pending.poll();
      if (e == null || seen.put(e, Boolean.TRUE) != null) {
        continue;
      }
      if (e instanceof SQLTransientException
          || e instanceof SQLRecoverableException
          || e instanceof ConnectException
          || e instanceof SocketException
          || e instanceof SocketTimeoutException
          || e instanceof EOFException) {
        return true;
      }
      if (e instanceof SQLException) {
        SQLException sql = (SQLException) e;
        if (isTransientState(sql.getSQLState())) {
          return true;
        }
        if (sql.getNextException() != null) {
          pending.add(sql.getNextException());
        }
      }
      if (e.getCause() != null) {
        pending.add(e.getCause());
      }
    }
    return false;
  }

  static boolean isTransientState(String sqlState) {
    return sqlState != null
        && (sqlState.startsWith("08")
            || sqlState.startsWith("53")
            || sqlState.startsWith("57P")
            || sqlState.equals("40001")
            || sqlState.equals("40P01"));
  }
}
