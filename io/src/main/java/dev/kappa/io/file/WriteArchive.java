package dev.kappa.io.file;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Archives source records, original bytes and source position included, to Avro container files
 * that {@link Files#read} reads back as the same records: a backfill from the archive decodes the
 * same bytes and reports the same Kafka positions as one from Kafka.
 *
 * <p>Bounded input is written as {@code <prefix>-SSSSS-of-NNNNN.avro}. Unbounded input is written
 * every {@link #flushInterval()} of processing time (default one hour), whatever arrived since the
 * last flush in one new file {@code <prefix>-global-pane-<n>-00000-of-00001.avro}; every record is
 * written once, and none can be dropped as late (the archive runs in the global window).
 *
 * <pre>{@code
 * records.apply("ArchiveOrders", Files.writeArchive("/archive/orders/orders"));
 * }</pre>
 */
@AutoValue
public abstract class WriteArchive
    extends PTransform<PCollection<SourceRecord>, WriteFilesResult<Void>> {
  private static final long serialVersionUID = 1L;

  /** The suffix of every archive file. */
  public static final String SUFFIX = ".avro";

  abstract String outputPrefix();

  /** How often unbounded input is written out. */
  public abstract Duration flushInterval();

  abstract Builder toBuilder();

  static WriteArchive to(String outputPrefix) {
    return new AutoValue_WriteArchive.Builder()
        .setOutputPrefix(FileSinks.checkPrefix(outputPrefix))
        .setFlushInterval(Duration.standardHours(1))
        .build();
  }

  /** Writes unbounded input every {@code interval} of processing time. */
  public WriteArchive withFlushInterval(Duration interval) {
    return toBuilder().setFlushInterval(FileSinks.checkInterval(interval)).build();
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<SourceRecord> input) {
    if (input.isBounded() == PCollection.IsBounded.BOUNDED) {
      return input.apply(
          "WriteShards",
          AvroIO.write(SourceRecord.class)
              .to(outputPrefix())
              .withSuffix(SUFFIX)
              .<Void>withOutputFilenames());
    }
    ResourceId prefix = FileSystems.matchNewResource(outputPrefix(), false);
    return input
        .apply("FlushPeriodically", FileSinks.<SourceRecord>flushEvery(flushInterval()))
        .apply(
            "WriteFlushes",
            FileIO.<SourceRecord>write()
                .via(AvroIO.sink(SourceRecord.class))
                .to(prefix.getCurrentDirectory().toString())
                .withNaming(new WriteLines.WindowPaneNaming(prefix.getFilename(), SUFFIX))
                .withNumShards(1));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("outputPrefix", outputPrefix()).withLabel("Output prefix"));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setOutputPrefix(String outputPrefix);

    abstract Builder setFlushInterval(Duration flushInterval);

    abstract WriteArchive build();
  }
}
