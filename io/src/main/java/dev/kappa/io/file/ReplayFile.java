package dev.kappa.io.file;

import com.google.auto.value.AutoValue;
import dev.kappa.io.Checks;
import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Replays one recorded file as an unbounded stream, in file order and paced by event time, so that
 * a streaming pipeline can be run, demonstrated and tested on recorded data exactly as it runs on
 * Kafka: with event-time timestamps, a watermark, late records and idle periods.
 *
 * <p>Records are the same {@link SourceRecord}s as {@link Files#read} gives (JSON lines or Avro).
 * Each one is stamped with the event time that {@link #withEventTime} extracts from it.
 *
 * <ul>
 *   <li><b>Pacing.</b> A record is released once the processing time since the replay started is at
 *       least {@code (greatest event time so far, this record included − first record's event time)
 *       / speedUp}. Records older than one before them are therefore released right after it:
 *       out-of-order and late records arrive as they would have. {@link #withSpeedUp} defaults to
 *       60 (an hour of events per minute); {@link Double#POSITIVE_INFINITY} replays as fast as
 *       possible.
 *   <li><b>Records without event time.</b> If the function throws (or returns null), the record is
 *       still emitted, never dropped, stamped with the greatest event time seen so far (or the
 *       first good record's), so that the decoding step downstream makes it a dead letter.
 *   <li><b>Watermark.</b> {@link BoundedOutOfOrdernessWatermark}: the greatest event time seen
 *       minus {@link #withMaxOutOfOrderness} (default one minute), never moving backwards, advanced
 *       by the idle rule after {@link #withIdleTimeout} without records; it jumps to the end of
 *       time once the last record is out, so every window closes and the job finishes.
 *   <li><b>Checkpoints</b> hold the number of records emitted; a restored reader skips them. The
 *       file is read by a single reader and is never split.
 * </ul>
 *
 * <pre>{@code
 * PCollection<SourceRecord> orders =
 *     pipeline.apply(
 *         "ReplayOrders",
 *         Files.replay("test-data/orders.jsonl")
 *             .withEventTime(new OrderEventTime())
 *             .withSpeedUp(600.0)
 *             .withMaxOutOfOrderness(Duration.standardSeconds(30)));
 * }</pre>
 */
@AutoValue
public abstract class ReplayFile extends PTransform<PBegin, PCollection<SourceRecord>> {
  private static final long serialVersionUID = 1L;

  /** The default speed-up: one hour of event time per minute of processing time. */
  public static final double DEFAULT_SPEED_UP = 60.0;

  abstract String file();

  abstract FileFormat format();

  abstract @Nullable SerializableFunction<SourceRecord, Instant> eventTime();

  abstract double speedUp();

  abstract Duration maxOutOfOrderness();

  abstract Duration idleTimeout();

  abstract ProcessingClock clock();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setFile(String file);

    abstract Builder setFormat(FileFormat format);

    abstract Builder setEventTime(SerializableFunction<SourceRecord, Instant> eventTime);

    abstract Builder setSpeedUp(double speedUp);

    abstract Builder setMaxOutOfOrderness(Duration maxOutOfOrderness);

    abstract Builder setIdleTimeout(Duration idleTimeout);

    abstract Builder setClock(ProcessingClock clock);

    abstract ReplayFile build();
  }

  static ReplayFile of(String file) {
    return new AutoValue_ReplayFile.Builder()
        .setFile(Files.checkPath("file", "path", file))
        .setFormat(FileFormat.AUTO)
        .setSpeedUp(DEFAULT_SPEED_UP)
        .setMaxOutOfOrderness(BoundedOutOfOrdernessWatermark.DEFAULT_MAX_OUT_OF_ORDERNESS)
        .setIdleTimeout(BoundedOutOfOrdernessWatermark.DEFAULT_IDLE_TIMEOUT)
        .setClock(ProcessingClock.system())
        .build();
  }

  /** Returns a transform reading the file in {@code format}; by default decided by extension. */
  public ReplayFile withFormat(FileFormat format) {
    return toBuilder().setFormat(Checks.notNull("format", format)).build();
  }

  /**
   * Returns a transform that stamps each record with the event time {@code eventTime} extracts from
   * it. Required. The function must be deterministic: a restored reader calls it again on the
   * records it skips. It receives a copy of each record.
   */
  public ReplayFile withEventTime(SerializableFunction<SourceRecord, Instant> eventTime) {
    return toBuilder().setEventTime(Checks.notNull("eventTime", eventTime)).build();
  }

  /**
   * Returns a transform replaying {@code speedUp} times faster than the events happened. Must be
   * {@code > 0}; {@link Double#POSITIVE_INFINITY} means as fast as possible.
   */
  public ReplayFile withSpeedUp(double speedUp) {
    return toBuilder().setSpeedUp(BoundedOutOfOrdernessWatermark.checkSpeedUp(speedUp)).build();
  }

  /**
   * Returns a transform whose watermark trails the greatest event time seen by {@code
   * maxOutOfOrderness}. Must be {@code >= 0}.
   */
  public ReplayFile withMaxOutOfOrderness(Duration maxOutOfOrderness) {
    return toBuilder()
        .setMaxOutOfOrderness(
            BoundedOutOfOrdernessWatermark.checkMaxOutOfOrderness(maxOutOfOrderness))
        .build();
  }

  /**
   * Returns a transform that applies the watermark's idle rule after {@code idleTimeout} of
   * processing time without a record (see {@link BoundedOutOfOrdernessWatermark}). Must be {@code >
   * 0}.
   */
  public ReplayFile withIdleTimeout(Duration idleTimeout) {
    return toBuilder()
        .setIdleTimeout(BoundedOutOfOrdernessWatermark.checkIdleTimeout(idleTimeout))
        .build();
  }

  /** Visible for testing: paces the replay by {@code clock} instead of the wall clock. */
  ReplayFile withClock(ProcessingClock clock) {
    return toBuilder().setClock(Checks.notNull("clock", clock)).build();
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    return input.apply("ReplayRecords", Read.from(createSource()));
  }

  /** The unbounded source for these settings; checks the settings that depend on each other. */
  ReplayFileSource createSource() {
    SerializableFunction<SourceRecord, Instant> eventTime = eventTime();
    if (eventTime == null) {
      throw new IllegalStateException(
          "Files.replay(\""
              + file()
              + "\") needs withEventTime(...): the function that gives each record its event"
              + " time.");
    }
    FileFormat format = format().resolveFor(file());
    BoundedOutOfOrdernessWatermark watermark =
        BoundedOutOfOrdernessWatermark.create()
            .withMaxOutOfOrderness(maxOutOfOrderness())
            .withIdleTimeout(idleTimeout())
            .withSpeedUp(speedUp());
    return new ReplayFileSource(file(), format, eventTime, speedUp(), watermark, clock());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("file", file()).withLabel("File"))
        .add(DisplayData.item("format", format().name()).withLabel("Format"))
        .add(DisplayData.item("speedUp", speedUp()).withLabel("Speed-up"))
        .add(
            DisplayData.item("maxOutOfOrderness", maxOutOfOrderness())
                .withLabel("Max out-of-orderness"))
        .add(DisplayData.item("idleTimeout", idleTimeout()).withLabel("Idle timeout"));
  }
}
