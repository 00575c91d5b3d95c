package dev.kappa.io.file;

import com.google.auto.value.AutoValue;
import dev.kappa.io.Checks;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads every file matching a pattern into undecoded {@link SourceRecord}s: a bounded source for
 * batch jobs and backfills.
 *
 * <p>JSON-lines files give one record per non-blank line: the line's exact bytes (only the {@code
 * \n} or {@code \r\n} terminator removed, nothing trimmed) at offset = its 1-based line number.
 * Avro container files give one record per datum, re-encoded in Avro single-object encoding with
 * the file's writer schema, at offset = its 1-based record number. The position's name is the
 * file's path or URI. Records carry no event time: decoding and timestamping happen downstream, so
 * that a record that fails them keeps its bytes and position.
 *
 * <p>Each file is read sequentially by one worker and is not split, so parallelism comes from
 * having several files. Compressed files ({@code .gz}, {@code .bz2}, {@code .zst}, ...) are
 * decompressed by their extension. A pattern that matches no file fails the pipeline, naming the
 * pattern.
 *
 * <pre>{@code
 * PCollection<SourceRecord> orders =
 *     pipeline.apply("ReadOrders", Files.read("gs://kappa-data/orders/2024-05-*.jsonl"));
 * PCollection<SourceRecord> archived =
 *     pipeline.apply(
 *         "ReadArchive", Files.read("/data/archive/part-*").withFormat(FileFormat.AVRO));
 * }</pre>
 */
@AutoValue
public abstract class ReadFiles extends PTransform<PBegin, PCollection<SourceRecord>> {
  private static final long serialVersionUID = 1L;

  /** An extension made only of these characters is literal: no glob can match something else. */
  private static final Pattern LITERAL_EXTENSION = Pattern.compile("[a-z0-9_-]+");

  abstract String filepattern();

  abstract FileFormat format();

  abstract Builder toBuilder();

  static ReadFiles of(String filepattern) {
    return new AutoValue_ReadFiles.Builder()
        .setFilepattern(Files.checkPath("filepattern", "path or glob", filepattern))
        .setFormat(FileFormat.AUTO)
        .build();
  }

  /**
   * Returns a transform reading the files in {@code format}. The default, {@link FileFormat#AUTO},
   * decides per file by its extension.
   */
  public ReadFiles withFormat(FileFormat format) {
    return toBuilder().setFormat(Checks.notNull("format", format)).build();
  }

  /**
   * Reads every matching file now, in this process, if they hold at most {@code maxRecords}
   * records: for a small bounded input, such as a table's change history, that a job wants as a
   * value rather than as a step. The records are those the step would emit, file by file in the
   * order of their names. Returns null if the files hold more records, or if the pattern matches
   * nothing here (the files may exist only where the job runs; the step then reads them and fails
   * there if they are missing).
   *
   * @throws IOException if a matching file cannot be read
   */
  public @Nullable List<SourceRecord> readNow(long maxRecords) throws IOException {
    if (maxRecords < 0) {
      throw new IllegalArgumentException("maxRecords must not be negative, was " + maxRecords);
    }
    MatchResult match = FileSystems.match(filepattern(), EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      return null;
    }
    List<MatchResult.Metadata> files = new ArrayList<>(match.metadata());
    files.sort(Comparator.comparing(file -> file.resourceId().toString()));
    List<SourceRecord> records = new ArrayList<>();
    for (MatchResult.Metadata file : files) {
      // Opened by its resource id: its name may hold glob characters of its own.
      String name = file.resourceId().toString();
      ReadableByteChannel channel =
          Compression.detect(name).readDecompressed(FileSystems.open(file.resourceId()));
      try (FileRecordReader reader =
          FileRecordReader.open(name, format().resolveFor(name), channel)) {
        SourceRecord record;
        while ((record = reader.next()) != null) {
          if (records.size() == maxRecords) {
            return null;
          }
          records.add(record);
        }
      }
    }
    return records;
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    if (format() == FileFormat.AUTO && hasUnknownLiteralExtension(filepattern())) {
      // Fails now rather than at run time, naming the pattern.
      FileFormat.AUTO.resolveFor(filepattern());
    }
    return input
        .apply(
            "MatchFiles",
            FileIO.match()
                .filepattern(filepattern())
                .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("OpenFiles", FileIO.readMatches())
        .apply("ReadRecords", ParDo.of(new ReadRecordsFn(format())))
        .setCoder(SpecificRecordCoder.of(SourceRecord.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("filePattern", filepattern()).withLabel("File pattern"))
        .add(DisplayData.item("format", format().name()).withLabel("Format"));
  }

  /** True if every file the pattern can match has the same extension, and AUTO does not know it. */
  private static boolean hasUnknownLiteralExtension(String filepattern) {
    String name = filepattern.substring(filepattern.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (Compression.detect(name) != Compression.UNCOMPRESSED) {
      name = name.substring(0, name.lastIndexOf('.'));
    }
    int dot = name.lastIndexOf('.');
    return dot >= 0
        && LITERAL_EXTENSION.matcher(name.substring(dot + 1)).matches()
        && FileFormat.fromExtension(name) == null;
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setFilepattern(String filepattern);

    abstract Builder setFormat(FileFormat format);

    abstract ReadFiles build();
  }

  /** Reads each file from start to end, one record at a time. */
  static final class ReadRecordsFn extends DoFn<FileIO.ReadableFile, SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final FileFormat format;
    private final Counter filesRead = Metrics.counter(ReadFiles.class, "filesRead");
    private final Counter recordsRead = Metrics.counter(ReadFiles.class, "recordsRead");

    ReadRecordsFn(FileFormat format) {
      this.format = format;
    }

    @ProcessElement
    public void processElement(
        @Element FileIO.ReadableFile file, OutputReceiver<SourceRecord> output) throws IOException {
      String name = file.getMetadata().resourceId().toString();
      FileFormat resolved = format.resolveFor(name);
      try (FileRecordReader reader = FileRecordReader.open(name, resolved, file.open())) {
        SourceRecord record;
        while ((record = reader.next()) != null) {
          output.output(record);
          recordsRead.inc();
        }
      }
      filesRead.inc();
    }
  }
}
