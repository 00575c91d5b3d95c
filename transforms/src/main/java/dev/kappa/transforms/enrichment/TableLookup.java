package dev.kappa.transforms.enrichment;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * Reads the current rows of a table by key, many keys at a time: what {@link EnrichByLookup} asks
 * once per batch of events.
 *
 * <p>An implementation is serialized with the pipeline and opened on each worker: keep connections
 * in transient fields created by {@link #open()} and released by {@link #close()}. A lookup answers
 * with the table as it is now, so a replay of old events gets today's rows; see the enrichment docs
 * for what that means for backfills.
 *
 * @param <K> the table's key
 * @param <V> a row
 */
public interface TableLookup<K, V> extends Serializable, AutoCloseable {

  /** Prepares the lookup on a worker (connections, statements); called before any lookup. */
  default void open() throws Exception {}

  /**
   * Returns the rows for those of {@code keys} that the table holds; a key the table lacks is
   * absent from the map. Throws when the table can't be read, so that the caller retries or fails.
   */
  Map<K, V> lookupAll(Set<K> keys) throws Exception;

  /** Releases what {@link #open()} took. */
  @Override
  default void close() throws Exception {}
}
