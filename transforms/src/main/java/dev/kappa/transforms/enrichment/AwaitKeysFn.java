package dev.kappa.transforms.enrichment;

import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
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
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@link EnrichByLookup}'s {@code AwaitMissingKeys} step: holds events whose key was missing, per
 * key in the global window, carrying their original windows, and binds Beam's state and timers to
 * an {@link AwaitKeys}, which decides. Looking the key up again goes through the table, with
 * retries.
 *
 * <p>Its state ids, timer ids and coders are what Flink savepoints know its state by: keep them.
 */
final class AwaitKeysFn<K, E, V>
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
  private final StateSpec<ValueState<Instant>> nextCheckSpec = StateSpecs.value(InstantCoder.of());

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

  private final Counter lookups = Metrics.counter(EnrichByLookup.class, EnrichByLookup.LOOKUPS);
  private final Counter lookedUpKeys =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.LOOKED_UP_KEYS);
  private final Counter retries =
      Metrics.counter(EnrichByLookup.class, EnrichByLookup.LOOKUP_RETRIES);

  AwaitKeysFn(
      EnrichByLookup<K, E, V> spec,
      Coder<KV<E, BoundedWindow>> carriedCoder,
      TupleTag<KV<KV<E, V>, BoundedWindow>> foundTag,
      TupleTag<KV<KV<K, E>, BoundedWindow>> expiredTag) {
    this.heldSpec =
        StateSpecs.bag(
            KvCoder.of(TimestampedValue.TimestampedValueCoder.of(carriedCoder), InstantCoder.of()));
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
      @TimerId(END_OF_INPUT) Timer endOfInput,
      MultiOutputReceiver out) {
    await(element.getKey(), held, hold, nextCheck, recheck, endOfInput, out)
        .onEvent(element.getValue(), timestamp, recheck.getCurrentRelativeTime());
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
    await(key, held, hold, nextCheck, recheck, endOfInput, out)
        .onRecheck(recheck.getCurrentRelativeTime(), this::lookUp);
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
    await(key, held, hold, nextCheck, recheck, endOfInput, out)
        .onEndOfInput(recheck.getCurrentRelativeTime(), this::lookUp);
  }

  /** The key's row as the table has it now, asked with retries. */
  private V lookUp(K key) {
    Map<K, V> rows =
        tableRetries.call("lookupAll of 1 key", retries, () -> lookup.lookupAll(Set.of(key)));
    if (rows == null) {
      throw new IllegalStateException(lookup + " returned null from lookupAll");
    }
    lookups.inc();
    lookedUpKeys.inc();
    return rows.get(key);
  }

  private AwaitKeys<K, KV<E, BoundedWindow>, V> await(
      K key,
      BagState<KV<TimestampedValue<KV<E, BoundedWindow>>, Instant>> held,
      ValueState<Instant> hold,
      ValueState<Instant> nextCheck,
      Timer recheck,
      Timer endOfInput,
      MultiOutputReceiver out) {
    return new AwaitKeys<>(
        key,
        timeout,
        recheckInterval,
        held,
        hold,
        nextCheck,
        recheck,
        endOfInput,
        new AwaitKeys.Output<K, KV<E, BoundedWindow>, V>() {
          @Override
          public void found(KV<E, BoundedWindow> event, V row, Instant timestamp) {
            out.get(foundTag)
                .outputWithTimestamp(
                    KV.of(KV.of(event.getKey(), row), event.getValue()), timestamp);
          }

          @Override
          public void expired(K key, KV<E, BoundedWindow> event, Instant timestamp) {
            out.get(expiredTag)
                .outputWithTimestamp(
                    KV.of(KV.of(key, event.getKey()), event.getValue()), timestamp);
          }
        });
  }
}
