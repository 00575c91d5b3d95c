package dev.kappa.io.file;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.common.SourceRecord;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.PTransform;
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
public abstract class WriteArchive extends WriteFlushedFiles<SourceRecord> {
  private static final long serialVersionUID = 1L;

  /** The suffix of every archive file. */
  public static final String SUFFIX = ".avro";

  abstract Builder toBuilder();

  static WriteArchive to(String outputPrefix) {
    return new AutoValue_WriteArchive.Builder()
        .setOutputPrefix(checkPrefix(outputPrefix))
        .setFlushInterval(Duration.standardHours(1))
        .build();
  }

  /** Writes unbounded input every {@code interval} of processing time. */
  public WriteArchive withFlushInterval(Duration interval) {
    return toBuilder().setFlushInterval(checkInterval(interval)).build();
  }

  @Override
  String fileSuffix() {
    return SUFFIX;
  }

  @Override
  PTransform<PCollection<SourceRecord>, WriteFilesResult<Void>> writeShards() {
    return AvroIO.write(SourceRecord.class)
        .to(outputPrefix())
        .withSuffix(SUFFIX)
        .<Void>withOutputFilenames();
  }

  @Override
  FileIO.Sink<SourceRecord> flushSink() {
    return AvroIO.sink(SourceRecord.class);
  }

  @Override
  String writeFlushesStepName() {
    return "WriteFlushes";
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setOutputPrefix(String outputPrefix);

    abstract Builder setFlushInterval(Duration flushInterval);

    abstract WriteArchive build();
  }
}
