package dev.kappa.transforms.enrichment;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;

/**
 * What the two enrichments that read a table ({@link EnrichByLookup}, {@link EnrichFromSnapshot})
 * share: the rows' coder, the missing-key policy, the retries of a failing read, the two outputs
 * and the counters every enrichment keeps.
 *
 * @param <K> the key
 * @param <E> the event
 * @param <V> the table row
 */
abstract class TableEnrichment<K, E, V>
    extends PTransform<PCollection<KV<K, E>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of the enrichment's class. */
  public static final String ENRICHED = "enriched";

  public static final String NOT_FOUND = "notFound";
  public static final String PASSED_THROUGH = "passedThrough";

  abstract Coder<V> valueCoder();

  /** What happens to events whose key the table does not hold. */
  public abstract MissingKeyPolicy missingKeys();

  abstract TableRetries retries();

  abstract TupleTag<KV<E, V>> enrichedTagInternal();

  abstract TupleTag<KV<K, E>> notFoundTagInternal();

  /** Calls of the table (a lookup, a read), the first included, before the bundle fails. */
  public int maxAttempts() {
    return retries().maxAttempts();
  }

  /** The pause after the first failed call; it doubles after each further one. */
  public Duration retryBackoff() {
    return retries().backoff();
  }

  /**
   * Each event with its row ({@code KV<event, row>}), with the event's timestamp and window. The
   * row is null only for events passed through under {@link MissingKeyPolicy#passThrough()}.
   */
  public TupleTag<KV<E, V>> enrichedTag() {
    return enrichedTagInternal();
  }

  /** Events whose key the table did not hold (after waiting, if the policy waits), as input. */
  public TupleTag<KV<K, E>> notFoundTag() {
    return notFoundTagInternal();
  }
}
