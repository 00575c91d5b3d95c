package dev.kappa.io.jdbc;

/** Checks shared by the table readers. */
final class JdbcTables {

  private JdbcTables() {}

  static JdbcConfig checkConfig(JdbcConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    return config;
  }

  /**
   * Checks that {@code keyColumn} is a string field of the record: the key the table is looked up
   * and keyed by.
   */
  static String checkKeyColumn(RecordColumns<?> columns, String keyColumn) {
    RecordColumns.Column column =
        columns
            .column(keyColumn)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "key column "
                            + (keyColumn == null ? "null" : "\"" + keyColumn + "\"")
                            + " is not a field of "
                            + columns.recordName()
                            + "; its fields are "
                            + columns.names()));
    if (column.kind != RecordColumns.Kind.STRING || column.nullable) {
      throw new IllegalArgumentException(
          "key column \""
              + keyColumn
              + "\" must be a non-null string field of "
              + columns.recordName()
              + ", is "
              + column.schema
              + (column.nullable ? " (nullable)" : ""));
    }
    return keyColumn;
  }
}
