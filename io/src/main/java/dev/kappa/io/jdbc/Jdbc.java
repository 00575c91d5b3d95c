package dev.kappa.io.jdbc;

import dev.kappa.transforms.enrichment.TableLookup;
import dev.kappa.transforms.enrichment.TableSnapshot;
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
   * Reads all of {@code table}, keyed by {@code keyColumn}, on every call; for tables small enough
   * to hold in each worker's memory.
   *
   * @throws IllegalArgumentException as {@link #lookup} does
   */
  public static <V extends SpecificRecordBase> TableSnapshot<String, V> snapshot(
      JdbcConfig config, String table, String keyColumn, Class<V> valueClass) {
    return new JdbcTableSnapshot<>(config, table, keyColumn, valueClass);
  }
}
