package dev.kappa.io.file;

import dev.kappa.io.UnboundedRecordSource;
import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The unbounded source behind {@link ReplayFile}: one file, one split, read in file order by a
 * {@link ReplayFileReader}.
 */
final class ReplayFileSource extends UnboundedRecordSource<ReplayCheckpoint> {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final FileFormat format;
  private final SerializableFunction<SourceRecord, Instant> eventTime;
  private final double speedUp;
  private final BoundedOutOfOrdernessWatermark watermark;
  private final ProcessingClock clock;

  ReplayFileSource(
      String file,
      FileFormat format,
      SerializableFunction<SourceRecord, Instant> eventTime,
      double speedUp,
      BoundedOutOfOrdernessWatermark watermark,
      ProcessingClock clock) {
    this.file = file;
    this.format = format;
    this.eventTime = eventTime;
    this.speedUp = speedUp;
    this.watermark = watermark;
    this.clock = clock;
  }

  String file() {
    return file;
  }

  FileFormat format() {
    return format;
  }

  SerializableFunction<SourceRecord, Instant> eventTime() {
    return eventTime;
  }

  double speedUp() {
    return speedUp;
  }

  /** A fresh watermark policy for one reader. */
  BoundedOutOfOrdernessWatermark newWatermark() {
    return watermark.newInstance();
  }

  ProcessingClock clock() {
    return clock;
  }

  /** A file is replayed in order by one reader, so it is never split. */
  @Override
  public List<ReplayFileSource> split(int desiredNumSplits, PipelineOptions options) {
    return Collections.singletonList(this);
  }

  @Override
  public ReplayFileReader createReader(
      PipelineOptions options, @Nullable ReplayCheckpoint checkpoint) {
    return new ReplayFileReader(this, checkpoint == null ? 0 : checkpoint.emittedRecords());
  }

  @Override
  public Coder<ReplayCheckpoint> getCheckpointMarkCoder() {
    return ReplayCheckpoint.CODER;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("file", file).withLabel("File"))
        .add(DisplayData.item("format", format.name()).withLabel("Format"))
        .add(DisplayData.item("speedUp", speedUp).withLabel("Speed-up"))
        .add(
            DisplayData.item("maxOutOfOrderness", watermark.getMaxOutOfOrderness())
                .withLabel("Max out-of-orderness"))
        .add(DisplayData.item("idleTimeout", watermark.getIdleTimeout()).withLabel("Idle timeout"));
  }
}
