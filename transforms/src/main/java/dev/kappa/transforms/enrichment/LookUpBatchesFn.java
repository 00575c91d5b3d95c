package dev.kappa.transforms.enrichment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@link EnrichByLookup}'s {@code LookUpBatches} step, the batched cached lookup: looks keys up in
 * batches per bundle, through a {@link LookupCache}, and routes each event by the answer: enriched,
 * passed through, not found, or (under {@link MissingKeyPolicy#waitUpTo}) to the waiting output,
 * keyed and carrying its window, for {@link AwaitKeysFn}. Buffered events leave with their own
 * timestamp and window when their batch is looked up. It keeps no Beam state.
 */
final class LookUpBatchesFn<K, E, V> extends DoFn<KV<K, E>, KV<E, V>> {
  private static final long serialVersionUID = 1L;

  /** Where an output goes: from {@code @ProcessElement} or from {@code @FinishBundle}. */
  private interface Emitter {
    <T> void emit(TupleTag<T> tag, T value, Instant timestamp, BoundedWindow window);
  }

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

  private final Counter enriched = Metrics.counter(EnrichByLookup.class, EnrichByLookup.ENRICHED);
  private final Counter notFound = Metrics.counter(EnrichByLookup.class, EnrichByLookup.NOT_FOUND);
  private final Counter passedThrough =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.PASSED_THROUGH);
  private final Counter waiting = Metrics.counter(EnrichByLookup.class, EnrichByLookup.WAITING);
  private final Counter cacheHits =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.CACHE_HITS);
  private final Counter cacheMisses =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.CACHE_MISSES);
  private final Counter lookups = Metrics.counter(EnrichByLookup.class, EnrichByLookup.LOOKUPS);
  private final Counter lookedUpKeys =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.LOOKED_UP_KEYS);
  private final Counter retries =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.LOOKUP_RETRIES);

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

  LookUpBatchesFn(EnrichByLookup<K, E, V> spec, TupleTag<KV<K, KV<E, BoundedWindow>>> waitingTag) {
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
   * earlier, timestamps. They are not late by that: the runner does not advance this step's output
   * watermark past an element of a bundle still in progress (the reasoning of Beam's {@code
   * Reshuffle}, which restores timestamps the same way).
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
      KV<K, E> element, @Nullable V row, Instant timestamp, BoundedWindow window, Emitter emitter) {
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
