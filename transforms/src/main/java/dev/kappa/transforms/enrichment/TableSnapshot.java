package dev.kappa.transforms.enrichment;

import java.io.Serializable;
import java.util.Map;

/**
 * Reads a whole table into memory: what {@link EnrichFromSnapshot} re-reads every refresh interval
 * and broadcasts to every worker as a side input. Only for tables that fit in a worker's memory.
 *
 * @param <K> the table's key
 * @param <V> a row
 */
public interface TableSnapshot<K, V> extends Serializable {

  /** Reads every row, keyed; throws when the table can't be read. */
  Map<K, V> readAll() throws Exception;
}
