package dev.kappa.io.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL statements of this package. Identifiers are checked to be plain names and always quoted,
 * so that they match exactly (as written, usually lower case) and may be reserved words.
 */
final class SqlText {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** The alias of the row already in the table, in guarded upserts. */
  private static final String EXISTING = "existing";

  private SqlText() {}

  /**
   * Checks a table name, {@code table} or {@code schema.table}, each part a plain identifier.
   *
   * @throws IllegalArgumentException naming {@code what} if it is not
   */
  static String checkTable(String what, String table) {
    if (table == null || table.split("\\.", -1).length > 2) {
      throw badTable(what, table);
    }
    for (String part : table.split("\\.", -1)) {
      if (!NAME.matcher(part).matches()) {
        throw badTable(what, table);
      }
    }
    return table;
  }

  private static IllegalArgumentException badTable(String what, String table) {
    return new IllegalArgumentException(
        what
            + " must be a table name (letters, digits and _, optionally schema-qualified), was "
            + (table == null ? "null" : "\"" + table + "\""));
  }

  /**
   * Checks a column name: a plain identifier.
   *
   * @throws IllegalArgumentException naming {@code what} if it is not
   */
  static String checkColumn(String what, String column) {
    if (column == null || !NAME.matcher(column).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be a column name (letters, digits and _), was "
              + (column == null ? "null" : "\"" + column + "\""));
    }
    return column;
  }

  /** {@code "schema"."table"} or {@code "table"}. */
  static String quote(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("\\.", -1)) {
      parts.add("\"" + part + "\"");
    }
    return String.join(".", parts);
  }

  /**
   * {@code INSERT INTO t (columns) VALUES (?, ...) ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c}
   * for every non-key column ({@code DO NOTHING} when every column is a key).
   */
  static String upsert(String table, List<String> columns, List<String> keys) {
    List<String> updates = new ArrayList<>();
    for (String column : columns) {
      if (!keys.contains(column)) {
        updates.add(quote(column) + " = EXCLUDED." + quote(column));
      }
    }
    return "INSERT INTO "
        + quote(table)
        + " ("
        + quoted(columns)
        + ") VALUES ("
        + String.join(", ", Collections.nCopies(columns.size(), "?"))
        + ") ON CONFLICT ("
        + quoted(keys)
        + ") "
        + (updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updates));
  }

  /**
   * As {@link #upsert}, for a table with a tombstone column and optionally versioned rows: {@code
   * INSERT INTO t AS existing (columns, tombstone) VALUES (?, ..., false) ON CONFLICT (keys) DO
   * UPDATE SET c = EXCLUDED.c WHERE NOT existing.tombstone AND (existing.v1, ...) <= (EXCLUDED.v1,
   * ...)}: a row marked deleted stays deleted, and an older version never overwrites a newer one.
   */
  static String guardedUpsert(
      String table,
      List<String> columns,
      List<String> keys,
      List<String> versions,
      String tombstone) {
    List<String> updates = new ArrayList<>();
    for (String column : columns) {
      if (!keys.contains(column)) {
        updates.add(quote(column) + " = EXCLUDED." + quote(column));
      }
    }
    List<String> guards = new ArrayList<>();
    if (tombstone != null) {
      guards.add("NOT " + EXISTING + "." + quote(tombstone));
    }
    if (!versions.isEmpty()) {
      guards.add(
          "("
              + versions.stream()
                  .map(v -> EXISTING + "." + quote(v))
                  .collect(Collectors.joining(", "))
              + ") <= ("
              + versions.stream().map(v -> "EXCLUDED." + quote(v)).collect(Collectors.joining(", "))
              + ")");
    }
    List<String> inserted = new ArrayList<>(columns);
    String values = String.join(", ", Collections.nCopies(columns.size(), "?"));
    if (tombstone != null) {
      inserted.add(tombstone);
      values += ", false";
    }
    return "INSERT INTO "
        + quote(table)
        + " AS "
        + EXISTING
        + " ("
        + quoted(inserted)
        + ") VALUES ("
        + values
        + ") ON CONFLICT ("
        + quoted(keys)
        + ") "
        + (updates.isEmpty()
            ? "DO NOTHING"
            : "DO UPDATE SET "
                + String.join(", ", updates)
                + (guards.isEmpty() ? "" : " WHERE " + String.join(" AND ", guards)));
  }

  /**
   * {@code INSERT INTO t AS existing (keys, tombstone) VALUES (?, ..., true) ON CONFLICT (keys) DO
   * UPDATE SET tombstone = true}: marks the row the keys name deleted, or inserts its tombstone if
   * it was never written (the table's other columns must then accept null), so that an upsert of
   * the same row arriving later cannot bring it back.
   */
  static String tombstone(String table, List<String> keys, String tombstone) {
    List<String> inserted = new ArrayList<>(keys);
    inserted.add(tombstone);
    return "INSERT INTO "
        + quote(table)
        + " AS "
        + EXISTING
        + " ("
        + quoted(inserted)
        + ") VALUES ("
        + String.join(", ", Collections.nCopies(keys.size(), "?"))
        + ", true) ON CONFLICT ("
        + quoted(keys)
        + ") DO UPDATE SET "
        + quote(tombstone)
        + " = true";
  }

  /** {@code DELETE FROM t WHERE k1 = ? AND k2 = ?}: deletes the row a record's keys name. */
  static String delete(String table, List<String> keys) {
    List<String> conditions = new ArrayList<>();
    for (String key : keys) {
      conditions.add(quote(key) + " = ?");
    }
    return "DELETE FROM " + quote(table) + " WHERE " + String.join(" AND ", conditions);
  }

  /** {@code SELECT columns FROM t WHERE key = ANY(?)}, the parameter a text array. */
  static String selectByKeys(String table, List<String> columns, String keyColumn) {
    return "SELECT "
        + quoted(columns)
        + " FROM "
        + quote(table)
        + " WHERE "
        + quote(keyColumn)
        + " = ANY(?)";
  }

  /** {@code SELECT columns FROM t ORDER BY key}. */
  static String selectAll(String table, List<String> columns, String keyColumn) {
    return "SELECT " + quoted(columns) + " FROM " + quote(table) + " ORDER BY " + quote(keyColumn);
  }

  private static String quoted(List<String> names) {
    return names.stream().map(SqlText::quote).collect(Collectors.joining(", "));
  }
}
