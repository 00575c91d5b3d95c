package dev.kappa.transforms.enrichment;

import java.io.Serializable;
import java.util.Map;

/**
 * Reads a whole table into memory: what {@link EnrichFromSnapshot} re-reads every refresh interval
 * and broadcasts to every worker as a side input. Only for tables that fit in a worker's memory.
 *
 * <p>Serialized with the pipeline; {@link #readAll()} runs on a worker, once per refresh, and
 * should open and close its own connection.
 *
 * <pre>{@code
 * class AllCustomers implements TableSnapshot<String, Customer> {
 *   public Map<String, Customer> readAll() throws SQLException {
 *     // SELECT ... FROM customers, keyed by customer_id
 *   }
 * }
 * }</pre>
 *
 * @param <K> the table's key
 * @param <V> a row
 */
public interface TableSnapshot<K, V> extends Serializable {

  /**
   * Reads every row, keyed; no key or row may be null. Throws when the table can't be read: the
   * caller retries a bounded number of times, then fails the bundle so that the runner retries it
   * (on Flink, the job restarts from its last checkpoint).
   */
  Map<K, V> readAll() throws Exception;
}
