package dev.kappa.transforms.enrichment;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * Reads the current rows of a table by key, many keys at a time: what {@link EnrichByLookup} asks
 * once per batch of events.
 *
 * <p>An implementation is serialized with the pipeline and opened on each worker: keep connections
 * in transient fields created by {@link #open()} and released by {@link #close()}. Each DoFn
 * instance has its own copy, used by one thread at a time. A lookup answers with the table as it is
 * now, so a replay of old events gets today's rows; see {@code docs/design/enrichment.md} for what
 * that means for backfills.
 *
 * <pre>{@code
 * class ProductsById implements TableLookup<String, Product> {
 *   private transient Connection connection;
 *   public void open() throws SQLException { connection = dataSource.getConnection(); }
 *   public Map<String, Product> lookupAll(Set<String> ids) throws SQLException {
 *     // SELECT ... FROM products WHERE product_id = ANY(?)
 *   }
 *   public void close() throws SQLException { connection.close(); }
 * }
 * }</pre>
 *
 * @param <K> the table's key
 * @param <V> a row
 */
public interface TableLookup<K, V> extends Serializable, AutoCloseable {

  /** Prepares the lookup on a worker (connections, statements); called before any lookup. */
  default void open() throws Exception {}

  /**
   * Returns the rows for those of {@code keys} that the table holds; a key the table lacks is
   * absent from the map (a null row counts as absent). Throws when the table can't be read: the
   * caller retries a bounded number of times, then fails the bundle. Never returns null.
   */
  Map<K, V> lookupAll(Set<K> keys) throws Exception;

  /** Releases what {@link #open()} took. */
  @Override
  default void close() throws Exception {}
}
