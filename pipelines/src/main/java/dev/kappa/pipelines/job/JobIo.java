package dev.kappa.pipelines.job;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Where a job's records come from and go: {@link LaunchIo} for a launched job (Kafka, files, the
 * console, the database); a test passes its own to {@link JobRunner#build(KappaJob, Pipeline,
 * org.apache.beam.sdk.options.PipelineOptions, JobIo)} (TestStream sources, captured outputs), as
 * flink-training's jobs take their source and sink as arguments.
 *
 * <p>Each method applies its step under the part's step name, which {@link JobContext} does not
 * change, so a job's step names are the same with any implementation.
 */
public interface JobIo {

  /** The undecoded events, read by a step named {@link Events#stepName()}. */
  PCollection<SourceRecord> readEvents(
      Pipeline pipeline,
      Events<?> events,
      SerializableFunction<SourceRecord, Instant> eventTime,
      JobSettings settings);

  /**
   * The undecoded events for a job that stamps each with its event time as it decodes it ({@link
   * JobContext#readDeferringCheck}, a bounded run): a source need not extract event times. By
   * default {@link #readEvents}.
   */
  default PCollection<SourceRecord> readUnstampedEvents(
      Pipeline pipeline,
      Events<?> events,
      SerializableFunction<SourceRecord, Instant> eventTime,
      JobSettings settings) {
    return readEvents(pipeline, events, eventTime, settings);
  }

  /**
   * The undecoded change events of {@code table}, read by a step named {@link Table#readStep()}.
   */
  PCollection<SourceRecord> readChanges(
      Pipeline pipeline,
      Table<?, ?> table,
      JobSettings.ChangeStream changes,
      SerializableFunction<SourceRecord, Instant> changeTime,
      JobSettings settings);

  /**
   * The undecoded change events of {@code table} in a bounded run, read now, at launch, if there
   * are at most {@code maxRecords}: the records {@link #readChanges} would give. Null if there are
   * more, or if this implementation reads changes only in the job (the default).
   *
   * @throws IOException if they cannot be read
   */
  default @Nullable List<SourceRecord> readChangesNow(
      Table<?, ?> table, JobSettings.ChangeStream changes, JobSettings settings, long maxRecords)
      throws IOException {
    return null;
  }

  /** Writes {@code records} to {@code target} under step {@link Output#stepName()}. */
  <T extends SpecificRecordBase> void write(
      PCollection<T> records, Output<?, T> output, Target target, JobSettings settings);

  /**
   * Upserts {@code rows} into table {@code tableName} under step {@link ResultTable#stepName()};
   * returns the rows that failed, as dead letters in the rows' windows.
   */
  <T extends SpecificRecordBase> PCollection<DeadLetter> upsert(
      PCollection<T> rows, ResultTable<?, T> table, String tableName, JobSettings settings);

  /**
   * Deletes the rows {@code keys} name from table {@code tableName} under step {@link
   * ResultTable#stepName()}; returns the keys that failed, as dead letters in their windows.
   */
  <T extends SpecificRecordBase> PCollection<DeadLetter> delete(
      PCollection<T> keys, ResultTable<?, T> table, String tableName, JobSettings settings);
}
