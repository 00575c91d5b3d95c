package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Map;
import java.util.SortedMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollection.IsBounded;
import org.apache.beam.sdk.values.PCollectionView;
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

  private final PCollectionView<Map<K, SortedMap<Long, V>>> view;
  private final MissingKeyPolicy missingKeys;
  private final Counter enriched = counter(EnrichAsOfEventTime.ENRICHED);
  private final Counter notFound = counter(EnrichAsOfEventTime.NOT_FOUND);
  private final Counter passedThrough = counter(EnrichAsOfEventTime.PASSED_THROUGH);

  private TableHistory(
      PCollectionView<Map<K, SortedMap<Long, V>>> view, MissingKeyPolicy missingKeys) {
    this.view = view;
    this.missingKeys = missingKeys;
  }

  /** Looks {@code view} (from {@link #collect()}) up under {@code missingKeys}. */
  public static <K, V> TableHistory<K, V> of(
      PCollectionView<Map<K, SortedMap<Long, V>>> view, MissingKeyPolicy missingKeys) {
    return new TableHistory<>(
        checkNotNull(view, "view must be set"),
        checkNotNull(missingKeys, "missing-key policy must be set"));
  }

  /**
   * Collects a bounded changelog (one element per change, timestamped with when the version became
   * valid, null for a delete; a {@code KvCoder} whose value coder is a {@link NullableCoder}) into
   * a singleton side input: key to versions by valid-from millis.
   */
  public static <K, V> Collect<K, V> collect() {
    return new Collect<>();
  }

  /** The history, for {@code withSideInputs} and {@code sideInput}. */
  public PCollectionView<Map<K, SortedMap<Long, V>>> view() {
    return view;
  }

  public MissingKeyPolicy missingKeys() {
    return missingKeys;
  }

  /**
   * What an event with {@code key} at {@code time} joins in {@code history} (this view's value):
   * the version valid then; under a waiting policy, else the first one valid within the wait; under
   * pass-through, else a match without a row; else no match.
   */
  public Match<V> lookUp(Map<K, SortedMap<Long, V>> history, K key, Instant time) {
    V row = EnrichFromHistory.versionAt(history, key, time, missingKeys);
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
