package dev.kappa.io.file;

import com.google.auto.value.AutoValue;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.ReadableInstant;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * Writes strings, one per line, to {@code .jsonl} files; pipelines format their records to strings
 * (usually JSON) before this step. Each element must be one line, without {@code \n}.
 *
 * <p><b>Bounded input</b> is written like {@link TextIO}: {@code <prefix>-SSSSS-of-NNNNN.jsonl},
 * with a runner-chosen number of shards, once the input is complete.
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
public abstract class WriteLines extends PTransform<PCollection<String>, WriteFilesResult<Void>> {
  private static final long serialVersionUID = 1L;

  /** The suffix of every file written. */
  public static final String SUFFIX = ".jsonl";

  abstract String outputPrefix();

  /** How often unbounded input is written out. */
  public abstract Duration flushInterval();

  abstract Builder toBuilder();

  static WriteLines to(String outputPrefix) {
    return new AutoValue_WriteLines.Builder()
        .setOutputPrefix(FileSinks.checkPrefix(outputPrefix))
        .setFlushInterval(Duration.standardSeconds(5))
        .build();
  }

  /** Writes unbounded input every {@code interval} of processing time. */
  public WriteLines withFlushInterval(Duration interval) {
    return toBuilder().setFlushInterval(FileSinks.checkInterval(interval)).build();
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<String> input) {
    if (input.isBounded() == PCollection.IsBounded.BOUNDED) {
      return input.apply(
          "WriteShards",
          TextIO.write().to(outputPrefix()).withSuffix(SUFFIX).<Void>withOutputFilenames());
    }
    PCollection<String> lines =
        input.apply("FlushPeriodically", FileSinks.<String>flushEvery(flushInterval()));
    ResourceId prefix = FileSystems.matchNewResource(outputPrefix(), false);
    ResourceId directory = prefix.getCurrentDirectory();
    return lines.apply(
        "WriteWindowPanes",
        FileIO.<String>write()
            .via(TextIO.sink())
            .to(directory.toString())
            .withNaming(new WindowPaneNaming(prefix.getFilename(), SUFFIX))
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

    abstract WriteLines build();
  }

  /** Names a file by its window's bounds and its pane index, so no pane overwrites another. */
  static final class WindowPaneNaming implements FileIO.Write.FileNaming {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter TIME = ISODateTimeFormat.basicDateTime().withZoneUTC();

    private final String prefix;
    private final String suffix;

    WindowPaneNaming(String prefix, String suffix) {
      this.prefix = prefix;
      this.suffix = suffix;
    }

    @Override
    public String getFilename(
        BoundedWindow window,
        PaneInfo pane,
        int numShards,
        int shardIndex,
        Compression compression) {
      StringBuilder name = new StringBuilder(prefix).append('-');
      if (window instanceof IntervalWindow) {
        IntervalWindow interval = (IntervalWindow) window;
        name.append(format(interval.start())).append('-').append(format(interval.end()));
      } else if (window instanceof GlobalWindow) {
        name.append("global");
      } else {
        name.append("until-").append(format(window.maxTimestamp()));
      }
      name.append("-pane-").append(pane.getIndex());
      name.append(String.format(Locale.ROOT, "-%05d-of-%05d", shardIndex, numShards));
      return name.append(suffix).append(compression.getSuggestedSuffix()).toString();
    }

    private static String format(ReadableInstant instant) {
      return TIME.print(instant);
    }
  }
}
