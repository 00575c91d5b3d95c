package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.kappa.transforms.carry.CarriedWindows;
import dev.kappa.transforms.carry.RestoreWindows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

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
 * <pre>{@code
 * EnrichByLookup<String, OrderEvent, Product> enrich =
 *     EnrichByLookup.<String, OrderEvent, Product>of(productsTable, AvroCoder.of(Product.class))
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
public abstract class EnrichByLookup<K, E, V>
    extends PTransform<PCollection<KV<K, E>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of this class. */
  public static final String ENRICHED = "enriched";

  public static final String NOT_FOUND = "notFound";
  public static final String PASSED_THROUGH = "passedThrough";
  public static final String CACHE_HITS = "cacheHits";
  public static final String CACHE_MISSES = "cacheMisses";
  public static final String LOOKUPS = "lookups";
  public static final String LOOKED_UP_KEYS = "lookedUpKeys";
  public static final String LOOKUP_RETRIES = "lookupRetries";
  public static final String WAITING = "waiting";
  public static final String RECHECKS = "rechecks";

  abstract TableLookup<K, V> lookup();

  abstract Coder<V> valueCoder();

  public abstract MissingKeyPolicy missingKeys();

  /** Distinct keys per {@code lookupAll}. */
  public abstract int batchSize();

  /** Most entries the cache of one DoFn instance keeps; 0 turns caching off. */
  public abstract int cacheSize();

  /** How long a row found in the table is served from the cache. */
  public abstract Duration cacheTtl();

  /** How long "the table does not hold this key" is served from the cache. */
  public abstract Duration missTtl();

  abstract TableRetries retries();

  /** Attempts per lookup, the first included, before the bundle fails. */
  public int maxAttempts() {
    return retries().maxAttempts();
  }

  /** The pause after the first failed attempt; it doubles after each further one. */
  public Duration retryBackoff() {
    return retries().backoff();
  }

  /** How often held events are looked up again under {@link MissingKeyPolicy#waitUpTo}. */
  public abstract Duration recheckInterval();

  abstract WallClock clock();

  abstract TupleTag<KV<E, V>> enrichedTagInternal();

  abstract TupleTag<KV<K, E>> notFoundTagInternal();

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

  /** Where an output goes: from {@code @ProcessElement} or from {@code @FinishBundle}. */
  private interface Emitter {
    <T> void emit(TupleTag<T> tag, T value, Instant timestamp, BoundedWindow window);
  }

  /**
   * Looks keys up in batches per bundle, through the cache, and routes each event by the answer.
   * Buffered events leave with their own timestamp and window when their batch is looked up.
   */
  static final class LookUpBatchesFn<K, E, V> extends DoFn<KV<K, E>, KV<E, V>> {
    private static final long serialVersionUID = 1L;

    private final TableLookup<K, V> lookup;
    private final MissingKeyPolicy.Action onMissing;
    private final int batchSize;
    private final int cacheSize;
    private final long cacheTtlMillis;
    private final long missTtlMillis;
    private final TableRetries tableRetries;
    private final WallClock clock;
    private final TupleTag<KV<E, V>> enrichedTag;
    private final TupleTag<KV<K, E>> notFoundTag;
    private final TupleTag<KV<K, KV<E, BoundedWindow>>> waitingTag;

    private final Counter enriched = Metrics.counter(EnrichByLookup.class, ENRICHED);
    private final Counter notFound = Metrics.counter(EnrichByLookup.class, NOT_FOUND);
    private final Counter passedThrough = Metrics.counter(EnrichByLookup.class, PASSED_THROUGH);
    private final Counter waiting = Metrics.counter(EnrichByLookup.class, WAITING);
    private final Counter cacheHits = Metrics.counter(EnrichByLookup.class, CACHE_HITS);
    private final Counter cacheMisses = Metrics.counter(EnrichByLookup.class, CACHE_MISSES);
    private final Counter lookups = Metrics.counter(EnrichByLookup.class, LOOKUPS);
    private final Counter lookedUpKeys = Metrics.counter(EnrichByLookup.class, LOOKED_UP_KEYS);
    private final Counter retries = Metrics.counter(EnrichByLookup.class, LOOKUP_RETRIES);

    private transient LookupCache<K, V> cache;

    /** Events waiting for their batch, by key, in arrival order. */
    private transient Map<K, List<Buffered<K, E>>> batch;

    private static final class Buffered<K, E> {
      final KV<K, E> element;
      final Instant timestamp;
      final BoundedWindow window;

      Buffered(KV<K, E> element, Instant timestamp, BoundedWindow window) {
        this.element = element;
        this.timestamp = timestamp;
        this.window = window;
      }
    }

    LookUpBatchesFn(
        EnrichByLookup<K, E, V> spec, TupleTag<KV<K, KV<E, BoundedWindow>>> waitingTag) {
      this.lookup = spec.lookup();
      this.onMissing = spec.missingKeys().action();
      this.batchSize = spec.batchSize();
      this.cacheSize = spec.cacheSize();
      this.cacheTtlMillis = spec.cacheTtl().getMillis();
      this.missTtlMillis = spec.missTtl().getMillis();
      this.tableRetries = spec.retries();
      this.clock = spec.clock();
      this.enrichedTag = spec.enrichedTag();
      this.notFoundTag = spec.notFoundTag();
      this.waitingTag = waitingTag;
    }

    @Setup
    public void setup() throws Exception {
      lookup.open();
      cache = new LookupCache<>(cacheSize, cacheTtlMillis, missTtlMillis);
      batch = new LinkedHashMap<>();
    }

    @StartBundle
    public void startBundle() {
      batch.clear();
    }

    @ProcessElement
    public void process(
        @Element KV<K, E> element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out) {
      Emitter emitter =
          new Emitter() {
            @Override
            public <T> void emit(TupleTag<T> tag, T value, Instant ts, BoundedWindow w) {
              out.get(tag).outputWindowedValue(value, ts, List.of(w), PaneInfo.NO_FIRING);
            }
          };
      K key = element.getKey();
      List<Buffered<K, E>> waitingForKey = batch.get(key);
      if (waitingForKey != null) {
        waitingForKey.add(new Buffered<>(element, timestamp, window));
        return;
      }
      LookupCache.Entry<V> cached = cache.get(key, clock.millis());
      if (cached != null) {
        cacheHits.inc();
        route(element, cached.row(), timestamp, window, emitter);
        return;
      }
      cacheMisses.inc();
      List<Buffered<K, E>> events = new ArrayList<>();
      events.add(new Buffered<>(element, timestamp, window));
      batch.put(key, events);
      if (batch.size() >= batchSize) {
        flush(emitter);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      flush(
          new Emitter() {
            @Override
            public <T> void emit(TupleTag<T> tag, T value, Instant ts, BoundedWindow w) {
              context.output(tag, value, ts, w);
            }
          });
    }

    @Teardown
    public void teardown() throws Exception {
      lookup.close();
    }

    /**
     * Buffered events leave from a later element's {@code @ProcessElement} with their own, possibly
     * earlier, timestamps. They are not late by that: the runner does not advance this step's
     * output watermark past an element of a bundle still in progress (the reasoning of Beam's
     * {@code Reshuffle}, which restores timestamps the same way).
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }

    private void flush(Emitter emitter) {
      if (batch.isEmpty()) {
        return;
      }
      Set<K> keys = new LinkedHashSet<>(batch.keySet());
      Map<K, V> rows =
          tableRetries.call(
              "lookupAll of " + keys.size() + " key(s)", retries, () -> lookup.lookupAll(keys));
      if (rows == null) {
        throw new IllegalStateException(lookup + " returned null from lookupAll");
      }
      lookups.inc();
      lookedUpKeys.inc(keys.size());
      long now = clock.millis();
      for (Map.Entry<K, List<Buffered<K, E>>> entry : batch.entrySet()) {
        V row = rows.get(entry.getKey());
        cache.put(entry.getKey(), row, now);
        for (Buffered<K, E> event : entry.getValue()) {
          route(event.element, row, event.timestamp, event.window, emitter);
        }
      }
      batch.clear();
    }

    private void route(
        KV<K, E> element,
        @Nullable V row,
        Instant timestamp,
        BoundedWindow window,
        Emitter emitter) {
      if (row != null) {
        enriched.inc();
        emitter.emit(enrichedTag, KV.of(element.getValue(), row), timestamp, window);
        return;
      }
      switch (onMissing) {
        case PASS_THROUGH:
          passedThrough.inc();
          emitter.emit(enrichedTag, KV.of(element.getValue(), null), timestamp, window);
          break;
        case WAIT:
          waiting.inc();
          emitter.emit(
              waitingTag,
              KV.of(element.getKey(), KV.of(element.getValue(), window)),
              timestamp,
              window);
          break;
        default:
          notFound.inc();
          emitter.emit(notFoundTag, element, timestamp, window);
      }
    }
  }

  /**
   * Holds events whose key was missing, per key in the global window, and looks the key up again
   * every recheck interval until it appears or each event's deadline (arrival plus the timeout, in
   * processing time) passes. The events carry their original windows.
   *
   * <p>Timers hold the output watermark at the earliest held event's timestamp, so the events leave
   * on time for downstream windows. A timer's output timestamp may not be earlier than the element
   * or timer setting it, so the hold is only ever lowered by the element that lowers it, and raised
   * from a timer. An event-time timer at the end of the global window makes sure nothing is left
   * when the input ends, on runners that do not fire processing-time timers then.
   */
  static final class AwaitKeysFn<K, E, V>
      extends DoFn<KV<K, KV<E, BoundedWindow>>, KV<KV<E, V>, BoundedWindow>> {
    private static final long serialVersionUID = 1L;
    private static final String HELD = "held";
    private static final String HOLD = "hold";
    private static final String NEXT_CHECK = "nextCheck";
    private static final String RECHECK = "recheck";
    private static final String END_OF_INPUT = "endOfInput";

    @StateId(HELD)
    private final StateSpec<BagState<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>>> heldSpec;

    @StateId(HOLD)
    private final StateSpec<ValueState<Instant>> holdSpec = StateSpecs.value(InstantCoder.of());

    @StateId(NEXT_CHECK)
    private final StateSpec<ValueState<Instant>> nextCheckSpec =
        StateSpecs.value(InstantCoder.of());

    @TimerId(RECHECK)
    private final TimerSpec recheckSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    @TimerId(END_OF_INPUT)
    private final TimerSpec endOfInputSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final TableLookup<K, V> lookup;
    private final Duration timeout;
    private final Duration recheckInterval;
    private final TableRetries tableRetries;
    private final TupleTag<KV<KV<E, V>, BoundedWindow>> foundTag;
    private final TupleTag<KV<KV<K, E>, BoundedWindow>> expiredTag;

    private final Counter enriched = Metrics.counter(EnrichByLookup.class, ENRICHED);
    private final Counter notFound = Metrics.counter(EnrichByLookup.class, NOT_FOUND);
    private final Counter lookups = Metrics.counter(EnrichByLookup.class, LOOKUPS);
    private final Counter lookedUpKeys = Metrics.counter(EnrichByLookup.class, LOOKED_UP_KEYS);
    private final Counter retries = Metrics.counter(EnrichByLookup.class, LOOKUP_RETRIES);
    private final Counter rechecks = Metrics.counter(EnrichByLookup.class, RECHECKS);

    AwaitKeysFn(
        EnrichByLookup<K, E, V> spec,
        Coder<KV<E, BoundedWindow>> carriedCoder,
        TupleTag<KV<KV<E, V>, BoundedWindow>> foundTag,
        TupleTag<KV<KV<K, E>, BoundedWindow>> expiredTag) {
      this.heldSpec =
          StateSpecs.bag(
              KvCoder.of(
                  TimestampedValue.TimestampedValueCoder.of(carriedCoder), InstantCoder.of()));
      this.lookup = spec.lookup();
      this.timeout = spec.missingKeys().timeout();
      this.recheckInterval = spec.recheckInterval();
      this.tableRetries = spec.retries();
      this.foundTag = foundTag;
      this.expiredTag = expiredTag;
    }

    @Setup
    public void setup() throws Exception {
      lookup.open();
    }

    @Teardown
    public void teardown() throws Exception {
      lookup.close();
    }

    @ProcessElement
    public void process(
        @Element KV<K, KV<E, BoundedWindow>> element,
        @Timestamp Instant timestamp,
        @StateId(HELD) BagState<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> held,
        @StateId(HOLD) ValueState<Instant> hold,
        @StateId(NEXT_CHECK) ValueState<Instant> nextCheck,
        @TimerId(RECHECK) Timer recheck,
        @TimerId(END_OF_INPUT) Timer endOfInput) {
      Instant now = recheck.getCurrentRelativeTime();
      Instant deadline = now.plus(timeout);
      held.add(KV.of(TimestampedValue.of(element.getValue(), timestamp), deadline));
      Instant currentHold = hold.read();
      if (currentHold == null || timestamp.isBefore(currentHold)) {
        Instant next = nextCheck.read();
        if (next == null) {
          next = earlier(now.plus(recheckInterval), deadline);
        }
        arm(timestamp, next, hold, nextCheck, recheck, endOfInput);
      }
    }

    @OnTimer(RECHECK)
    public void onRecheck(
        @Key K key,
        @StateId(HELD) BagState<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> held,
        @StateId(HOLD) ValueState<Instant> hold,
        @StateId(NEXT_CHECK) ValueState<Instant> nextCheck,
        @TimerId(RECHECK) Timer recheck,
        @TimerId(END_OF_INPUT) Timer endOfInput,
        MultiOutputReceiver out) {
      resolve(key, false, held, hold, nextCheck, recheck, endOfInput, out);
    }

    @OnTimer(END_OF_INPUT)
    public void onEndOfInput(
        @Key K key,
        @StateId(HELD) BagState<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> held,
        @StateId(HOLD) ValueState<Instant> hold,
        @StateId(NEXT_CHECK) ValueState<Instant> nextCheck,
        @TimerId(RECHECK) Timer recheck,
        @TimerId(END_OF_INPUT) Timer endOfInput,
        MultiOutputReceiver out) {
      resolve(key, true, held, hold, nextCheck, recheck, endOfInput, out);
    }

    private void resolve(
        K key,
        boolean inputEnded,
        BagState<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> held,
        ValueState<Instant> hold,
        ValueState<Instant> nextCheck,
        Timer recheck,
        Timer endOfInput,
        MultiOutputReceiver out) {
      List<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> events = new ArrayList<>();
      held.read().forEach(events::add);
      if (events.isEmpty()) {
        clear(held, hold, nextCheck, recheck, endOfInput);
        return;
      }
      rechecks.inc();
      Map<K, V> rows =
          tableRetries.call("lookupAll of 1 key", retries, () -> lookup.lookupAll(Set.of(key)));
      if (rows == null) {
        throw new IllegalStateException(lookup + " returned null from lookupAll");
      }
      lookups.inc();
      lookedUpKeys.inc();
      V row = rows.get(key);
      if (row != null) {
        for (KV<TimestampedValue<KV<E, BoundedWindow>>, Instant> event : events) {
          TimestampedValue<KV<E, BoundedWindow>> carried = event.getKey();
          enriched.inc();
          out.get(foundTag)
              .outputWithTimestamp(
                  KV.of(KV.of(carried.getValue().getKey(), row), carried.getValue().getValue()),
                  carried.getTimestamp());
        }
        clear(held, hold, nextCheck, recheck, endOfInput);
        return;
      }
      Instant now = recheck.getCurrentRelativeTime();
      List<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> remaining = new ArrayList<>();
      for (KV<TimestampedValue<KV<E, BoundedWindow>>, Instant> event : events) {
        if (inputEnded || !event.getValue().isAfter(now)) {
          TimestampedValue<KV<E, BoundedWindow>> carried = event.getKey();
          notFound.inc();
          out.get(expiredTag)
              .outputWithTimestamp(
                  KV.of(KV.of(key, carried.getValue().getKey()), carried.getValue().getValue()),
                  carried.getTimestamp());
        } else {
          remaining.add(event);
        }
      }
      if (remaining.isEmpty()) {
        clear(held, hold, nextCheck, recheck, endOfInput);
        return;
      }
      held.clear();
      Instant newHold = null;
      Instant firstDeadline = null;
      for (KV<TimestampedValue<KV<E, BoundedWindow>>, Instant> event : remaining) {
        held.add(event);
        newHold = earlier(newHold, event.getKey().getTimestamp());
        firstDeadline = earlier(firstDeadline, event.getValue());
      }
      arm(
          newHold,
          earlier(now.plus(recheckInterval), firstDeadline),
          hold,
          nextCheck,
          recheck,
          endOfInput);
    }

    private static void arm(
        Instant holdAt,
        Instant checkAt,
        ValueState<Instant> hold,
        ValueState<Instant> nextCheck,
        Timer recheck,
        Timer endOfInput) {
      recheck.withOutputTimestamp(holdAt).set(checkAt);
      endOfInput.withOutputTimestamp(holdAt).set(GlobalWindow.INSTANCE.maxTimestamp());
      hold.write(holdAt);
      nextCheck.write(checkAt);
    }

    private static void clear(
        BagState<?> held,
        ValueState<Instant> hold,
        ValueState<Instant> nextCheck,
        Timer recheck,
        Timer endOfInput) {
      held.clear();
      hold.clear();
      nextCheck.clear();
      recheck.clear();
      endOfInput.clear();
    }

    private static Instant earlier(@Nullable Instant a, Instant b) {
      return a == null || b.isBefore(a) ? b : a;
    }
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
