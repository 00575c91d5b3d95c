package dev.kappa.io.file;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * Writes strings, one per line, to {@code .jsonl} files; pipelines format their records to strings
 * (usually JSON) before this step. Each element must be one line, without {@code \n}.
 *
 * <p><b>Bounded input</b> is written like {@link TextIO}: {@code <prefix>-SSSSS-of-NNNNN.jsonl},
 * with a runner-chosen number of shards (one per bundle), which appear once the input is complete
 * ({@link WriteBoundedShards}: the same files in two stages where {@code TextIO.write()} takes
 * six).
 *
 * <p><b>Unbounded input</b> is written every {@link #flushInterval()} of processing time (default 5
 * seconds): whatever arrived since the last flush goes to one new file, {@code
 * <prefix>-global-pane-<n>-00000-of-00001.jsonl}, and the rest when the input ends. Each element is
 * written exactly once, whatever windows, triggers and accumulation mode the input has: the sink
 * moves elements into the global window with its own discarding trigger, so an accumulating
 * upstream (whose windowing FileIO's grouping would otherwise inherit, rewriting every earlier
 * element in each new file) cannot duplicate lines, and no element can be dropped as late by the
 * sink. Records that need their window should carry it, as Kappa's result records do.
 *
 * <p>Read the results back with the same glob in both cases, e.g. {@code Files.read(prefix +
 * "-*.jsonl")} or {@code TextIO.read().from(prefix + "-*.jsonl")}.
 *
 * <pre>{@code
 * revenue
 *     .apply("FormatRevenue", MapElements.into(TypeDescriptors.strings()).via(Revenue::toJson))
 *     .apply("WriteRevenue", Files.writeLines("/tmp/kappa/revenue"));
 * }</pre>
 */
@AutoValue
public abstract class WriteLines extends WriteFlushedFiles<String> {
  private static final long serialVersionUID = 1L;

  /** The suffix of every file written. */
  public static final String SUFFIX = ".jsonl";

  abstract Builder toBuilder();

  static WriteLines to(String outputPrefix) {
    return new AutoValue_WriteLines.Builder()
        .setOutputPrefix(checkPrefix(outputPrefix))
        .setFlushInterval(Duration.standardSeconds(5))
        .build();
  }

  /** Writes unbounded input every {@code interval} of processing time. */
  public WriteLines withFlushInterval(Duration interval) {
    return toBuilder().setFlushInterval(checkInterval(interval)).build();
  }

  @Override
  String fileSuffix() {
    return SUFFIX;
  }

  @Override
  PTransform<PCollection<String>, PDone> writeShards() {
    return new WriteBoundedShards<>(outputPrefix(), SUFFIX, TextIO.sink());
  }

  @Override
  FileIO.Sink<String> flushSink() {
    return TextIO.sink();
  }

  @Override
  String writeFlushesStepName() {
    return "WriteWindowPanes";
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setOutputPrefix(String outputPrefix);

    abstract Builder setFlushInterval(Duration flushInterval);

    abstract WriteLines build();
  }
}
