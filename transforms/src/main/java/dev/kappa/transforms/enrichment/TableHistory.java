package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Map;
import java.util.SortedMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollection.IsBounded;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A bounded table's whole version history as a side input, looked up as {@link EnrichFromHistory}
 * looks it up, for a step that joins <b>several</b> tables at once. Each {@link EnrichFromHistory}
 * is a step with a side input, which a runner such as Flink cannot chain to the step before it: two
 * joins cost the events two exchanges, where one step reading both histories costs one.
 *
 * <p>{@link #collect()} builds the history with the steps {@link EnrichFromHistory} uses ({@code
 * TimestampChanges}, {@code ChangesIntoGlobalWindow}, {@code CollectHistory}); {@link #of} pairs it
 * with a missing-key policy. The joining step passes {@link #view()} to {@code withSideInputs},
 * reads it once per bundle and calls {@link #lookUp} per event, with the event's timestamp. The
 * answers are {@link EnrichFromHistory}'s, ties between versions of the same millisecond included.
 * Counters in {@link EnrichAsOfEventTime}'s namespace: {@code changes} while collecting, {@code
 * enriched}, {@code notFound} and {@code passedThrough} by {@link #lookUp}, summed over the tables
 * a step joins.
 *
 * <pre>{@code
 * TableHistory<String, Product> products =
 *     TableHistory.of(
 *         productChanges.apply("ProductHistory", TableHistory.collect()),
 *         MissingKeyPolicy.passThrough());
 * // in a DoFn applied .withSideInputs(products.view(), ...):
 * TableHistory.Match<Product> match =
 *     products.lookUp(context.sideInput(products.view()), order.getProductId(), timestamp);
 * }</pre>
 *
 * @param <K> the key; its coder must be deterministic and consistent with equals
 * @param <V> the table row
 */
public final class TableHistory<K, V> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final @Nullable PCollectionView<Map<K, SortedMap<Long, V>>> view;
  private final byte @Nullable [] loaded;
  private final @Nullable Coder<Map<K, SortedMap<Long, V>>> loadedCoder;
  private final @Nullable Coder<V> rowCoder;
  private transient @Nullable Map<K, SortedMap<Long, V>> loadedHistory;
  private transient @Nullable HistoryIndex<K, V> index;
  private final MissingKeyPolicy missingKeys;
  private final Counter enriched = counter(EnrichAsOfEventTime.ENRICHED);
  private final Counter notFound = counter(EnrichAsOfEventTime.NOT_FOUND);
  private final Counter passedThrough = counter(EnrichAsOfEventTime.PASSED_THROUGH);

  private TableHistory(
      @Nullable PCollectionView<Map<K, SortedMap<Long, V>>> view,
      byte @Nullable [] loaded,
      @Nullable Coder<Map<K, SortedMap<Long, V>>> loadedCoder,
      @Nullable Coder<V> rowCoder,
      MissingKeyPolicy missingKeys) {
    this.view = view;
    this.loaded = loaded;
    this.loadedCoder = loadedCoder;
    this.rowCoder = rowCoder;
    this.missingKeys = missingKeys;
  }

  /** Looks {@code view} (from {@link #collect()}) up under {@code missingKeys}. */
  public static <K, V> TableHistory<K, V> of(
      PCollectionView<Map<K, SortedMap<Long, V>>> view, MissingKeyPolicy missingKeys) {
    return new TableHistory<>(
        checkNotNull(view, "view must be set"),
        null,
        null,
        null,
        checkNotNull(missingKeys, "missing-key policy must be set"));
  }

  /**
   * A history built now from {@code changes} (each the key and row, null for a delete, with the
   * time the version became valid), as {@link #collect()} builds it in a pipeline, ties included,
   * and carried by the steps that look it up: they need no side input, so a runner can chain them
   * to the step before. For a small table whose history a launcher read itself; the history is
   * encoded with the coders given into each step that uses it.
   */
  public static <K, V> TableHistory<K, V> loaded(
      Iterable<TimestampedValue<KV<K, V>>> changes,
      Coder<K> keyCoder,
      Coder<V> rowCoder,
      MissingKeyPolicy missingKeys) {
    checkNotNull(changes, "changes must be set");
    Coders.checkKeyCoder(keyCoder);
    Coder<Map<K, SortedMap<Long, V>>> historyCoder =
        EnrichFromHistory.historyCoder(keyCoder, rowCoder);
    EnrichFromHistory.CollectHistoryFn<K, V> collect =
        new EnrichFromHistory.CollectHistoryFn<>(rowCoder, historyCoder);
    Map<K, SortedMap<Long, V>> history = collect.createAccumulator();
    for (TimestampedValue<KV<K, V>> change : changes) {
      history =
          collect.addInput(
              history,
              KV.of(
                  change.getValue().getKey(),
                  KV.of(change.getTimestamp().getMillis(), change.getValue().getValue())));
    }
    try {
      return new TableHistory<>(
          null,
          CoderUtils.encodeToByteArray(historyCoder, history),
          historyCoder,
          rowCoder,
          checkNotNull(missingKeys, "missing-key policy must be set"));
    } catch (CoderException e) {
      throw new IllegalArgumentException("the history cannot be encoded with the coders given", e);
    }
  }

  /**
   * Collects a bounded changelog (one element per change, timestamped with when the version became
   * valid, null for a delete; a {@code KvCoder} whose value coder is a {@link NullableCoder}) into
   * a singleton side input: key to versions by valid-from millis.
   */
  public static <K, V> Collect<K, V> collect() {
    return new Collect<>();
  }

  /**
   * The history's side input, for {@code withSideInputs}; null for a {@link #loaded} history, which
   * needs none.
   */
  public @Nullable PCollectionView<Map<K, SortedMap<Long, V>>> view() {
    return view;
  }

  /**
   * The history as the step processing {@code context} sees it: the side input's value, or the
   * loaded history (decoded once per instance of the step).
   */
  public Map<K, SortedMap<Long, V>> valueIn(DoFn<?, ?>.ProcessContext context) {
    PCollectionView<Map<K, SortedMap<Long, V>>> view = this.view;
    if (view != null) {
      return context.sideInput(view);
    }
    Map<K, SortedMap<Long, V>> history = loadedHistory;
    if (history == null) {
      try {
        history = CoderUtils.decodeFromByteArray(checkNotNull(loadedCoder), checkNotNull(loaded));
      } catch (CoderException e) {
        throw new IllegalStateException("the loaded history cannot be decoded", e);
      }
      loadedHistory = history;
    }
    return history;
  }

  public MissingKeyPolicy missingKeys() {
    return missingKeys;
  }

  /**
   * The coder of a row of a {@link #loaded} history.
   *
   * @throws IllegalStateException for a history collected into a side input
   */
  public Coder<V> rowCoder() {
    Coder<V> coder = rowCoder;
    if (coder == null) {
      throw new IllegalStateException("a collected history's rows are coded by its side input");
    }
    return coder;
  }

  /**
   * What an event with {@code key} at {@code time} joins in {@code history} (this view's value):
   * the version valid then; under a waiting policy, else the first one valid within the wait; under
   * pass-through, else a match without a row; else no match.
   */
  public Match<V> lookUp(Map<K, SortedMap<Long, V>> history, K key, Instant time) {
    HistoryIndex<K, V> index = this.index;
    if (index == null) {
      index = new HistoryIndex<>();
      this.index = index;
    }
    V row = index.versionAt(history, key, time, missingKeys);
    if (row != null) {
      enriched.inc();
      return new Match<>(true, row);
    }
    if (missingKeys.action() == MissingKeyPolicy.Action.PASS_THROUGH) {
      passedThrough.inc();
      return new Match<>(true, null);
    }
    notFound.inc();
    return new Match<>(false, null);
  }

  /**
   * What an event joins: {@code found}, with its row or, when passed through, none; or not {@code
   * found} (a dead letter, by the policy).
   */
  public record Match<V>(boolean found, @Nullable V row) {}

  /** See {@link TableHistory#collect()}. */
  public static final class Collect<K, V>
      extends PTransform<PCollection<KV<K, V>>, PCollectionView<Map<K, SortedMap<Long, V>>>> {
    private static final long serialVersionUID = 1L;

    private Collect() {}

    @Override
    @SuppressWarnings("unchecked")
    public PCollectionView<Map<K, SortedMap<Long, V>>> expand(PCollection<KV<K, V>> changelog) {
      checkArgument(
          changelog.isBounded() == IsBounded.BOUNDED,
          "a table history needs a bounded changelog (it waits for the whole history); use"
              + " EnrichAsOfEventTime for an unbounded one");
      KvCoder<K, V> changesCoder = Coders.kvCoder(changelog.getCoder(), "changelog");
      Coders.checkKeyCoder(changesCoder.getKeyCoder());
      Coder<V> valueCoder = changesCoder.getValueCoder();
      checkArgument(
          valueCoder instanceof NullableCoder,
          "the changelog's value coder must be a NullableCoder (a null row is a delete), but is %s",
          valueCoder);
      return EnrichFromHistory.collectHistory(
          changelog, changesCoder.getKeyCoder(), ((NullableCoder<V>) valueCoder).getValueCoder());
    }
  }

  private static Counter counter(String name) {
    return Metrics.counter(EnrichAsOfEventTime.class, name);
  }
}
