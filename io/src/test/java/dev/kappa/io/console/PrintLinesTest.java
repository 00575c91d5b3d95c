package dev.kappa.io.console;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class PrintLinesTest {

  @Test
  void printsEachElementWithItsLabel(TestPipeline pipeline) {
    pipeline
        .apply(Create.of("{\"id\":1}", "{\"id\":2}", "plain").withCoder(StringUtf8Coder.of()))
        .apply(Console.print("orders"));

    List<String> printed = runPrinting(pipeline, "[orders]");
    assertThat(
        printed,
        containsInAnyOrder("[orders] {\"id\":1}", "[orders] {\"id\":2}", "[orders] plain"));
  }

  @Test
  void rejectsAnEmptyLabel() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Console.print(""));
    assertThat(e.getMessage(), equalTo("label must not be empty, was \"\""));
  }

  @Test
  void aBoundedCollectionIsPrintedSorted(TestPipeline pipeline) {
    pipeline
        .apply(
            Create.of(
                    "[2026-03-01 10:05, 10:10) camping USD",
                    "[2026-03-01 10:00, 10:05) footwear USD",
                    "[2026-03-01 10:00, 10:05) camping EUR")
                .withCoder(StringUtf8Coder.of()))
        .apply(Console.printSorted("result"));

    List<String> printed = runPrinting(pipeline, "[result]");
    assertThat(
        printed,
        contains(
            "[result] [2026-03-01 10:00, 10:05) camping EUR",
            "[result] [2026-03-01 10:00, 10:05) footwear USD",
            "[result] [2026-03-01 10:05, 10:10) camping USD"));
  }

  /** Runs {@code pipeline} and returns the lines it printed that start with {@code prefix}. */
  private static List<String> runPrinting(TestPipeline pipeline, String prefix) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      pipeline.run().waitUntilFinish();
    } finally {
      System.setOut(stdout);
    }
    return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\\R"))
        .filter(line -> line.startsWith(prefix))
        .collect(Collectors.toList());
  }
}
