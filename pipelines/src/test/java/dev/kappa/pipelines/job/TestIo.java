package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A {@link JobIo} for tests: every source is one script of records (a TestStream, or Create), split
 * among the job's read steps by the name in each record's position, so all sources share the
 * script's watermark; or ({@link #readingThrough}) the sources a launched job reads. Every output
 * and upsert is captured for PAssert, by its step name.
 *
 * <pre>{@code
 * TestIo io = TestIo.reading(script).route("ReadOrders", "orders");
 * JobRunner.build(new OrderRevenue(), pipeline, options, io);
 * PAssert.that(io.<CategoryRevenue>output("WriteResults")).containsInAnyOrder(...);
 * }</pre>
 */
public final class TestIo implements JobIo {
  private final @Nullable PTransform<PBegin, PCollection<SourceRecord>> script;
  private final @Nullable JobIo sources;
  private final Map<String, String> routes = new HashMap<>();
  private final Map<String, PCollection<?>> outputs = new HashMap<>();
  private PCollection<SourceRecord> records;

  private TestIo(
      @Nullable PTransform<PBegin, PCollection<SourceRecord>> script, @Nullable JobIo sources) {
    this.script = script;
    this.sources = sources;
  }

  /** Sources that read {@code script}, applied once as step {@code Script}. */
  public static TestIo reading(PTransform<PBegin, PCollection<SourceRecord>> script) {
    return new TestIo(checkNotNull(script, "script must be set"), null);
  }

  /**
   * Sources read by {@code sources} as a launched job reads them ({@link LaunchIo}: the files,
   * replay or Kafka the options name), every output still captured: for a test of what a real
   * source gives the job, such as the timestamps of records read from files.
   */
  public static TestIo readingThrough(JobIo sources) {
    return new TestIo(null, checkNotNull(sources, "sources must be set"));
  }

  /** Read step {@code readStep} gives the records whose position is named {@code name}. */
  public TestIo route(String readStep, String name) {
    routes.put(readStep, name);
    return this;
  }

  /** What the job wrote under step {@code stepName} (an output, or the rows of an upsert). */
  @SuppressWarnings("unchecked") // the caller names the output's type
  public <T> PCollection<T> output(String stepName) {
    PCollection<?> output = outputs.get(stepName);
    checkState(output != null, "the job wrote nothing under %s; it wrote %s", stepName, outputs);
    return (PCollection<T>) output;
  }

  private PCollection<SourceRecord> read(Pipeline pipeline, String step) {
    String name = routes.get(step);
    checkState(name != null, "no route for read step %s", step);
    checkState(script != null, "this TestIo reads through %s, not a script", sources);
    if (records == null) {
      records = pipeline.apply("Script", script);
    }
    return records.apply(step, Filter.by(record -> record.getPosition().getName().equals(name)));
  }

  @Override
  public PCollection<SourceRecord> readEvents(
      Pipeline pipeline,
      Events<?> events,
      SerializableFunction<SourceRecord, Instant> eventTime,
      JobSettings settings) {
    if (sources != null) {
      return sources.readEvents(pipeline, events, eventTime, settings);
    }
    return read(pipeline, events.stepName());
  }

  @Override
  public PCollection<SourceRecord> readUnstampedEvents(
      Pipeline pipeline,
      Events<?> events,
      SerializableFunction<SourceRecord, Instant> eventTime,
      JobSettings settings) {
    if (sources != null) {
      return sources.readUnstampedEvents(pipeline, events, eventTime, settings);
    }
    return read(pipeline, events.stepName());
  }

  @Override
  public PCollection<SourceRecord> readChanges(
      Pipeline pipeline,
      Table<?, ?> table,
      JobSettings.ChangeStream changes,
      SerializableFunction<SourceRecord, Instant> changeTime,
      JobSettings settings) {
    if (sources != null) {
      return sources.readChanges(pipeline, table, changes, changeTime, settings);
    }
    return read(pipeline, table.readStep());
  }

  @Override
  public @Nullable List<SourceRecord> readChangesNow(
      Table<?, ?> table, JobSettings.ChangeStream changes, JobSettings settings, long maxRecords)
      throws IOException {
    if (sources != null) {
      return sources.readChangesNow(table, changes, settings, maxRecords);
    }
    return null;
  }

  @Override
  public <T extends SpecificRecordBase> void write(
      PCollection<T> records, Output<?, T> output, Target target, JobSettings settings) {
    outputs.put(output.stepName(), records);
  }

  @Override
  public <T extends SpecificRecordBase> PCollection<DeadLetter> upsert(
      PCollection<T> rows, ResultTable<?, T> table, String tableName, JobSettings settings) {
    outputs.put(table.stepName(), rows);
    return rows.getPipeline()
        .apply(table.stepName(), Create.empty(SpecificRecordCoder.of(DeadLetter.class)));
  }

  @Override
  public <T extends SpecificRecordBase> PCollection<DeadLetter> delete(
      PCollection<T> keys, ResultTable<?, T> table, String tableName, JobSettings settings) {
    outputs.put(table.stepName(), keys);
    return keys.getPipeline()
        .apply(table.stepName(), Create.empty(SpecificRecordCoder.of(DeadLetter.class)));
  }
}
