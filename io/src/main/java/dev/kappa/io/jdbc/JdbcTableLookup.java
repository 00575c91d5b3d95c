package dev.kappa.io.jdbc;

import dev.kappa.transforms.enrichment.TableLookup;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@link TableLookup} on a PostgreSQL table: {@code SELECT <fields> FROM table WHERE key = ANY(?)},
 * one query per call, each row read into a record by column name. See {@link Jdbc#lookup}.
 */
final class JdbcTableLookup<V extends SpecificRecordBase> implements TableLookup<String, V> {
  private static final long serialVersionUID = 1L;

  private final JdbcConfig config;
  private final String table;
  private final String keyColumn;
  private final Class<V> valueClass;

  private transient @Nullable RecordColumns<V> columns;
  private transient @Nullable String sql;
  private transient @Nullable DatabaseConnection connection;

  JdbcTableLookup(JdbcConfig config, String table, String keyColumn, Class<V> valueClass) {
    this.config = JdbcTables.checkConfig(config);
    this.table = SqlText.checkTable("table", table);
    this.valueClass = valueClass;
    this.keyColumn = JdbcTables.checkKeyColumn(RecordColumns.of(valueClass), keyColumn);
  }

  @Override
  public void open() {
    if (connection == null) {
      columns = RecordColumns.of(valueClass);
      sql = SqlText.selectByKeys(table, columns.names(), keyColumn);
      connection = new DatabaseConnection(config);
    }
  }

  /**
   * The rows of those {@code keys} the table holds. A connection the database has closed (after a
   * restart, say) fails once and is replaced; any other failure is thrown.
   */
  @Override
  public Map<String, V> lookupAll(Set<String> keys) throws SQLException {
    if (keys.isEmpty()) {
      return Map.of();
    }
    open();
    try {
      return query(keys);
    } catch (SQLException e) {
      connection.discard();
      if (!SqlErrors.isTransient(e)) {
        throw e;
      }
      return query(keys);
    }
  }

  private Map<String, V> query(Set<String> keys) throws SQLException {
    Connection open = connection.get();
    Map<String, V> rows = new LinkedHashMap<>();
    try (PreparedStatement statement = open.prepareStatement(sql)) {
      Array array = open.createArrayOf("text", keys.toArray());
      statement.setArray(1, array);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.put(result.getString(keyColumn), columns.read(result, table));
        }
      }
      array.free();
    }
    return rows;
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  @Override
  public String toString() {
    return "Jdbc.lookup(" + table + " by " + keyColumn + " as " + valueClass.getSimpleName() + ")";
  }
}
