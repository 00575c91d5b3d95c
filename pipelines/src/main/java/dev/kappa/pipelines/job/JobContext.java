package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.enrichment.DecodeChanges;
import dev.kappa.transforms.windowing.DivertImplausibleEventTimes;
import dev.kappa.transforms.windowing.EventTimeCheck;
import dev.kappa.transforms.windowing.Windowing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * What a job's {@code build} is handed: its options, parsed and checked ({@link JobSettings}), and
 * the steps every job needs, each applied under the name the job's parts give it. Reads come from,
 * and writes go to, the {@link JobIo} the job was built with; dead letters go to one {@link
 * ErrorHandler} that the {@link JobRunner} closes after {@code build}.
 *
 * @param <O> the job's options
 */
public final class JobContext<O> {
  private final Pipeline pipeline;
  private final O options;
  private final JobSettings settings;
  private final JobIo io;
  private final DeadLetterSink deadLetters;

  JobContext(
      Pipeline pipeline, O options, JobSettings settings, JobIo io, DeadLetterSink deadLetters) {
    this.pipeline = pipeline;
    this.options = options;
    this.settings = settings;
    this.io = io;
    this.deadLetters = deadLetters;
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** The options as given; their parsed values are in {@link #settings()}. */
  public O options() {
    return options;
  }

  public JobSettings settings() {
    return settings;
  }

  /** The windowing the options say, without early firings in a bounded run. */
  public Windowing windowing() {
    return settings.windowing();
  }

  /**
   * The undecoded events, read by {@link Events#stepName()} from the source the options choose;
   * records whose event time breaks the bounds become dead letters in {@link
   * Events#checkStepName()}.
   */
  public PCollection<SourceRecord> read(Events<O> events) {
    settings.declared(events);
    SerializableFunction<SourceRecord, Instant> eventTime = events.eventTime();
    PCollection<SourceRecord> records =
        io.readEvents(pipeline, events, settings.eventTimeBounds().checking(eventTime), settings);
    return events.checked() ? checkEventTimes(records, events.checkStepName(), eventTime) : records;
  }

  /**
   * The undecoded events, as {@link #read}, except in a bounded run: there the event-time check is
   * not a step of its own but returned with the records ({@link EventsRead#check()}), for the job's
   * decoding step to apply as it decodes ({@link
   * dev.kappa.transforms.windowing.DecodeWithEventTimes}), and the source stamps no event time
   * ({@link JobIo#readUnstampedEvents}), so that each record is decoded once. A stream keeps its
   * {@link Events#checkStepName()} step, whose name its savepoints know.
   */
  public EventsRead readDeferringCheck(Events<O> events) {
    if (!settings.bounded() || !events.checked()) {
      return new EventsRead(read(events), null);
    }
    settings.declared(events);
    PCollection<SourceRecord> records =
        io.readUnstampedEvents(
            pipeline, events, settings.eventTimeBounds().checking(events.eventTime()), settings);
    return new EventsRead(
        records, new EventTimeCheck(settings.eventTimeBounds(), events.checkStepName()));
  }

  /**
   * Events read by {@link #readDeferringCheck}: the records, and the event-time check the job must
   * apply when it decodes them, or null if they come checked.
   */
  public record EventsRead(PCollection<SourceRecord> records, @Nullable EventTimeCheck check) {}

  /**
   * How events get {@code table}'s rows, as the options choose: as of their event time from the
   * change stream (read, checked and decoded here; undecodable changes are dead letters), by a
   * cached lookup, or from a refreshed snapshot of the table.
   */
  public <V extends SpecificRecordBase> TableJoin<V> join(Table<O, V> table) {
    JobSettings.Join join = settings.join(table);
    switch (join.enrichment()) {
      case TEMPORAL:
        TableJoin<V> loaded = loadChanges(table, join);
        if (loaded != null) {
          return loaded;
        }
        return TableJoin.asOfEventTime(
            readChanges(table, join), join.missingKeys(), join.boundedTemporalJoin());
      case LOOKUP:
        return TableJoin.byLookup(
            Jdbc.lookup(settings.database(), table.name(), table.keyField(), table.rowClass()),
            SpecificRecordCoder.of(table.rowClass()),
            join.lookupCacheSize(),
            join.lookupCacheTtl(),
            join.missingKeys());
      case SNAPSHOT:
        return TableJoin.fromSnapshot(
            Jdbc.snapshot(settings.database(), table.name(), table.keyField(), table.rowClass()),
            SpecificRecordCoder.of(table.rowClass()),
            join.snapshotRefresh(),
            join.missingKeys());
    }
    throw new IllegalStateException("unhandled enrichment " + join.enrichment());
  }

  /**
   * The change stream of {@code table} as the job's input: {@code KV<key, row>} (null row: a
   * delete), timestamped with the change's commit time, read from the start by {@link
   * Table#readStep()} (see {@link LaunchIo#readChanges}), checked and decoded as for a temporal
   * join; undecodable changes are dead letters.
   */
  public <V extends SpecificRecordBase> PCollection<KV<String, V>> changes(Table<O, V> table) {
    return readChanges(table, settings.join(table));
  }

  /**
   * The change stream of {@code table} as {@link #changes} gives it, with each change's position in
   * its stream: {@code KV<key, KV<position, row>>}, where the position is Debezium's {@code
   * source.lsn}, else the record's Kafka offset or file line ({@link DecodeChanges#inStreamOrder}).
   * Same steps and step names as {@link #changes}.
   */
  public <V extends SpecificRecordBase> PCollection<KV<String, KV<Long, V>>> changesInStreamOrder(
      Table<O, V> table) {
    DecodeChanges<V> decode = decodeChanges(table);
    DecodeChanges.InStreamOrder<V> inOrder = decode.inStreamOrder();
    PCollectionTuple changes =
        checkedChanges(table, settings.join(table), decode).apply(table.decodeStep(), inOrder);
    deadLetters(changes.get(inOrder.deadLetterTag()));
    return changes.get(inOrder.changesTag());
  }

  /**
   * A broadcast temporal join of a bounded run whose change history is small enough ({@code
   * --preloadChangesUpTo}): read and decoded now, so that a step looking the table up carries its
   * history instead of waiting for a side input. Its dead letters are those the job's steps would
   * give ({@link DecodeChanges#decodeNow}), under the decode step's name; the changes become a
   * collection only if a join asks for one. Null when the history is read in the job.
   */
  private <V extends SpecificRecordBase> @Nullable TableJoin<V> loadChanges(
      Table<O, V> table, JobSettings.Join join) {
    if (!settings.loadsChangesAtLaunch(join)) {
      return null;
    }
    List<SourceRecord> records;
    try {
      records = io.readChangesNow(table, join.changes(), settings, join.preloadChangesUpTo());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not read the changes of table " + table.name() + " at launch: " + e.getMessage(),
          e);
    }
    if (records == null) {
      return null;
    }
    DecodeChanges<V> decode =
        DecodeChanges.of(table.rowClass(), table.keyField())
            .fromTable(table.name())
            .withStepName(table.decodeStep());
    DecodeChanges.Decoded<V> decoded =
        decode.decodeNow(records, settings.eventTimeBounds(), table.checkStep());
    if (!decoded.deadLetters().isEmpty()) {
      deadLetters(
          pipeline.apply(
              table.decodeStep(),
              Create.of(decoded.deadLetters())
                  .withCoder(SpecificRecordCoder.of(DeadLetter.class))));
    }
    return TableJoin.asOfEventTime(
        () ->
            pipeline.apply(
                table.readStep(),
                Create.timestamped(decoded.changes()).withCoder(decode.changeCoder())),
        decoded.changes(),
        SpecificRecordCoder.of(table.rowClass()),
        join.missingKeys());
  }

  private <V extends SpecificRecordBase> PCollection<KV<String, V>> readChanges(
      Table<O, V> table, JobSettings.Join join) {
    DecodeChanges<V> decode = decodeChanges(table);
    PCollectionTuple changes =
        checkedChanges(table, join, decode).apply(table.decodeStep(), decode);
    deadLetters(changes.get(decode.deadLetterTag()));
    return changes.get(decode.changesTag());
  }

  private static <O, V extends SpecificRecordBase> DecodeChanges<V> decodeChanges(
      Table<O, V> table) {
    return DecodeChanges.of(table.rowClass(), table.keyField())
        .fromTable(table.name())
        .withStepName(table.decodeStep());
  }

  /** The table's change records, read and with their change times checked, not yet decoded. */
  private <V extends SpecificRecordBase> PCollection<SourceRecord> checkedChanges(
      Table<O, V> table, JobSettings.Join join, DecodeChanges<V> decode) {
    PCollection<SourceRecord> records =
        io.readChanges(
            pipeline,
            table,
            join.changes(),
            settings.eventTimeBounds().checking(decode.changeTime()),
            settings);
    return checkEventTimes(records, table.checkStep(), decode.changeTime());
  }

  /** Writes {@code records} to the output's target; nothing if an optional output is not set. */
  public <T extends SpecificRecordBase> void write(PCollection<T> records, Output<O, T> output) {
    Target target = settings.target(output);
    if (target != null) {
      io.write(records, output, target, settings);
    }
  }

  /**
   * Upserts {@code rows} into the table the options name (nothing if they name none); rows that
   * fail become dead letters.
   */
  public <T extends SpecificRecordBase> void upsert(PCollection<T> rows, ResultTable<O, T> table) {
    checkArgument(!table.deletes(), "%s deletes rows: use delete(...)", table);
    String name = settings.resultTable(table);
    if (name == null) {
      return;
    }
    rewindowFailures(io.upsert(rows, table, name, settings), table);
  }

  /**
   * Deletes the rows {@code keys} name from the table the options name (nothing if they name none);
   * {@code table} must be {@link ResultTable#deletingRows()} with {@link
   * ResultTable#withTombstones}, so that an upsert of the row arriving later cannot bring it back.
   * Keys that fail become dead letters.
   */
  public <T extends SpecificRecordBase> void delete(PCollection<T> keys, ResultTable<O, T> table) {
    checkArgument(table.deletes(), "%s upserts rows: use upsert(...)", table);
    // A plain DELETE can be overtaken by an upsert of the same row from another step or bundle,
    // which would bring the row back: deletes leave tombstones that the upserts respect.
    checkArgument(
        table.tombstoneColumn() != null,
        "%s deletes rows: give it and the table's upserts withTombstones(...)",
        table);
    String name = settings.resultTable(table);
    if (name == null) {
      return;
    }
    rewindowFailures(io.delete(keys, table, name, settings), table);
  }

  private void rewindowFailures(PCollection<DeadLetter> failures, ResultTable<O, ?> table) {
    deadLetters(
        failures
            // Failed rows come out in their row's window; dead letters live in the global one.
            .apply(
            table.failuresStep(),
            Window.<DeadLetter>into(new GlobalWindows())
                .triggering(DefaultTrigger.of())
                .withAllowedLateness(Duration.ZERO)
                .discardingFiredPanes()));
  }

  /** Adds {@code deadLetters} to the job's dead-letter output. */
  public void deadLetters(PCollection<DeadLetter> deadLetters) {
    this.deadLetters.addErrorCollection(deadLetters);
  }

  /** The job's dead-letter handler, for transforms that report to a Beam {@link ErrorHandler}. */
  public ErrorHandler<DeadLetter, PDone> deadLetterHandler() {
    return deadLetters;
  }

  private PCollection<SourceRecord> checkEventTimes(
      PCollection<SourceRecord> records,
      String step,
      SerializableFunction<SourceRecord, Instant> eventTime) {
    DivertImplausibleEventTimes check =
        DivertImplausibleEventTimes.of(eventTime, settings.eventTimeBounds()).withStepName(step);
    PCollectionTuple checked = records.apply(step, check);
    deadLetters(checked.get(check.deadLetterTag()));
    return checked.get(check.recordsTag());
  }
}
