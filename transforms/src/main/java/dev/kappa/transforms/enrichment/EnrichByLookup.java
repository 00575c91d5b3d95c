package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.transforms.carry.CarriedWindows;
import dev.kappa.transforms.carry.RestoreWindows;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;

/**
 * Enriches keyed events with the row the table holds for their key <b>when the event is
 * processed</b>, asking a {@link TableLookup} in batches and caching the answers.
 *
 * <p><b>Guarantee under replay: none about event time.</b> The join is with the table as of
 * processing time (and up to the cache's time-to-live older). A backfill of last month's events
 * sees today's rows, and a row changed between an event's time and its processing gives the event
 * the newer row. Use it when the row describes something that does not change in a way that matters
 * for old events (a product's name), or when "the latest we know" is what is wanted. For answers
 * that are the same in streaming and in a backfill use {@link EnrichAsOfEventTime}; see {@code
 * docs/design/enrichment.md}.
 *
 * <ul>
 *   <li><b>Batching.</b> Events whose key is not cached are buffered per bundle; as soon as {@link
 *       #batchSize()} distinct keys are waiting, and at the end of the bundle, one {@code
 *       lookupAll} asks for all of them.
 *   <li><b>Cache.</b> Per DoFn instance (one per worker thread), least recently used evicted beyond
 *       {@link #cacheSize()} entries. Rows live {@link #cacheTtl()}; keys the table did not hold
 *       are cached too, for {@link #missTtl()} (default shorter: a missing row is often one not
 *       inserted yet). Times are the wall clock's.
 *   <li><b>Failures.</b> A failing {@code lookupAll} is retried {@link #maxAttempts()} times in
 *       all, with doubling pauses from {@link #retryBackoff()} (Beam's {@code FluentBackoff}), then
 *       the bundle fails with a {@link TableUnavailableException} so the runner retries it. Events
 *       are never emitted without their row, and never dropped.
 *   <li><b>Missing keys</b> follow {@link #missingKeys()} (default {@link
 *       MissingKeyPolicy#deadLetter()}). With {@link MissingKeyPolicy#waitUpTo}, the events are
 *       held in keyed state (global window) and looked up again every {@link #recheckInterval()} of
 *       processing time until the key appears or the timeout passes; then they go to not-found.
 *       When the input ends (the watermark reaches the end of time), held events are looked up a
 *       last time and go to not-found if still missing. Held events hold back the output watermark
 *       at their own timestamps, so downstream windows wait for them.
 * </ul>
 *
 * <p><b>Outputs</b> keep each event's timestamp and window (also for held events, which carry their
 * window through the global-window step). Pane information is not kept: batched events leave at the
 * end of a bundle or with a later event, where Beam has no pane to give them. Counters (namespace
 * {@code EnrichByLookup}, per step): {@code enriched}, {@code notFound}, {@code passedThrough},
 * {@code cacheHits}, {@code cacheMisses}, {@code lookups} (calls), {@code lookedUpKeys}, {@code
 * lookupRetries}, {@code waiting} (events held), {@code rechecks}.
 *
 * <p><b>Steps.</b> {@code LookUpBatches}: the batched lookup through the cache ({@code
 * LookUpBatchesFn}). Under a waiting policy also {@code HoldInGlobalWindow}, {@code
 * AwaitMissingKeys} (the wait per key, {@code AwaitKeysFn} over the state machine {@code
 * AwaitKeys}), {@code RestoreFoundWindows}, {@code RestoreExpiredWindows}, {@code FlattenEnriched}
 * and {@code FlattenNotFound}. Their names and {@code AwaitMissingKeys}' state are what Flink
 * savepoints know them by.
 *
 * <pre>{@code
 * EnrichByLookup<String, OrderEvent, Product> enrich =
 *     EnrichByLookup.<String, OrderEvent, Product>of(productsTable, SpecificRecordCoder.of(Product.class))
 *         .withBatchSize(200)
 *         .withCacheTtl(Duration.standardMinutes(10))
 *         .withMissingKeys(MissingKeyPolicy.passThrough());
 * PCollectionTuple out = ordersByProductId.apply("EnrichWithProduct", enrich);
 * PCollection<KV<OrderEvent, Product>> enriched = out.get(enrich.enrichedTag());
 * PCollection<KV<String, OrderEvent>> notFound = out.get(enrich.notFoundTag());
 * }</pre>
 *
 * @param <K> the key; its coder must be deterministic and consistent with equals
 * @param <E> the event
 * @param <V> the table row
 */
@AutoValue
public abstract class EnrichByLookup<K, E, V> extends TableEnrichment<K, E, V> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of this class, besides {@link #ENRICHED} and the others. */
  public static final String CACHE_HITS = "cacheHits";

  public static final String CACHE_MISSES = "cacheMisses";
  public static final String LOOKUPS = "lookups";
  public static final String LOOKED_UP_KEYS = "lookedUpKeys";
  public static final String LOOKUP_RETRIES = "lookupRetries";
  public static final String WAITING = "waiting";
  public static final String RECHECKS = "rechecks";

  abstract TableLookup<K, V> lookup();

  /** Distinct keys per {@code lookupAll}. */
  public abstract int batchSize();

  /** Most entries the cache of one DoFn instance keeps; 0 turns caching off. */
  public abstract int cacheSize();

  /** How long a row found in the table is served from the cache. */
  public abstract Duration cacheTtl();

  /** How long "the table does not hold this key" is served from the cache. */
  public abstract Duration missTtl();

  /** How often held events are looked up again under {@link MissingKeyPolicy#waitUpTo}. */
  public abstract Duration recheckInterval();

  abstract WallClock clock();

  abstract Builder<K, E, V> toBuilder();

  /**
   * Enriches by asking {@code lookup}; {@code valueCoder} encodes its rows. Defaults: batches of
   * 100 keys, a cache of 10,000 entries with rows kept 5 minutes and misses 30 seconds, 3 attempts
   * 1 second apart (doubling), missing keys dead-lettered.
   */
  public static <K, E, V> EnrichByLookup<K, E, V> of(
      TableLookup<K, V> lookup, Coder<V> valueCoder) {
    return new AutoValue_EnrichByLookup.Builder<K, E, V>()
        .setLookup(checkNotNull(lookup, "lookup must be set"))
        .setValueCoder(checkNotNull(valueCoder, "value coder must be set"))
        .setMissingKeys(MissingKeyPolicy.deadLetter())
        .setBatchSize(100)
        .setCacheSize(10_000)
        .setCacheTtl(Duration.standardMinutes(5))
        .setMissTtl(Duration.standardSeconds(30))
        .setRetries(TableRetries.of(3, Duration.standardSeconds(1)))
        .setRecheckInterval(Duration.standardSeconds(30))
        .setClock(WallClock.SYSTEM)
        .setEnrichedTagInternal(new TupleTag<KV<E, V>>("enriched") {})
        .setNotFoundTagInternal(new TupleTag<KV<K, E>>("notFound") {})
        .build();
  }

  /** What to do with events whose key the table lacks (default: dead-letter them). */
  public EnrichByLookup<K, E, V> withMissingKeys(MissingKeyPolicy policy) {
    checkArgument(policy != null, "missing-key policy must be set");
    return toBuilder().setMissingKeys(policy).build();
  }

  /** Asks for at most {@code keys} distinct keys per {@code lookupAll} (default 100). */
  public EnrichByLookup<K, E, V> withBatchSize(int keys) {
    checkArgument(keys > 0, "batch size must be positive, was %s", keys);
    return toBuilder().setBatchSize(keys).build();
  }

  /** Caches at most {@code entries} answers per DoFn instance (default 10,000; 0: no cache). */
  public EnrichByLookup<K, E, V> withCacheSize(int entries) {
    checkArgument(entries >= 0, "cache size must be >= 0, was %s", entries);
    return toBuilder().setCacheSize(entries).build();
  }

  /** Serves a found row from the cache for {@code ttl} (default 5 minutes; zero: never). */
  public EnrichByLookup<K, E, V> withCacheTtl(Duration ttl) {
    return toBuilder().setCacheTtl(notNegative(ttl, "cache TTL")).build();
  }

  /** Serves "not in the table" from the cache for {@code ttl} (default 30 s; zero: never). */
  public EnrichByLookup<K, E, V> withMissTtl(Duration ttl) {
    return toBuilder().setMissTtl(notNegative(ttl, "miss TTL")).build();
  }

  /**
   * Tries each lookup {@code maxAttempts} times in all (default 3) before failing the bundle,
   * pausing {@code backoff} after the first failure and twice as long after each further one
   * (capped at a minute, randomized as Beam's {@code FluentBackoff} does; default 1 s).
   */
  public EnrichByLookup<K, E, V> withRetries(int maxAttempts, Duration backoff) {
    return toBuilder().setRetries(TableRetries.of(maxAttempts, backoff)).build();
  }

  /** Looks held events up again every {@code interval} of processing time (default 30 s). */
  public EnrichByLookup<K, E, V> withRecheckEvery(Duration interval) {
    checkArgument(interval != null, "recheck interval must be set");
    checkArgument(
        interval.isLongerThan(Duration.ZERO),
        "recheck interval must be positive, was %s",
        interval);
    return toBuilder().setRecheckInterval(interval).build();
  }

  /** Measures the cache's time-to-live with {@code clock}; for tests. */
  EnrichByLookup<K, E, V> withClock(WallClock clock) {
    return toBuilder().setClock(checkNotNull(clock, "clock must be set")).build();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, E>> input) {
    KvCoder<K, E> inputCoder = Coders.kvCoder(input.getCoder(), "events");
    Coders.checkKeyCoder(inputCoder.getKeyCoder());
    Coder<E> eventCoder = inputCoder.getValueCoder();
    WindowingStrategy<?, ?> strategy = input.getWindowingStrategy();
    Coder<BoundedWindow> windowCoder = RestoreWindows.windowCoder(strategy);
    KvCoder<E, V> enrichedCoder = KvCoder.of(eventCoder, NullableCoder.of(valueCoder()));
    TupleTag<KV<K, KV<E, BoundedWindow>>> waitingTag = new TupleTag<>("waiting");

    PCollectionTuple looked =
        input.apply(
            "LookUpBatches",
            ParDo.of(new LookUpBatchesFn<K, E, V>(this, waitingTag))
                .withOutputTags(enrichedTag(), TupleTagList.of(notFoundTag()).and(waitingTag)));
    PCollection<KV<E, V>> enriched = looked.get(enrichedTag()).setCoder(enrichedCoder);
    PCollection<KV<K, E>> notFound = looked.get(notFoundTag()).setCoder(inputCoder);
    PCollection<KV<K, KV<E, BoundedWindow>>> waiting =
        looked
            .get(waitingTag)
            .setCoder(KvCoder.of(inputCoder.getKeyCoder(), KvCoder.of(eventCoder, windowCoder)));
    if (!missingKeys().waits()) {
      return PCollectionTuple.of(enrichedTag(), enriched).and(notFoundTag(), notFound);
    }

    TupleTag<KV<KV<E, V>, BoundedWindow>> foundTag = new TupleTag<>("found");
    TupleTag<KV<KV<K, E>, BoundedWindow>> expiredTag = new TupleTag<>("expired");
    PCollectionTuple awaited =
        waiting
            .apply(
                "HoldInGlobalWindow",
                CarriedWindows.<KV<K, KV<E, BoundedWindow>>>intoGlobalWindow())
            .apply(
                "AwaitMissingKeys",
                ParDo.of(
                        new AwaitKeysFn<K, E, V>(
                            this, KvCoder.of(eventCoder, windowCoder), foundTag, expiredTag))
                    .withOutputTags(foundTag, TupleTagList.of(expiredTag)));
    PCollection<KV<E, V>> found =
        awaited
            .get(foundTag)
            .setCoder(KvCoder.of(enrichedCoder, windowCoder))
            .apply("RestoreFoundWindows", RestoreWindows.to(strategy, enrichedCoder));
    PCollection<KV<K, E>> expired =
        awaited
            .get(expiredTag)
            .setCoder(KvCoder.of(inputCoder, windowCoder))
            .apply("RestoreExpiredWindows", RestoreWindows.to(strategy, inputCoder));
    return PCollectionTuple.of(
            enrichedTag(),
            PCollectionList.of(enriched)
                .and(found)
                .apply("FlattenEnriched", Flatten.pCollections())
                .setCoder(enrichedCoder))
        .and(
            notFoundTag(),
            PCollectionList.of(notFound)
                .and(expired)
                .apply("FlattenNotFound", Flatten.pCollections())
                .setCoder(inputCoder));
  }

  private static Duration notNegative(Duration duration, String name) {
    checkArgument(duration != null, "%s must be set", name);
    checkArgument(
        !duration.isShorterThan(Duration.ZERO), "%s must be >= 0, was %s", name, duration);
    return duration;
  }

  @AutoValue.Builder
  abstract static class Builder<K, E, V> {
    abstract Builder<K, E, V> setLookup(TableLookup<K, V> lookup);

    abstract Builder<K, E, V> setValueCoder(Coder<V> coder);

    abstract Builder<K, E, V> setMissingKeys(MissingKeyPolicy policy);

    abstract Builder<K, E, V> setBatchSize(int keys);

    abstract Builder<K, E, V> setCacheSize(int entries);

    abstract Builder<K, E, V> setCacheTtl(Duration ttl);

    abstract Builder<K, E, V> setMissTtl(Duration ttl);

    abstract Builder<K, E, V> setRetries(TableRetries retries);

    abstract Builder<K, E, V> setRecheckInterval(Duration interval);

    abstract Builder<K, E, V> setClock(WallClock clock);

    abstract Builder<K, E, V> setEnrichedTagInternal(TupleTag<KV<E, V>> tag);

    abstract Builder<K, E, V> setNotFoundTagInternal(TupleTag<KV<K, E>> tag);

    abstract EnrichByLookup<K, E, V> build();
  }
}
