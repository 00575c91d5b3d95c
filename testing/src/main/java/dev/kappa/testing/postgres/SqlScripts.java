package dev.kappa.testing.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs SQL over JDBC: whole scripts in one transaction ({@code .sql} files, test set-up), and a
 * minimal interactive prompt for machines without {@code psql}.
 */
final class SqlScripts {

  private SqlScripts() {}

  /**
   * Runs {@code sql}, one or more statements separated by semicolons, in one transaction: all of it
   * or, if a statement fails, none of it.
   */
  static void run(Connection connection, String sql) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Reads statements from {@code in}, each ending with a semicolon at the end of a line, runs each
   * as it is complete (auto-commit) and prints its results: rows tab-separated under their column
   * names, or the number of rows changed. A failed statement prints its error and the prompt goes
   * on. Ends at the end of the input or at a line {@code \q}.
   *
   * @return the number of statements that failed
   */
  static int interactive(Connection connection, BufferedReader in, PrintStream out, boolean prompt)
      throws IOException {
    int failed = 0;
    StringBuilder pending = new StringBuilder();
    while (true) {
      if (prompt) {
        out.print(pending.length() == 0 ? "kappa=> " : "kappa-> ");
        out.flush();
      }
      String line = in.readLine();
      if (line == null || (pending.length() == 0 && line.strip().equals("\\q"))) {
        break;
      }
      pending.append(line).append('\n');
      if (!line.strip().endsWith(";")) {
        continue;
      }
      String sql = pending.toString();
      pending.setLength(0);
      try (Statement statement = connection.createStatement()) {
        print(statement, statement.execute(sql), out);
      } catch (SQLException e) {
        failed++;
        String message = String.valueOf(e.getMessage());
        out.println(message.startsWith("ERROR") ? message : "ERROR: " + message);
      }
    }
    if (!pending.toString().isBlank()) {
      out.println("(ignored an unfinished statement without a closing semicolon)");
    }
    return failed;
  }

  private static void print(Statement statement, boolean isResultSet, PrintStream out)
      throws SQLException {
    boolean resultSet = isResultSet;
    while (true) {
      if (resultSet) {
        try (ResultSet rows = statement.getResultSet()) {
          printRows(rows, out);
        }
      } else {
        int count = statement.getUpdateCount();
        if (count < 0) {
          return;
        }
        out.println("OK (" + count + (count == 1 ? " row)" : " rows)"));
      }
      resultSet = statement.getMoreResults();
    }
  }

  private static void printRows(ResultSet rows, PrintStream out) throws SQLException {
    ResultSetMetaData meta = rows.getMetaData();
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      names.add(meta.getColumnLabel(i));
    }
    out.println(String.join("\t", names));
    int count = 0;
    while (rows.next()) {
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= names.size(); i++) {
        String value = rows.getString(i);
        values.add(value == null ? "NULL" : value);
      }
      out.println(String.join("\t", values));
      count++;
    }
    out.println("(" + count + (count == 1 ? " row)" : " rows)"));
  }
}
