package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How a job enriches its events with reference tables: by an event-time temporal join against the
 * table's change stream, by a lookup in the database, or from a periodically re-read snapshot. A
 * job names its own tables' options (which join, which change stream, what to do with a missing
 * key) with these enums; the settings here apply to every table. See docs/design/enrichment.md for
 * what each join guarantees on replay.
 */
public interface EnrichmentOptions extends PipelineOptions {

  /** Where an event's table row comes from. */
  enum Enrichment {
    /**
     * The row version valid at the event's time, from the table's change stream: the same answer in
     * a stream and in any later backfill.
     */
    TEMPORAL,
    /** The row as it is in the database when the event is processed (cached, batched). */
    LOOKUP,
    /** The row in the last snapshot of the whole table, re-read every --snapshotRefresh. */
    SNAPSHOT
  }

  /** What happens to an event whose key the table does not hold. */
  enum MissingKey {
    /** Passes on without the table's fields (counted); aggregates put it under 'unknown'. */
    PASS_THROUGH,
    /** Goes to the dead-letter output with the event's bytes. */
    DEAD_LETTER,
    /** Waits up to --missingKeyTimeout for the key to appear, then is a dead letter. */
    WAIT
  }

  /** How a bounded run (a backfill) joins a table as of event time. */
  enum BoundedTemporalJoin {
    /**
     * The table's whole change history in memory on every task, each event's version looked up
     * where the event is: no shuffle of the events.
     */
    BROADCAST,
    /** The streaming job's keyed join: for a table whose history does not fit in memory. */
    KEYED
  }

  @Description(
      "TEMPORAL in a bounded run (--source=FILES, or KAFKA with --from/--to): 'broadcast' (the"
          + " default) holds each table's whole change history in memory on every task and looks"
          + " each event's version up where the event is, without shuffling the events; 'keyed'"
          + " uses the streaming job's keyed join, for a table whose history does not fit in"
          + " memory. The same results either way; a stream always uses the keyed join.")
  @Default.String("broadcast")
  String getBoundedTemporalJoin();

  void setBoundedTemporalJoin(String value);

  @Description(
      "TEMPORAL 'broadcast' in a bounded run: a table whose change history holds at most this many"
          + " records is read and decoded by the launcher and travels with the job's look-up step,"
          + " so the events are looked up where they are read, with no exchange before the look-up"
          + " (docs/performance.md); a longer history, or 0, is read by the job and broadcast as a"
          + " side input. The same results and dead letters either way.")
  @Default.Long(200_000)
  long getPreloadChangesUpTo();

  void setPreloadChangesUpTo(long value);

  @Description(
      "How long WAIT waits for a missing key (ISO-8601, e.g. PT1M): in event time for TEMPORAL, in"
          + " processing time for LOOKUP. SNAPSHOT cannot wait.")
  @Default.String("PT1M")
  String getMissingKeyTimeout();

  void setMissingKeyTimeout(String value);

  @Description("LOOKUP: rows kept in each worker's cache.")
  @Default.Integer(10_000)
  int getLookupCacheSize();

  void setLookupCacheSize(int value);

  @Description("LOOKUP: how long a cached row is used before it is looked up again (ISO-8601).")
  @Default.String("PT1M")
  String getLookupCacheTtl();

  void setLookupCacheTtl(String value);

  @Description("SNAPSHOT: how often the whole table is re-read (ISO-8601).")
  @Default.String("PT5M")
  String getSnapshotRefresh();

  void setSnapshotRefresh(String value);
}
