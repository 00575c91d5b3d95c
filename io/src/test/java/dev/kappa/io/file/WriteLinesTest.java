package dev.kappa.io.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class WriteLinesTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  @TempDir Path dir;

  /** Each output file's name and its lines, ignoring Beam's temporary directory. */
  private Map<String, List<String>> outputFiles() throws IOException {
    Map<String, List<String>> files = new TreeMap<>();
    try (Stream<Path> paths = java.nio.file.Files.list(dir)) {
      for (Path path :
          paths.filter(java.nio.file.Files::isRegularFile).collect(Collectors.toList())) {
        files.put(
            path.getFileName().toString(),
            java.nio.file.Files.readAllLines(path, StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  @Test
  void writesBoundedInputAsShardsThatReadBackToTheSameLines(TestPipeline pipeline)
      throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      lines.add("{\"id\":" + i + ",\"name\":\"é" + i + "\"}");
    }

    pipeline
        .apply(Create.of(lines).withCoder(StringUtf8Coder.of()))
        .apply(Files.writeLines(dir.resolve("orders").toString()));
    pipeline.run().waitUntilFinish();

    Map<String, List<String>> files = outputFiles();
    assertThat(files.size(), greaterThanOrEqualTo(1));
    assertThat(files.keySet(), everyItem(matchesPattern("orders-\\d{5}-of-\\d{5}\\.jsonl")));
    List<String> readBack =
        files.values().stream().flatMap(List::stream).collect(Collectors.toList());
    assertThat(readBack, containsInAnyOrder(lines.toArray()));
  }

  @Test
  void writesEachElementOfAccumulatingUnboundedInputExactlyOnce(TestPipeline pipeline)
      throws IOException {
    // Upstream panes accumulate; the sink's own grouping must not inherit that and rewrite
    // earlier elements into every new file.
    TestStream<String> stream =
        TestStream.create(StringUtf8Coder.of())
            .addElements(
                TimestampedValue.of("a", T0.plus(Duration.standardSeconds(10))),
                TimestampedValue.of("b", T0.plus(Duration.standardSeconds(50))))
            .advanceProcessingTime(Duration.standardSeconds(6))
            .addElements(TimestampedValue.of("c", T0.plus(Duration.standardSeconds(70))))
            .advanceWatermarkTo(T0.plus(Duration.standardSeconds(150)))
            .advanceProcessingTime(Duration.standardSeconds(6))
            // Late for the first window but within its allowed lateness.
            .addElements(TimestampedValue.of("d", T0.plus(Duration.standardSeconds(30))))
            .advanceProcessingTime(Duration.standardSeconds(6))
            .advanceWatermarkToInfinity();

    pipeline
        .apply(stream)
        .apply(
            Window.<String>into(FixedWindows.of(Duration.standardMinutes(1)))
                .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(Duration.standardMinutes(5))
                .accumulatingFiredPanes())
        .apply(Files.writeLines(dir.resolve("clicks").toString()));
    pipeline.run().waitUntilFinish();

    Map<String, List<String>> files = outputFiles();
    assertThat(
        files.keySet(),
        everyItem(matchesPattern("clicks-global-pane-\\d+-00000-of-00001\\.jsonl")));
    // One file per flush, and every element in exactly one of them.
    assertThat(files.size(), equalTo(3));
    List<String> written =
        files.values().stream().flatMap(List::stream).collect(Collectors.toList());
    assertThat(written, containsInAnyOrder("a", "b", "c", "d"));
  }

  @Test
  void flushesUnwindowedUnboundedInputAndWritesTheRestAtTheEnd(TestPipeline pipeline)
      throws IOException {
    TestStream<String> stream =
        TestStream.create(StringUtf8Coder.of())
            .addElements(TimestampedValue.of("dead-1", T0))
            .advanceProcessingTime(Duration.standardSeconds(6))
            .addElements(TimestampedValue.of("dead-2", T0.plus(Duration.standardHours(3))))
            .advanceWatermarkToInfinity();

    pipeline.apply(stream).apply(Files.writeLines(dir.resolve("dead-letters").toString()));
    pipeline.run().waitUntilFinish();

    Map<String, List<String>> files = outputFiles();
    assertThat(
        files,
        equalTo(
            Map.of(
                "dead-letters-global-pane-0-00000-of-00001.jsonl", List.of("dead-1"),
                "dead-letters-global-pane-1-00000-of-00001.jsonl", List.of("dead-2"))));
  }

  @Test
  void rejectsANonPositiveFlushInterval() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Files.writeLines("/data/out/x").withFlushInterval(Duration.ZERO));
    assertThat(e.getMessage(), equalTo("flushInterval must be positive, was PT0S"));
  }

  @Test
  void rejectsAPrefixWithoutAFileName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Files.writeLines("/data/out/"));
    assertThat(
        e.getMessage(),
        equalTo(
            "outputPrefix must be a path ending in a file-name prefix, e.g. /data/out/orders,"
                + " was \"/data/out/\""));
  }
}
