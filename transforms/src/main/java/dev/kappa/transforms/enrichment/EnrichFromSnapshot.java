package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Enriches keyed events from a whole-table snapshot held in memory on every worker and re-read
 * periodically: Beam's "slowly updating global window side input" pattern, packaged.
 *
 * <p>How: an impulse every {@link #refreshEvery()} (Beam's {@code PeriodicImpulse}) reads the table
 * with {@link TableSnapshot#readAll()}; the snapshots go into the global window with a trigger that
 * fires on every element, discarding, and are combined to the latest one (by read time) before
 * becoming a singleton side input. Events, in their own windows, map to that global side input, so
 * each one is joined with the latest snapshot the worker has when it processes the event. For a
 * <b>bounded</b> input (a backfill) the table is read once instead, so the job ends.
 *
 * <p><b>Guarantee under replay: none about event time.</b> Like {@link EnrichByLookup}, this joins
 * with the table as of processing time, up to one refresh interval (plus the time the side input
 * takes to reach the workers) stale; a backfill sees today's table. Use {@link EnrichAsOfEventTime}
 * when old events must see old rows.
 *
 * <p><b>Limits.</b>
 *
 * <ul>
 *   <li>The whole table must fit in every worker's memory, and is re-read in full on each refresh.
 *   <li>Events that arrive before the first snapshot are held back by the runner (a side input is
 *       not ready until its first pane), never joined with an empty table.
 *   <li>Missing keys: {@link MissingKeyPolicy#deadLetter()} (default) or {@link
 *       MissingKeyPolicy#passThrough()}. {@link MissingKeyPolicy#waitUpTo} is rejected: holding an
 *       event until a later snapshot has its key needs keyed state and a timer to re-check, and
 *       Beam Java's {@code @OnTimer} methods cannot read side inputs; a held event could only be
 *       re-checked when another event with the same key arrives, so one without successors would
 *       wait until its timeout without ever seeing a newer snapshot. Use {@link EnrichByLookup} or
 *       {@link EnrichAsOfEventTime} to wait for rows.
 *   <li>The pattern has known Beam issues: a singleton view can see more than one element and fail
 *       ("PCollection with more than one element accessed as a singleton view", apache/beam#26465),
 *       which combining each pane to one snapshot mitigates but no runner guarantees away; {@code
 *       Latest.globally()} with defaults in the global window emits only once (apache/beam#35934),
 *       which is why the combine here runs without defaults; see also apache/beam#30903. Each
 *       snapshot replaces the previous one whole, never as a delta.
 * </ul>
 *
 * <p><b>Outputs</b> keep each event's timestamp, window and pane. Counters (namespace {@code
 * EnrichFromSnapshot}, per step): {@code enriched}, {@code notFound}, {@code passedThrough}, {@code
 * snapshotsRead}, {@code snapshotReadRetries}; distribution {@code snapshotRows}.
 *
 * <pre>{@code
 * EnrichFromSnapshot<String, OrderEvent, Customer> enrich =
 *     EnrichFromSnapshot.<String, OrderEvent, Customer>of(customersTable, SpecificRecordCoder.of(Customer.class))
 *         .withRefreshEvery(Duration.standardMinutes(10));
 * PCollectionTuple out = ordersByCustomerId.apply("EnrichWithCustomer", enrich);
 * PCollection<KV<OrderEvent, Customer>> enriched = out.get(enrich.enrichedTag());
 * PCollection<KV<String, OrderEvent>> notFound = out.get(enrich.notFoundTag());
 * }</pre>
 *
 * @param <K> the key; its coder must be deterministic and consistent with equals
 * @param <E> the event
 * @param <V> the table row
 */
@AutoValue
public abstract class EnrichFromSnapshot<K, E, V> extends TableEnrichment<K, E, V> {
  private static final long serialVersionUID = 1L;

  /** Counter names, in the namespace of this class, besides {@link #ENRICHED} and the others. */
  public static final String SNAPSHOTS_READ = "snapshotsRead";

  public static final String SNAPSHOT_READ_RETRIES = "snapshotReadRetries";
  public static final String SNAPSHOT_ROWS = "snapshotRows";

  abstract TableSnapshot<K, V> snapshot();

  /** How often a streaming job re-reads the table. */
  public abstract Duration refreshEvery();

  abstract @Nullable PCollection<?> refreshSignal();

  abstract Builder<K, E, V> toBuilder();

  /**
   * Enriches from {@code snapshot}; {@code valueCoder} encodes its rows. Defaults: refresh every 5
   * minutes, 3 read attempts 1 second apart (doubling), missing keys dead-lettered.
   */
  public static <K, E, V> EnrichFromSnapshot<K, E, V> of(
      TableSnapshot<K, V> snapshot, Coder<V> valueCoder) {
    return new AutoValue_EnrichFromSnapshot.Builder<K, E, V>()
        .setSnapshot(checkNotNull(snapshot, "snapshot must be set"))
        .setValueCoder(checkNotNull(valueCoder, "value coder must be set"))
        .setRefreshEvery(Duration.standardMinutes(5))
        .setMissingKeys(MissingKeyPolicy.deadLetter())
        .setRetries(TableRetries.of(3, Duration.standardSeconds(1)))
        .setEnrichedTagInternal(new TupleTag<KV<E, V>>("enriched") {})
        .setNotFoundTagInternal(new TupleTag<KV<K, E>>("notFound") {})
        .build();
  }

  /** Re-reads the table every {@code interval} of processing time (default 5 minutes). */
  public EnrichFromSnapshot<K, E, V> withRefreshEvery(Duration interval) {
    checkArgument(interval != null, "refresh interval must be set");
    checkArgument(
        interval.isLongerThan(Duration.ZERO),
        "refresh interval must be positive, was %s",
        interval);
    return toBuilder().setRefreshEvery(interval).build();
  }

  /**
   * Re-reads the table whenever {@code signal} has an element, instead of on a schedule, for
   * bounded and unbounded inputs alike: for example when a change-notification topic says the table
   * changed.
   */
  public EnrichFromSnapshot<K, E, V> withRefreshOn(PCollection<?> signal) {
    checkArgument(signal != null, "refresh signal must be set");
    return toBuilder().setRefreshSignal(signal).build();
  }

  /**
   * Dead-letters (default) or passes through events whose key the snapshot lacks.
   *
   * @throws IllegalArgumentException for {@link MissingKeyPolicy#waitUpTo}: see the class
   *     documentation for why a snapshot join cannot wait
   */
  public EnrichFromSnapshot<K, E, V> withMissingKeys(MissingKeyPolicy policy) {
    checkArgument(policy != null, "missing-key policy must be set");
    checkArgument(
        !policy.waits(),
        "EnrichFromSnapshot cannot wait for missing keys (%s): @OnTimer cannot read the side"
            + " input, so a held event could not be re-checked against a newer snapshot; use"
            + " deadLetter() or passThrough(), or EnrichByLookup / EnrichAsOfEventTime to wait",
        policy);
    return toBuilder().setMissingKeys(policy).build();
  }

  /**
   * Tries each table read {@code maxAttempts} times in all (default 3) before failing the bundle,
   * pausing {@code backoff} after the first failure and twice as long after each further one
   * (capped at a minute, randomized as Beam's {@code FluentBackoff} does; default 1 s).
   */
  public EnrichFromSnapshot<K, E, V> withRetries(int maxAttempts, Duration backoff) {
    return toBuilder().setRetries(TableRetries.of(maxAttempts, backoff)).build();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, E>> input) {
    KvCoder<K, E> inputCoder = Coders.kvCoder(input.getCoder(), "events");
    Coders.checkKeyCoder(inputCoder.getKeyCoder());
    Coder<KV<Instant, Map<K, V>>> snapshotCoder =
        KvCoder.of(InstantCoder.of(), MapCoder.of(inputCoder.getKeyCoder(), valueCoder()));

    PCollection<?> signal = refreshSignal();
    if (signal == null) {
      signal =
          input.isBounded() == PCollection.IsBounded.BOUNDED
              ? input.getPipeline().apply("ReadOnce", Impulse.create())
              : input
                  .getPipeline()
                  .apply(
                      "RefreshPeriodically", PeriodicImpulse.create().withInterval(refreshEvery()));
    }
    PCollectionView<KV<Instant, Map<K, V>>> latest =
        signal
            .apply("ReadTable", ParDo.of(new ReadSnapshotFn<K, V>(this)))
            .setCoder(snapshotCoder)
            .apply(
                "EverySnapshot",
                Window.<KV<Instant, Map<K, V>>>into(new GlobalWindows())
                    .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes()
                    // Else the end of the input fires an empty on-time pane, which the combine
                    // would turn into a null snapshot.
                    .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY))
            .apply("KeepLatest", Combine.globally(new LatestSnapshotFn<K, V>()).withoutDefaults())
            .setCoder(snapshotCoder)
            .apply("AsSideInput", View.asSingleton());

    PCollectionTuple out =
        input.apply(
            "LookUpInSnapshot",
            ParDo.of(new LookUpInSnapshotFn<K, E, V>(this, latest))
                .withSideInputs(latest)
                .withOutputTags(enrichedTag(), TupleTagList.of(notFoundTag())));
    out.get(enrichedTag())
        .setCoder(KvCoder.of(inputCoder.getValueCoder(), NullableCoder.of(valueCoder())));
    out.get(notFoundTag()).setCoder(inputCoder);
    return out;
  }

  /** Reads the whole table on each signal, retrying, and stamps the snapshot with its read time. */
  static final class ReadSnapshotFn<K, V> extends DoFn<Object, KV<Instant, Map<K, V>>> {
    private static final long serialVersionUID = 1L;
    private final TableSnapshot<K, V> snapshot;
    private final TableRetries tableRetries;
    private final Counter reads = Metrics.counter(EnrichFromSnapshot.class, SNAPSHOTS_READ);
    private final Counter retries =
        Metrics.counter(EnrichFromSnapshot.class, SNAPSHOT_READ_RETRIES);
    private final Distribution rows = Metrics.distribution(EnrichFromSnapshot.class, SNAPSHOT_ROWS);

    ReadSnapshotFn(EnrichFromSnapshot<K, ?, V> spec) {
      this.snapshot = spec.snapshot();
      this.tableRetries = spec.retries();
    }

    @ProcessElement
    public void process(OutputReceiver<KV<Instant, Map<K, V>>> out) {
      Map<K, V> read = tableRetries.call("readAll", retries, snapshot::readAll);
      if (read == null) {
        throw new IllegalStateException(snapshot + " returned null from readAll");
      }
      Map<K, V> copy = new HashMap<>();
      for (Map.Entry<K, V> row : read.entrySet()) {
        if (row.getKey() == null || row.getValue() == null) {
          throw new IllegalStateException(
              snapshot + " returned a null key or row from readAll: " + row);
        }
        copy.put(row.getKey(), row.getValue());
      }
      reads.inc();
      rows.update(copy.size());
      out.output(KV.of(Instant.now(), copy));
    }
  }

  /** Of the snapshots in a pane, the one read last. */
  static final class LatestSnapshotFn<K, V>
      extends Combine.BinaryCombineFn<KV<Instant, Map<K, V>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public KV<Instant, Map<K, V>> apply(KV<Instant, Map<K, V>> a, KV<Instant, Map<K, V>> b) {
      return b.getKey().isBefore(a.getKey()) ? a : b;
    }
  }

  /**
   * Joins each event with the current snapshot. The side input is read once per bundle: it may be a
   * large map, and some runners rebuild it on each access.
   */
  static final class LookUpInSnapshotFn<K, E, V> extends DoFn<KV<K, E>, KV<E, V>> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<KV<Instant, Map<K, V>>> view;
    private final MissingKeyPolicy.Action onMissing;
    private final TupleTag<KV<E, V>> enrichedTag;
    private final TupleTag<KV<K, E>> notFoundTag;
    private final Counter enriched = Metrics.counter(EnrichFromSnapshot.class, ENRICHED);
    private final Counter notFound = Metrics.counter(EnrichFromSnapshot.class, NOT_FOUND);
    private final Counter passedThrough = Metrics.counter(EnrichFromSnapshot.class, PASSED_THROUGH);

    private transient @Nullable Map<K, V> rows;

    LookUpInSnapshotFn(
        EnrichFromSnapshot<K, E, V> spec, PCollectionView<KV<Instant, Map<K, V>>> view) {
      this.view = view;
      this.onMissing = spec.missingKeys().action();
      this.enrichedTag = spec.enrichedTag();
      this.notFoundTag = spec.notFoundTag();
    }

    @StartBundle
    public void startBundle() {
      rows = null;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      if (rows == null) {
        rows = context.sideInput(view).getValue();
      }
      KV<K, E> element = context.element();
      V row = rows.get(element.getKey());
      if (row != null) {
        enriched.inc();
        context.output(enrichedTag, KV.of(element.getValue(), row));
      } else if (onMissing == MissingKeyPolicy.Action.PASS_THROUGH) {
        passedThrough.inc();
        context.output(enrichedTag, KV.of(element.getValue(), null));
      } else {
        notFound.inc();
        context.output(notFoundTag, element);
      }
    }
  }

  @AutoValue.Builder
  abstract static class Builder<K, E, V> {
    abstract Builder<K, E, V> setSnapshot(TableSnapshot<K, V> snapshot);

    abstract Builder<K, E, V> setValueCoder(Coder<V> coder);

    abstract Builder<K, E, V> setRefreshEvery(Duration interval);

    abstract Builder<K, E, V> setMissingKeys(MissingKeyPolicy policy);

    abstract Builder<K, E, V> setRetries(TableRetries retries);

    abstract Builder<K, E, V> setRefreshSignal(PCollection<?> signal);

    abstract Builder<K, E, V> setEnrichedTagInternal(TupleTag<KV<E, V>> tag);

    abstract Builder<K, E, V> setNotFoundTagInternal(TupleTag<KV<K, E>> tag);

    abstract EnrichFromSnapshot<K, E, V> build();
  }
}
