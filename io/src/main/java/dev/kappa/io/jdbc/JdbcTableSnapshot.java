package dev.kappa.io.jdbc;

import dev.kappa.transforms.enrichment.TableSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * {@link TableSnapshot} of a PostgreSQL table: every row, on a connection of its own, in one
 * read-only transaction (a consistent snapshot even while the table changes). See {@link
 * Jdbc#snapshot}.
 */
final class JdbcTableSnapshot<V extends SpecificRecordBase> implements TableSnapshot<String, V> {
  private static final long serialVersionUID = 1L;

  /** Rows fetched per round trip, so a large table streams instead of arriving at once. */
  static final int FETCH_SIZE = 1_000;

  private final JdbcConfig config;
  private final String table;
  private final String keyColumn;
  private final Class<V> valueClass;

  JdbcTableSnapshot(JdbcConfig config, String table, String keyColumn, Class<V> valueClass) {
    this.config = JdbcTables.checkConfig(config);
    this.table = SqlText.checkTable("table", table);
    this.valueClass = valueClass;
    this.keyColumn = JdbcTables.checkKeyColumn(RecordColumns.of(valueClass), keyColumn);
  }

  /** Every row, keyed by the key column, in key order; throws if the table can't be read. */
  @Override
  public Map<String, V> readAll() throws SQLException {
    RecordColumns<V> columns = RecordColumns.of(valueClass);
    Map<String, V> rows = new LinkedHashMap<>();
    try (Connection connection = DatabaseConnection.open(config)) {
      connection.setAutoCommit(false);
      connection.setReadOnly(true);
      try (PreparedStatement statement =
          connection.prepareStatement(SqlText.selectAll(table, columns.names(), keyColumn))) {
        statement.setFetchSize(FETCH_SIZE);
        try (ResultSet result = statement.executeQuery()) {
          while (result.next()) {
            rows.put(result.getString(keyColumn), columns.read(result, table));
          }
        }
      }
      connection.commit();
    }
    return rows;
  }

  @Override
  public String toString() {
    return "Jdbc.snapshot("
        + table
        + " by "
        + keyColumn
        + " as "
        + valueClass.getSimpleName()
        + ")";
  }
}
