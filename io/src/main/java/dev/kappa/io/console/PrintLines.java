package dev.kappa.io.console;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Prints each element to {@link System#out} as {@code [label] element}, flushing after each line,
 * so that a demo shows results as they are produced. Lines from parallel workers interleave in no
 * particular order, and on a cluster they go to each worker's stdout: this is for demos and local
 * runs, not for results.
 *
 * <pre>{@code
 * revenue.apply("PrintRevenue", Console.print("revenue"));
 * }</pre>
 */
@AutoValue
public abstract class PrintLines extends PTransform<PCollection<String>, PDone> {
  private static final long serialVersionUID = 1L;

  abstract String label();

  static PrintLines of(String label) {
    if (label == null || label.isEmpty()) {
      throw new IllegalArgumentException(
          "label must not be empty, was " + (label == null ? "null" : "\"\""));
    }
    return new AutoValue_PrintLines(label);
  }

  @Override
  public PDone expand(PCollection<String> input) {
    input.apply("PrintToStdout", ParDo.of(new PrintFn(label())));
    return PDone.in(input.getPipeline());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("label", label()).withLabel("Label"));
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
