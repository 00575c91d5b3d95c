package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.options.EnrichmentOptions.BoundedTemporalJoin;
import dev.kappa.transforms.enrichment.Correction;
import dev.kappa.transforms.enrichment.EnrichAsOfEventTime;
import dev.kappa.transforms.enrichment.EnrichByLookup;
import dev.kappa.transforms.enrichment.EnrichFromHistory;
import dev.kappa.transforms.enrichment.EnrichFromSnapshot;
import dev.kappa.transforms.enrichment.MissingKeyPolicy;
import dev.kappa.transforms.enrichment.TableLookup;
import dev.kappa.transforms.enrichment.TableSnapshot;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollection.IsBounded;
import org.apache.beam.sdk.values.PCollectionTuple;
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
    return new TableJoin<V>(missingKeys) {
      @Override
      public @Nullable PCollection<KV<String, V>> broadcastChanges(PCollection<?> events) {
        return bounded == BoundedTemporalJoin.BROADCAST
                && events.isBounded() == IsBounded.BOUNDED
                && changes.isBounded() == IsBounded.BOUNDED
            ? changes
            : null;
      }

      @Override
      public <E> Joined<E, V> join(String stepName, PCollection<KV<String, E>> events) {
        if (broadcastChanges(events) != null) {
          EnrichFromHistory<String, E, V> enrich =
              EnrichFromHistory.<String, E, V>against(changes).withMissingKeys(missingKeys());
          PCollectionTuple out = events.apply(stepName, enrich);
          return new Joined<>(
              out.get(enrich.enrichedTag()),
              out.get(enrich.notFoundTag()),
              out.get(enrich.correctionsTag()));
        }
        EnrichAsOfEventTime<String, E, V> enrich =
            EnrichAsOfEventTime.<String, E, V>against(changes).withMissingKeys(missingKeys());
        PCollectionTuple out = events.apply(stepName, enrich);
        return new Joined<>(
            out.get(enrich.enrichedTag()),
            out.get(enrich.notFoundTag()),
            out.get(enrich.correctionsTag()));
      }
    };
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
   * The table's change history if joining it to {@code events} is the broadcast join ({@link
   * EnrichFromHistory}: a bounded run), for a step that looks up several tables at once with {@link
   * dev.kappa.transforms.enrichment.TableHistory} under {@link #missingKeys()}; null for any other
   * join.
   */
  public @Nullable PCollection<KV<String, V>> broadcastChanges(PCollection<?> events) {
    return null;
  }

  /** Applies the join to {@code events} as step {@code stepName}. */
  public abstract <E> Joined<E, V> join(String stepName, PCollection<KV<String, E>> events);
}
