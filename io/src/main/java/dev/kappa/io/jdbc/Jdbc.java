package dev.kappa.io.jdbc;

import dev.kappa.transforms.enrichment.TableLookup;
import dev.kappa.transforms.enrichment.TableSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * PostgreSQL tables as a sink and as reference data: idempotent upserts of results, lookups by key
 * and whole-table snapshots for enrichment. Rows are generated Avro records; each field maps to the
 * column of the same name (string and enum as text, int, long, float, double, boolean, bytes as
 * bytea, {@code timestamp-millis}/{@code -micros} as timestamptz, each optionally nullable).
 *
 * <pre>{@code
 * JdbcConfig config = JdbcConfig.of("jdbc:postgresql://127.0.0.1:55432/kappa", "kappa", password);
 *
 * // Results: one row per window, updated by every later pane, replay or retry.
 * PCollection<DeadLetter> failed =
 *     revenue.apply(
 *         "WriteCategoryRevenue",
 *         Jdbc.upsert(CategoryRevenue.class)
 *             .into(config, "category_revenue")
 *             .keyedBy("category", "currency", "window_start", "window_end")
 *             .withStepName("WriteCategoryRevenue"));
 *
 * // Reference data for the enrichment transforms.
 * TableLookup<String, Product> products =
 *     Jdbc.lookup(config, "products", "product_id", Product.class);
 * TableSnapshot<String, Customer> customers =
 *     Jdbc.snapshot(config, "customers", "customer_id", Customer.class);
 * }</pre>
 *
 * <p>Writes retry transient failures (a restarting database, a lost connection) within the config's
 * retry budget, then turn rows that still fail into dead letters; see {@link UpsertRows}.
 */
public final class Jdbc {
  private Jdbc() {}

  /**
   * Upserts records of {@code recordClass}; say where with {@link UpsertRows#into} and by which key
   * with {@link UpsertRows#keyedBy}.
   *
   * @throws IllegalArgumentException if a field of the record has a type with no column type
   */
  public static <T extends SpecificRecordBase> UpsertRows<T> upsert(Class<T> recordClass) {
    return UpsertRows.of(recordClass);
  }

  /**
   * Deletes the rows that records of {@code recordClass} name: every field of the record is a key
   * column ({@code DELETE FROM t WHERE f1 = ? AND f2 = ?}). Deleting a row that is not there
   * changes nothing, so replays are harmless. Say where with {@link UpsertRows#into}; retries and
   * dead letters are as for {@link #upsert}.
   */
  public static <T extends SpecificRecordBase> UpsertRows<T> delete(Class<T> recordClass) {
    return UpsertRows.deleting(recordClass);
  }

  /**
   * Looks rows of {@code table} up by {@code keyColumn} (a text column, and a string field of
   * {@code valueClass}), many keys per query: {@code SELECT <fields> FROM table WHERE keyColumn =
   * ANY(?)}. Keys the table lacks are absent from the answer.
   *
   * @throws IllegalArgumentException if the table name is not a plain (optionally schema-qualified)
   *     name, or the key column is not a non-null string field of the record
   */
  public static <V extends SpecificRecordBase> TableLookup<String, V> lookup(
      JdbcConfig config, String table, String keyColumn, Class<V> valueClass) {
    return new JdbcTableLookup<>(config, table, keyColumn, valueClass);
  }

  /**
   * Checks, once at launch, that the database answers and that {@code table} has a column for every
   * field of {@code recordClass}, and each of {@code otherColumns} (a tombstone column, see {@link
   * UpsertRows#withTombstones}): so that a wrong URL, password or table name fails the launch with
   * one clear message instead of turning every row into a dead letter later.
   *
   * @throws SQLException with the database's reason when it cannot be reached or the table read
   * @throws IllegalArgumentException naming the missing columns
   */
  public static <T extends SpecificRecordBase> void checkTable(
      JdbcConfig config, String table, Class<T> recordClass, String... otherColumns)
      throws SQLException {
    SqlText.checkTable("table", table);
    List<String> fields = new ArrayList<>(RecordColumns.of(recordClass).names());
    fields.addAll(List.of(otherColumns));
    Set<String> columns = new HashSet<>();
    // A launch check: a server that answers the login but not the query fails in bounded time too.
    try (Connection connection = DatabaseConnection.open(config, config.connectTimeoutSeconds());
        Statement statement = connection.createStatement();
        ResultSet none = statement.executeQuery("SELECT * FROM " + table + " WHERE false")) {
      ResultSetMetaData metadata = none.getMetaData();
      for (int i = 1; i <= metadata.getColumnCount(); i++) {
        columns.add(metadata.getColumnName(i));
      }
    }
    List<String> missing = fields.stream().filter(field -> !columns.contains(field)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "table "
              + table
              + " has no column "
              + String.join(", ", missing)
              + " for the fields of "
              + recordClass.getSimpleName()
              + " (it has "
              + columns.stream().sorted().toList()
              + ")");
    }
  }

  /**
   * The columns of {@code table} for fields of {@code recordClass}, other than {@code keyColumns},
   * that the table declares NOT NULL: none may be, where a delete leaves a tombstone row holding
   * only the key (see {@link UpsertRows#withTombstones}). A launch check.
   *
   * @throws SQLException with the database's reason when it cannot be reached or the table read
   */
  public static <T extends SpecificRecordBase> List<String> notNullColumns(
      JdbcConfig config, String table, Class<T> recordClass, List<String> keyColumns)
      throws SQLException {
    SqlText.checkTable("table", table);
    Set<String> fields = new HashSet<>(RecordColumns.of(recordClass).names());
    fields.removeAll(keyColumns);
    List<String> notNull = new ArrayList<>();
    try (Connection connection = DatabaseConnection.open(config, config.connectTimeoutSeconds());
        Statement statement = connection.createStatement();
        ResultSet none = statement.executeQuery("SELECT * FROM " + table + " WHERE false")) {
      ResultSetMetaData metadata = none.getMetaData();
      for (int i = 1; i <= metadata.getColumnCount(); i++) {
        String column = metadata.getColumnName(i);
        if (fields.contains(column) && metadata.isNullable(i) == ResultSetMetaData.columnNoNulls) {
          notNull.add(column);
        }
      }
    }
    return notNull;
  }

  /**
   * Reads all of {@code table}, keyed by {@code keyColumn}, on every call; for tables small enough
   * to hold in each worker's memory.
   *
   * @throws IllegalArgumentException as {@link #lookup} does
   */
  public static <V extends SpecificRecordBase> TableSnapshot<String, V> snapshot(
      JdbcConfig config, String table, String keyColumn, Class<V> valueClass) {
    return new JdbcTableSnapshot<>(config, table, keyColumn, valueClass);
  }

  /**
   * A connection to the database of {@code config}, opened within its connect timeout; for the
   * tools that manage result tables (versioned outputs, {@code kappa cutover}), not for a running
   * job's steps. The caller closes it.
   *
   * @throws SQLException with the database's reason when it cannot be reached
   */
  public static Connection connect(JdbcConfig config) throws SQLException {
    return DatabaseConnection.open(JdbcTables.checkConfig(config), config.connectTimeoutSeconds());
  }

  /**
   * Every row of {@code table} as a record of {@code recordClass}, ordered by {@code orderColumn},
   * in one read-only transaction (a consistent picture while the table changes); for result tables
   * read by tools such as {@code kappa reconcile}, not for a running job.
   *
   * @throws SQLException with the database's reason when it cannot be reached or the table read
   * @throws IllegalArgumentException if the table name is not a plain name, or {@code orderColumn}
   *     is not a field of the record
   */
  public static <T extends SpecificRecordBase> List<T> readAll(
      JdbcConfig config, String table, String orderColumn, Class<T> recordClass)
      throws SQLException {
    SqlText.checkTable("table", table);
    RecordColumns<T> columns = RecordColumns.of(recordClass);
    if (!columns.names().contains(orderColumn)) {
      throw new IllegalArgumentException(
          "order column "
              + orderColumn
              + " is not a field of "
              + recordClass.getSimpleName()
              + " "
              + columns.names());
    }
    List<T> rows = new ArrayList<>();
    try (Connection connection =
        DatabaseConnection.open(JdbcTables.checkConfig(config), config.connectTimeoutSeconds())) {
      connection.setAutoCommit(false);
      connection.setReadOnly(true);
      try (PreparedStatement statement =
          connection.prepareStatement(SqlText.selectAll(table, columns.names(), orderColumn))) {
        statement.setFetchSize(JdbcTableSnapshot.FETCH_SIZE);
        try (ResultSet result = statement.executeQuery()) {
          while (result.next()) {
            rows.add(columns.read(result, table));
          }
        }
      }
      connection.commit();
    }
    return rows;
  }
}
