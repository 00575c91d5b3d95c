package dev.kappa.io.console;

import com.google.auto.value.AutoValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * Prints each element to {@link System#out} as {@code [label] element}, as it is produced, flushing
 * after each line, so that a demo shows results as they come; lines from parallel workers
 * interleave in no particular order. {@link Console#printSorted} prints a bounded collection once
 * it is complete, sorted (a result line starts with its window, then its key), by one worker that
 * holds all its lines: for small outputs only. On a cluster the lines go to a worker's stdout: this
 * is for demos and local runs, not for results.
 *
 * <pre>{@code
 * revenue.apply("PrintRevenue", Console.print("revenue"));
 * }</pre>
 */
@AutoValue
public abstract class PrintLines extends PTransform<PCollection<String>, PDone> {
  private static final long serialVersionUID = 1L;

  abstract String label();

  /** Whether a bounded collection is printed sorted, once complete. */
  abstract boolean sorted();

  static PrintLines of(String label, boolean sorted) {
    if (label == null || label.isEmpty()) {
      throw new IllegalArgumentException(
          "label must not be empty, was " + (label == null ? "null" : "\"\""));
    }
    return new AutoValue_PrintLines(label, sorted);
  }

  @Override
  public PDone expand(PCollection<String> input) {
    if (sorted() && input.isBounded() == PCollection.IsBounded.BOUNDED) {
      // Everything is known at the end: print it in order (for results, by window then key).
      input
          .apply(
              "InOneWindow",
              Window.<String>into(new GlobalWindows())
                  .triggering(DefaultTrigger.of())
                  .withAllowedLateness(Duration.ZERO)
                  .discardingFiredPanes())
          .apply("KeyAllAlike", WithKeys.of(""))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
          .apply("GatherLines", GroupByKey.create())
          .apply("PrintToStdout", ParDo.of(new PrintSortedFn(label())));
    } else {
      input.apply("PrintToStdout", ParDo.of(new PrintFn(label())));
    }
    return PDone.in(input.getPipeline());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("label", label()).withLabel("Label"));
  }

  /** Prints all lines of a bounded collection, sorted. */
  static final class PrintSortedFn extends DoFn<KV<String, Iterable<String>>, Void> {
    private static final long serialVersionUID = 1L;

    private final String prefix;

    PrintSortedFn(String label) {
      this.prefix = "[" + label + "] ";
    }

    @ProcessElement
    public void processElement(@Element KV<String, Iterable<String>> lines) {
      List<String> sorted = new ArrayList<>();
      lines.getValue().forEach(sorted::add);
      Collections.sort(sorted);
      for (String line : sorted) {
        System.out.println(prefix + line);
      }
      System.out.flush();
    }
  }

  /** Prints one line per element. */
  static final class PrintFn extends DoFn<String, Void> {
    private static final long serialVersionUID = 1L;

    private final String prefix;

    PrintFn(String label) {
      this.prefix = "[" + label + "] ";
    }

    @ProcessElement
    public void processElement(@Element String element) {
      // One println call per line keeps concurrent lines whole.
      System.out.println(prefix + element);
      System.out.flush();
    }
  }
}
