package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SortedMapCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollection.IsBounded;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The temporal join of {@link EnrichAsOfEventTime} for a <b>bounded</b> changelog, with the table's
 * whole version history in memory as a side input: each event looks up the version valid at its
 * time where it is, so the events are not shuffled, held or re-windowed. This is what a Flink
 * engineer writes for a backfill (the small change history broadcast to the tasks that process the
 * events), and what Kappa's jobs use for a bounded run unless told otherwise.
 *
 * <p><b>The same answers as {@link EnrichAsOfEventTime} in a bounded run.</b> A bounded run has no
 * late change, so the keyed join answers every event from the complete history, and so does this:
 * an event at time {@code t} joins the latest version with a timestamp at or before {@code t} (a
 * delete there: not found); under {@link MissingKeyPolicy#waitUpTo}, an event with no version then
 * joins the first row that became valid after {@code t} and no later than {@code t + timeout}, else
 * it is not found; {@link MissingKeyPolicy#passThrough()} emits it with a null row. The outputs
 * have the same tags and coders; {@link #lateChangesTag()} and {@link #correctionsTag()} are empty.
 * The one case where the two can differ is one the keyed join leaves to chance: two changes of the
 * same key valid from the same millisecond. The keyed join keeps whichever it processes last, which
 * no runner defines; this join keeps the one whose encoded row sorts last (a row over a delete), so
 * a backfill gives the same answer every time.
 *
 * <p><b>Cost.</b> The history is combined into one map (key to versions) and given to every task as
 * a singleton side input: the whole history of the table is held in memory by each task that
 * processes events, and the events wait until all of it has been read. Use {@link
 * EnrichAsOfEventTime} for a table whose history does not fit, and for any unbounded changelog.
 *
 * <p><b>Outputs</b> keep each event's timestamp, window and pane. Counters, in {@link
 * EnrichAsOfEventTime}'s namespace so that dashboards see one join whichever runs: {@code
 * enriched}, {@code notFound}, {@code passedThrough}, {@code changes}. Steps: {@code
 * TimestampChanges}, {@code ChangesIntoGlobalWindow}, {@code CollectHistory}, {@code
 * JoinWithHistory}, {@code NoLateChanges}, {@code NoCorrections}.
 *
 * <pre>{@code
 * PCollection<KV<String, Product>> productChanges = ...; // bounded; KvCoder(String, Nullable(row))
 * EnrichFromHistory<String, OrderEvent, Product> enrich =
 *     EnrichFromHistory.<String, OrderEvent, Product>against(productChanges)
 *         .withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)));
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
public abstract class EnrichFromHistory<K, E, V>
    extends PTransform<PCollection<KV<K, E>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  abstract PCollection<KV<K, V>> changelog();

  public abstract MissingKeyPolicy missingKeys();

  abstract TupleTag<KV<E, V>> enrichedTagInternal();

  abstract TupleTag<KV<K, E>> notFoundTagInternal();

  abstract TupleTag<KV<K, V>> lateChangesTagInternal();

  abstract TupleTag<Correction<K, E, V>> correctionsTagInternal();

  abstract Builder<K, E, V> toBuilder();

  /**
   * Joins against {@code changelog}, which must be bounded: one element per change, timestamped
   * with when the version became valid, null for a delete. Default: missing keys dead-lettered.
   */
  public static <K, E, V> EnrichFromHistory<K, E, V> against(PCollection<KV<K, V>> changelog) {
    return new AutoValue_EnrichFromHistory.Builder<K, E, V>()
        .setChangelog(checkNotNull(changelog, "changelog must be set"))
        .setMissingKeys(MissingKeyPolicy.deadLetter())
        .setEnrichedTagInternal(new TupleTag<KV<E, V>>("enriched") {})
        .setNotFoundTagInternal(new TupleTag<KV<K, E>>("notFound") {})
        .setLateChangesTagInternal(new TupleTag<KV<K, V>>("lateChanges") {})
        .setCorrectionsTagInternal(new TupleTag<Correction<K, E, V>>("corrections") {})
        .build();
  }

  /** What to do with events whose key has no version at their time (default: dead-letter). */
  public EnrichFromHistory<K, E, V> withMissingKeys(MissingKeyPolicy policy) {
    checkArgument(policy != null, "missing-key policy must be set");
    return toBuilder().setMissingKeys(policy).build();
  }

  /**
   * Each event with the version valid at its time ({@code KV<event, row>}), with the event's
   * timestamp and window. The row is null only for events passed through under {@link
   * MissingKeyPolicy#passThrough()}.
   */
  public TupleTag<KV<E, V>> enrichedTag() {
    return enrichedTagInternal();
  }

  /** Events whose key had no version at their time (nor within the wait, if the policy waits). */
  public TupleTag<KV<K, E>> notFoundTag() {
    return notFoundTagInternal();
  }

  /**
   * Always empty: a bounded changelog has no late change. There for {@link EnrichAsOfEventTime}'s
   * shape.
   */
  public TupleTag<KV<K, V>> lateChangesTag() {
    return lateChangesTagInternal();
  }

  /**
   * Always empty: nothing emitted is ever revised. There for {@link EnrichAsOfEventTime}'s shape.
   */
  public TupleTag<Correction<K, E, V>> correctionsTag() {
    return correctionsTagInternal();
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<K, E>> events) {
    Coder<V> rowCoder = Coders.checkTemporalJoinInputs(events, changelog());
    KvCoder<K, E> eventsCoder = Coders.kvCoder(events.getCoder(), "events");
    Coder<K> keyCoder = eventsCoder.getKeyCoder();
    checkArgument(
        changelog().isBounded() == IsBounded.BOUNDED,
        "EnrichFromHistory needs a bounded changelog (it waits for the whole history); use"
            + " EnrichAsOfEventTime for an unbounded one");
    Coder<E> eventCoder = eventsCoder.getValueCoder();
    PCollectionView<Map<K, SortedMap<Long, V>>> history =
        collectHistory(changelog(), keyCoder, rowCoder);

    TupleTag<KV<E, V>> enrichedTag = enrichedTag();
    PCollectionTuple joined =
        events.apply(
            "JoinWithHistory",
            ParDo.of(
                    new JoinWithHistoryFn<K, E, V>(
                        history, missingKeys(), enrichedTag, notFoundTag()))
                .withSideInputs(history)
                .withOutputTags(enrichedTag, TupleTagList.of(notFoundTag())));
    PCollection<KV<E, V>> enriched =
        joined.get(enrichedTag).setCoder(KvCoder.of(eventCoder, NullableCoder.of(rowCoder)));
    PCollection<KV<K, E>> notFound = joined.get(notFoundTag()).setCoder(eventsCoder);
    PCollection<KV<K, V>> lateChanges =
        events
            .getPipeline()
            .apply("NoLateChanges", Create.empty(KvCoder.of(keyCoder, NullableCoder.of(rowCoder))));
    PCollection<Correction<K, E, V>> corrections =
        events
            .getPipeline()
            .apply("NoCorrections", Create.empty(Correction.coder(keyCoder, eventCoder, rowCoder)));
    return PCollectionTuple.of(enrichedTag, enriched)
        .and(notFoundTag(), notFound)
        .and(lateChangesTag(), lateChanges)
        .and(correctionsTag(), corrections);
  }

  /**
   * Applies {@code TimestampChanges}, {@code ChangesIntoGlobalWindow} and {@code CollectHistory} to
   * a bounded changelog, in the caller's scope: the history as a singleton side input.
   */
  static <K, V> PCollectionView<Map<K, SortedMap<Long, V>>> collectHistory(
      PCollection<KV<K, V>> changelog, Coder<K> keyCoder, Coder<V> rowCoder) {
    KvCoder<Long, V> versionCoder = KvCoder.of(VarLongCoder.of(), NullableCoder.of(rowCoder));
    Coder<Map<K, SortedMap<Long, V>>> historyCoder = historyCoder(keyCoder, rowCoder);
    return changelog
        .apply("TimestampChanges", ParDo.of(new TimestampChangeFn<K, V>()))
        .setCoder(KvCoder.of(keyCoder, versionCoder))
        .apply(
            "ChangesIntoGlobalWindow",
            Window.<KV<K, KV<Long, V>>>into(new GlobalWindows())
                .triggering(DefaultTrigger.of())
                .withAllowedLateness(Duration.ZERO)
                .discardingFiredPanes())
        .apply(
            "CollectHistory",
            Combine.globally(new CollectHistoryFn<K, V>(rowCoder, historyCoder)).asSingletonView());
  }

  /** The coder of a collected history: key to versions by valid-from millis. */
  static <K, V> Coder<Map<K, SortedMap<Long, V>>> historyCoder(
      Coder<K> keyCoder, Coder<V> rowCoder) {
    return MapCoder.of(keyCoder, SortedMapCoder.of(VarLongCoder.of(), NullableCoder.of(rowCoder)));
  }

  /**
   * The version of {@code key} valid at {@code time} in {@code history}; under a waiting policy,
   * else the first one valid after {@code time} within the wait; null if there is none.
   */
  static <K, V> @Nullable V versionAt(
      Map<K, SortedMap<Long, V>> history, K key, Instant time, MissingKeyPolicy policy) {
    SortedMap<Long, V> stored = history.get(key);
    if (stored == null) {
      return null;
    }
    VersionHistory<V> versions = VersionHistory.over(stored);
    long millis = time.getMillis();
    V row = versions.valueAt(millis);
    if (row == null && policy.waits()) {
      row = versions.firstValueIn(millis, waitEnd(time, policy).getMillis());
    }
    return row;
  }

  /** As the keyed join: the event time plus the timeout, at most the end of the global window. */
  private static Instant waitEnd(Instant time, MissingKeyPolicy policy) {
    Instant end = time.plus(policy.timeout());
    Instant endOfGlobalWindow = GlobalWindow.INSTANCE.maxTimestamp();
    return end.isAfter(endOfGlobalWindow) ? endOfGlobalWindow : end;
  }

  /** A change as {@code KV<key, KV<valid-from millis, row>>}: the history needs its timestamp. */
  static final class TimestampChangeFn<K, V> extends DoFn<KV<K, V>, KV<K, KV<Long, V>>> {
    private static final long serialVersionUID = 1L;
    private final Counter changes = counter(EnrichAsOfEventTime.CHANGES);

    @ProcessElement
    public void process(
        @Element KV<K, V> change,
        @Timestamp Instant validFrom,
        OutputReceiver<KV<K, KV<Long, V>>> out) {
      changes.inc();
      out.output(KV.of(change.getKey(), KV.of(validFrom.getMillis(), change.getValue())));
    }
  }

  /**
   * Every key's versions, by the time each became valid. Two versions of a key valid from the same
   * millisecond: the one whose encoded row sorts last (unsigned bytes; a delete, null, sorts
   * first), whatever order they are combined in.
   */
  static final class CollectHistoryFn<K, V>
      extends Combine.CombineFn<
          KV<K, KV<Long, V>>, Map<K, SortedMap<Long, V>>, Map<K, SortedMap<Long, V>>> {
    private static final long serialVersionUID = 1L;
    private final Coder<V> rowCoder;
    private final Coder<Map<K, SortedMap<Long, V>>> historyCoder;

    CollectHistoryFn(Coder<V> rowCoder, Coder<Map<K, SortedMap<Long, V>>> historyCoder) {
      this.rowCoder = rowCoder;
      this.historyCoder = historyCoder;
    }

    @Override
    public Map<K, SortedMap<Long, V>> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<K, SortedMap<Long, V>> addInput(
        Map<K, SortedMap<Long, V>> history, KV<K, KV<Long, V>> change) {
      put(history, change.getKey(), change.getValue().getKey(), change.getValue().getValue());
      return history;
    }

    @Override
    public Map<K, SortedMap<Long, V>> mergeAccumulators(
        Iterable<Map<K, SortedMap<Long, V>>> histories) {
      Map<K, SortedMap<Long, V>> merged = null;
      for (Map<K, SortedMap<Long, V>> history : histories) {
        if (merged == null) {
          merged = history;
          continue;
        }
        for (Map.Entry<K, SortedMap<Long, V>> key : history.entrySet()) {
          for (Map.Entry<Long, V> version : key.getValue().entrySet()) {
            put(merged, key.getKey(), version.getKey(), version.getValue());
          }
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public Map<K, SortedMap<Long, V>> extractOutput(Map<K, SortedMap<Long, V>> history) {
      return history;
    }

    @Override
    public Coder<Map<K, SortedMap<Long, V>>> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<K, KV<Long, V>>> inputCoder) {
      return historyCoder;
    }

    @Override
    public Coder<Map<K, SortedMap<Long, V>>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<KV<K, KV<Long, V>>> inputCoder) {
      return historyCoder;
    }

    private void put(Map<K, SortedMap<Long, V>> history, K key, long validFrom, @Nullable V row) {
      SortedMap<Long, V> versions = history.computeIfAbsent(key, k -> new TreeMap<>());
      if (versions.containsKey(validFrom)) {
        V other = versions.get(validFrom);
        if (Arrays.compareUnsigned(encode(other), encode(row)) > 0) {
          return;
        }
      }
      versions.put(validFrom, row);
    }

    private byte[] encode(@Nullable V row) {
      if (row == null) {
        return new byte[0];
      }
      try {
        byte[] encoded = CoderUtils.encodeToByteArray(rowCoder, row);
        // A leading 1 puts every row after a delete, even one that encodes to no bytes.
        byte[] ranked = new byte[encoded.length + 1];
        ranked[0] = 1;
        System.arraycopy(encoded, 0, ranked, 1, encoded.length);
        return ranked;
      } catch (CoderException e) {
        throw new IllegalStateException("cannot encode a row to order two tied versions", e);
      }
    }
  }

  /**
   * Joins each event with the version valid at its time, read from the history side input. The side
   * input is read once per bundle: it is the whole history, and some runners rebuild it on each
   * access; every event maps to its one (global) window.
   */
  static final class JoinWithHistoryFn<K, E, V> extends DoFn<KV<K, E>, KV<E, V>> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<Map<K, SortedMap<Long, V>>> view;
    private final MissingKeyPolicy policy;
    private final TupleTag<KV<E, V>> enrichedTag;
    private final TupleTag<KV<K, E>> notFoundTag;
    private final Counter enriched = counter(EnrichAsOfEventTime.ENRICHED);
    private final Counter notFound = counter(EnrichAsOfEventTime.NOT_FOUND);
    private final Counter passedThrough = counter(EnrichAsOfEventTime.PASSED_THROUGH);

    private transient @Nullable Map<K, SortedMap<Long, V>> history;

    JoinWithHistoryFn(
        PCollectionView<Map<K, SortedMap<Long, V>>> view,
        MissingKeyPolicy policy,
        TupleTag<KV<E, V>> enrichedTag,
        TupleTag<KV<K, E>> notFoundTag) {
      this.view = view;
      this.policy = policy;
      this.enrichedTag = enrichedTag;
      this.notFoundTag = notFoundTag;
    }

    @StartBundle
    public void startBundle() {
      history = null;
    }

    /**
     * {@code window} is asked for so that an event in several windows is joined once per window,
     * and counted so, as the keyed join does.
     */
    @ProcessElement
    public void process(ProcessContext context, BoundedWindow window) {
      if (history == null) {
        history = context.sideInput(view);
      }
      KV<K, E> element = context.element();
      V row = versionAt(history, element.getKey(), context.timestamp(), policy);
      if (row != null) {
        enriched.inc();
        context.output(enrichedTag, KV.of(element.getValue(), row));
      } else if (policy.action() == MissingKeyPolicy.Action.PASS_THROUGH) {
        passedThrough.inc();
        context.output(enrichedTag, KV.of(element.getValue(), null));
      } else {
        notFound.inc();
        context.output(notFoundTag, element);
      }
    }
  }

  private static Counter counter(String name) {
    return Metrics.counter(EnrichAsOfEventTime.class, name);
  }

  @AutoValue.Builder
  abstract static class Builder<K, E, V> {
    abstract Builder<K, E, V> setChangelog(PCollection<KV<K, V>> changelog);

    abstract Builder<K, E, V> setMissingKeys(MissingKeyPolicy policy);

    abstract Builder<K, E, V> setEnrichedTagInternal(TupleTag<KV<E, V>> tag);

    abstract Builder<K, E, V> setNotFoundTagInternal(TupleTag<KV<K, E>> tag);

    abstract Builder<K, E, V> setLateChangesTagInternal(TupleTag<KV<K, V>> tag);

    abstract Builder<K, E, V> setCorrectionsTagInternal(TupleTag<Correction<K, E, V>> tag);

    abstract EnrichFromHistory<K, E, V> build();
  }
}
