package dev.kappa.io.file;

import java.util.Locale;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.POutput;
import org.joda.time.Duration;
import org.joda.time.ReadableInstant;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * What the file sinks ({@link WriteLines}, {@link WriteArchive}) share: bounded input is written as
 * numbered shards ({@code WriteShards}: {@link WriteBoundedShards} for lines, {@code
 * AvroIO.write()} for the archive); unbounded input goes into the global window, fired every {@link
 * #flushInterval()} of processing time and discarding what was fired ({@code FlushPeriodically}),
 * and each firing is written to one new file named by its window and pane. Each element is written
 * exactly once whatever the input's own windowing and accumulation, and nothing can be dropped as
 * late (the global window never expires before the input ends).
 *
 * @param <T> the elements written
 */
public abstract class WriteFlushedFiles<T> extends PTransform<PCollection<T>, PDone> {
  private static final long serialVersionUID = 1L;

  abstract String outputPrefix();

  /** How often unbounded input is written out. */
  public abstract Duration flushInterval();

  /** The suffix of every file, e.g. {@code .jsonl}. */
  abstract String fileSuffix();

  /** The write of bounded input, named {@code WriteShards}. */
  abstract PTransform<PCollection<T>, ? extends POutput> writeShards();

  /** The sink each flush is written with. */
  abstract FileIO.Sink<T> flushSink();

  /** The name of the step that writes the flushes; each sink keeps its own (savepoint ids). */
  abstract String writeFlushesStepName();

  @Override
  public PDone expand(PCollection<T> input) {
    if (input.isBounded() == PCollection.IsBounded.BOUNDED) {
      input.apply("WriteShards", writeShards());
      return PDone.in(input.getPipeline());
    }
    ResourceId prefix = FileSystems.matchNewResource(outputPrefix(), false);
    input
        .apply("FlushPeriodically", flushEvery(flushInterval()))
        .apply(
            writeFlushesStepName(),
            FileIO.<T>write()
                .via(flushSink())
                .to(prefix.getCurrentDirectory().toString())
                .withNaming(new WindowPaneNaming(prefix.getFilename(), fileSuffix()))
                .withNumShards(1));
    return PDone.in(input.getPipeline());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("outputPrefix", outputPrefix()).withLabel("Output prefix"));
  }

  private Window<T> flushEvery(Duration interval) {
    return Window.<T>into(new GlobalWindows())
        .triggering(
            Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(interval)))
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  /** A path ending in a file-name prefix, as every file sink takes. */
  static String checkPrefix(String outputPrefix) {
    if (outputPrefix == null || outputPrefix.isEmpty() || outputPrefix.endsWith("/")) {
      throw new IllegalArgumentException(
          "outputPrefix must be a path ending in a file-name prefix, e.g. /data/out/orders, was "
              + (outputPrefix == null ? "null" : "\"" + outputPrefix + "\""));
    }
    return outputPrefix;
  }

  static Duration checkInterval(Duration interval) {
    if (interval == null || interval.getMillis() <= 0) {
      throw new IllegalArgumentException("flushInterval must be positive, was " + interval);
    }
    return interval;
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
