package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Suppliers;
import dev.kappa.options.EnrichmentOptions.BoundedTemporalJoin;
import dev.kappa.transforms.enrichment.Correction;
import dev.kappa.transforms.enrichment.EnrichAsOfEventTime;
import dev.kappa.transforms.enrichment.EnrichByLookup;
import dev.kappa.transforms.enrichment.EnrichFromHistory;
import dev.kappa.transforms.enrichment.EnrichFromSnapshot;
import dev.kappa.transforms.enrichment.MissingKeyPolicy;
import dev.kappa.transforms.enrichment.TableHistory;
import dev.kappa.transforms.enrichment.TableLookup;
import dev.kappa.transforms.enrichment.TableSnapshot;
import java.util.List;
import java.util.function.Supplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollection.IsBounded;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * How one reference table is joined to keyed events: one of the three enrichment transforms, chosen
 * and configured by the job's options. All three have the same shape, so {@link EnrichOrders} does
 * not care which it gets.
 *
 * @param <V> a row of the table
 */
public abstract class TableJoin<V> {
  private final MissingKeyPolicy missingKeys;

  private TableJoin(MissingKeyPolicy missingKeys) {
    this.missingKeys = checkNotNull(missingKeys, "missing-key policy must be set");
  }

  /**
   * What a join produced: the events with their rows, the events whose key was not found, and for a
   * temporal join the events whose row a late change superseded (null for the other joins).
   */
  public record Joined<E, V>(
      PCollection<KV<E, V>> enriched,
      PCollection<KV<String, E>> notFound,
      @Nullable PCollection<Correction<String, E, V>> corrections) {
    /** A join that never corrects what it emitted. */
    public Joined(PCollection<KV<E, V>> enriched, PCollection<KV<String, E>> notFound) {
      this(enriched, notFound, null);
    }
  }

  /**
   * The row version valid at each event's time, from the table's change stream; in a bounded run
   * with the table's whole history broadcast ({@link BoundedTemporalJoin#BROADCAST}).
   */
  public static <V> TableJoin<V> asOfEventTime(
      PCollection<KV<String, V>> changes, MissingKeyPolicy missingKeys) {
    return asOfEventTime(changes, missingKeys, BoundedTemporalJoin.BROADCAST);
  }

  /**
   * The row version valid at each event's time, from the table's change stream. When the events and
   * the changes are both bounded (a backfill) and {@code bounded} is {@link
   * BoundedTemporalJoin#BROADCAST}, the join is {@link EnrichFromHistory}: the table's whole
   * history in memory on every task, the events joined where they are. Otherwise it is the keyed
   * {@link EnrichAsOfEventTime}, whose step names a streaming job's savepoints depend on. Both give
   * a bounded run the same answers; the broadcast join's corrections are always empty.
   */
  public static <V> TableJoin<V> asOfEventTime(
      PCollection<KV<String, V>> changes,
      MissingKeyPolicy missingKeys,
      BoundedTemporalJoin bounded) {
    checkNotNull(changes, "changes must be set");
    checkNotNull(bounded, "bounded temporal join must be set");
    return new TemporalJoin<>(() -> changes, changes.isBounded(), null, missingKeys, bounded);
  }

  /**
   * The row version valid at each event's time, from a bounded change history already read and
   * decoded at launch ({@code changes}, with their change times): a step that looks tables up with
   * {@link #history} carries it, needing no side input. {@code changeStream} gives the same changes
   * as a collection for the other joins; it is applied only if one of them asks.
   */
  public static <V> TableJoin<V> asOfEventTime(
      Supplier<PCollection<KV<String, V>>> changeStream,
      List<TimestampedValue<KV<String, V>>> changes,
      Coder<V> rowCoder,
      MissingKeyPolicy missingKeys) {
    checkNotNull(changeStream, "change stream must be set");
    TableHistory<String, V> loaded =
        TableHistory.loaded(changes, StringUtf8Coder.of(), rowCoder, missingKeys);
    return new TemporalJoin<>(
        Suppliers.memoize(changeStream::get)::get,
        IsBounded.BOUNDED,
        loaded,
        missingKeys,
        BoundedTemporalJoin.BROADCAST);
  }

  /**
   * {@code events} joined with a history loaded at launch by one plain step (no side input, so a
   * runner chains it to the step before): {@link EnrichFromHistory}'s answers and counters.
   */
  private static <E, V> Joined<E, V> joinLoaded(
      String stepName, PCollection<KV<String, E>> events, TableHistory<String, V> loaded) {
    KvCoder<String, E> eventsCoder = (KvCoder<String, E>) events.getCoder();
    TupleTag<KV<E, V>> enrichedTag = new TupleTag<>("enriched") {};
    TupleTag<KV<String, E>> notFoundTag = new TupleTag<>("notFound") {};
    PCollectionTuple out =
        events.apply(
            stepName,
            ParDo.of(new LoadedJoinFn<>(loaded, enrichedTag, notFoundTag))
                .withOutputTags(enrichedTag, TupleTagList.of(notFoundTag)));
    return new Joined<>(
        out.get(enrichedTag)
            .setCoder(KvCoder.of(eventsCoder.getValueCoder(), NullableCoder.of(loaded.rowCoder()))),
        out.get(notFoundTag).setCoder(eventsCoder));
  }

  /** Each event with the version valid at its timestamp, or not found, by the loaded history. */
  private static final class LoadedJoinFn<E, V> extends DoFn<KV<String, E>, KV<E, V>> {
    private static final long serialVersionUID = 1L;
    private final TableHistory<String, V> history;
    private final TupleTag<KV<E, V>> enrichedTag;
    private final TupleTag<KV<String, E>> notFoundTag;

    LoadedJoinFn(
        TableHistory<String, V> history,
        TupleTag<KV<E, V>> enrichedTag,
        TupleTag<KV<String, E>> notFoundTag) {
      this.history = history;
      this.enrichedTag = enrichedTag;
      this.notFoundTag = notFoundTag;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      KV<String, E> event = context.element();
      TableHistory.Match<V> match =
          history.lookUp(history.valueIn(context), event.getKey(), context.timestamp());
      if (match.found()) {
        context.output(enrichedTag, KV.of(event.getValue(), match.row()));
      } else {
        context.output(notFoundTag, event);
      }
    }
  }

  private static final class TemporalJoin<V> extends TableJoin<V> {
    private final Supplier<PCollection<KV<String, V>>> changes;
    private final IsBounded changesBounded;
    private final @Nullable TableHistory<String, V> loaded;
    private final BoundedTemporalJoin bounded;

    TemporalJoin(
        Supplier<PCollection<KV<String, V>>> changes,
        IsBounded changesBounded,
        @Nullable TableHistory<String, V> loaded,
        MissingKeyPolicy missingKeys,
        BoundedTemporalJoin bounded) {
      super(missingKeys);
      this.changes = changes;
      this.changesBounded = changesBounded;
      this.loaded = loaded;
      this.bounded = bounded;
    }

    @Override
    public boolean broadcasts(PCollection<?> events) {
      return bounded == BoundedTemporalJoin.BROADCAST
          && events.isBounded() == IsBounded.BOUNDED
          && changesBounded == IsBounded.BOUNDED;
    }

    @Override
    public TableHistory<String, V> history(PCollection<?> events, String stepName) {
      checkState(broadcasts(events), "not a broadcast join: %s", stepName);
      TableHistory<String, V> loaded = this.loaded;
      if (loaded != null) {
        return loaded;
      }
      return TableHistory.of(changes.get().apply(stepName, TableHistory.collect()), missingKeys());
    }

    @Override
    public <E> Joined<E, V> join(String stepName, PCollection<KV<String, E>> events) {
      TableHistory<String, V> loaded = this.loaded;
      if (loaded != null && broadcasts(events)) {
        return joinLoaded(stepName, events, loaded);
      }
      if (broadcasts(events)) {
        EnrichFromHistory<String, E, V> enrich =
            EnrichFromHistory.<String, E, V>against(changes.get()).withMissingKeys(missingKeys());
        PCollectionTuple out = events.apply(stepName, enrich);
        return new Joined<>(
            out.get(enrich.enrichedTag()),
            out.get(enrich.notFoundTag()),
            out.get(enrich.correctionsTag()));
      }
      EnrichAsOfEventTime<String, E, V> enrich =
          EnrichAsOfEventTime.<String, E, V>against(changes.get()).withMissingKeys(missingKeys());
      PCollectionTuple out = events.apply(stepName, enrich);
      return new Joined<>(
          out.get(enrich.enrichedTag()),
          out.get(enrich.notFoundTag()),
          out.get(enrich.correctionsTag()));
    }
  }

  /** The row as the database has it when the event is processed, cached per worker. */
  public static <V> TableJoin<V> byLookup(
      TableLookup<String, V> lookup,
      Coder<V> rowCoder,
      int cacheSize,
      Duration cacheTtl,
      MissingKeyPolicy missingKeys) {
    return new TableJoin<V>(missingKeys) {
      @Override
      public <E> Joined<E, V> join(String stepName, PCollection<KV<String, E>> events) {
        EnrichByLookup<String, E, V> enrich =
            EnrichByLookup.<String, E, V>of(lookup, rowCoder)
                .withCacheSize(cacheSize)
                .withCacheTtl(cacheTtl)
                .withMissingKeys(missingKeys());
        PCollectionTuple out = events.apply(stepName, enrich);
        return new Joined<>(out.get(enrich.enrichedTag()), out.get(enrich.notFoundTag()));
      }
    };
  }

  /** The row in the latest snapshot of the whole table, re-read every {@code refresh}. */
  public static <V> TableJoin<V> fromSnapshot(
      TableSnapshot<String, V> snapshot,
      Coder<V> rowCoder,
      Duration refresh,
      MissingKeyPolicy missingKeys) {
    return new TableJoin<V>(missingKeys) {
      @Override
      public <E> Joined<E, V> join(String stepName, PCollection<KV<String, E>> events) {
        EnrichFromSnapshot<String, E, V> enrich =
            EnrichFromSnapshot.<String, E, V>of(snapshot, rowCoder)
                .withRefreshEvery(refresh)
                .withMissingKeys(missingKeys());
        PCollectionTuple out = events.apply(stepName, enrich);
        return new Joined<>(out.get(enrich.enrichedTag()), out.get(enrich.notFoundTag()));
      }
    };
  }

  /** What happens to events whose key the table lacks. */
  public MissingKeyPolicy missingKeys() {
    return missingKeys;
  }

  /**
   * Whether joining {@code events} is the broadcast join ({@link EnrichFromHistory}: a bounded
   * run), so that a step looking up several tables at once can use {@link #history}.
   */
  public boolean broadcasts(PCollection<?> events) {
    return false;
  }

  /**
   * For a join that {@link #broadcasts} {@code events}: the table's history for a step that looks
   * up several tables at once with {@link TableHistory} under {@link #missingKeys()}; loaded at
   * launch, or collected from the change stream by a step named {@code stepName}.
   *
   * @throws IllegalStateException if the join does not broadcast {@code events}
   */
  public TableHistory<String, V> history(PCollection<?> events, String stepName) {
    throw new IllegalStateException("not a broadcast join: " + stepName);
  }

  /** Applies the join to {@code events} as step {@code stepName}. */
  public abstract <E> Joined<E, V> join(String stepName, PCollection<KV<String, E>> events);
}
