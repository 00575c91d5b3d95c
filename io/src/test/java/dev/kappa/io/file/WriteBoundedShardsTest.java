package dev.kappa.io.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
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
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class WriteBoundedShardsTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  @TempDir Path dir;

  /** Every regular file under {@code dir} (temporary ones included) with its lines. */
  private Map<String, List<String>> allFiles() throws IOException {
    Map<String, List<String>> files = new TreeMap<>();
    try (Stream<Path> paths = java.nio.file.Files.walk(dir)) {
      for (Path path :
          paths.filter(java.nio.file.Files::isRegularFile).collect(Collectors.toList())) {
        files.put(
            dir.relativize(path).toString(),
            java.nio.file.Files.readAllLines(path, StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> paths = java.nio.file.Files.list(dir)) {
      return paths.map(path -> path.getFileName().toString()).sorted().toList();
    }
  }

  private WriteBoundedShards<String> write(String name) {
    return new WriteBoundedShards<>(dir.resolve(name).toString(), ".jsonl", TextIO.sink());
  }

  @Test
  void writesEveryLineOnceToNumberedShardsAndLeavesNoTemporaryFile(TestPipeline pipeline)
      throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      lines.add("{\"id\":" + i + ",\"name\":\"é" + i + "\"}");
    }

    pipeline.apply(Create.of(lines).withCoder(StringUtf8Coder.of())).apply(write("orders"));
    pipeline.run().waitUntilFinish();

    Map<String, List<String>> files = allFiles();
    int shards = files.size();
    assertThat(
        files.keySet(),
        everyItem(
            matchesPattern("orders-\\d{5}-of-" + String.format("%05d", shards) + "\\.jsonl")));
    List<String> indexes =
        files.keySet().stream().map(name -> name.substring(7, 12)).sorted().toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      expected.add(String.format("%05d", i));
    }
    assertThat(indexes, equalTo(expected));
    assertThat(
        files.values().stream().flatMap(List::stream).toList(),
        containsInAnyOrder(lines.toArray()));
    // Only the shards: the temporary directory is gone.
    assertThat(entries(), hasSize(shards));
  }

  @Test
  void writesOneEmptyShardForInputWithoutRecords(TestPipeline pipeline) throws IOException {
    pipeline.apply(Create.empty(StringUtf8Coder.of())).apply(write("too-late"));
    pipeline.run().waitUntilFinish();

    assertThat(allFiles(), equalTo(Map.of("too-late-00000-of-00001.jsonl", List.of())));
    assertThat(entries(), equalTo(List.of("too-late-00000-of-00001.jsonl")));
  }

  @Test
  void writesWindowedRecordsOnceWhateverTheirWindowsAndPanes(TestPipeline pipeline)
      throws IOException {
    pipeline
        .apply(
            Create.timestamped(
                    TimestampedValue.of("a", T0),
                    TimestampedValue.of("b", T0.plus(Duration.standardMinutes(7))),
                    TimestampedValue.of("c", T0.plus(Duration.standardHours(2))))
                .withCoder(StringUtf8Coder.of()))
        .apply(Window.into(FixedWindows.of(Duration.standardMinutes(5))))
        .apply(write("revenue"));
    pipeline.run().waitUntilFinish();

    assertThat(
        allFiles().values().stream().flatMap(List::stream).toList(),
        containsInAnyOrder("a", "b", "c"));
  }

  @Test
  void aRetriedRenameMovesWhatIsLeftAndDropsWhatAFailedAttemptLeft(TestPipeline pipeline)
      throws IOException {
    Path temp = java.nio.file.Files.createDirectories(dir.resolve(".temp-kappa-test"));
    Path first = java.nio.file.Files.writeString(temp.resolve("b-file"), "1\n2\n");
    Path second = java.nio.file.Files.writeString(temp.resolve("a-file"), "3\n");
    // A bundle that failed after writing: its file is in no list.
    java.nio.file.Files.writeString(temp.resolve("failed-attempt"), "3\n");
    // The first attempt moved one file before it failed.
    String prefix = dir.resolve("results").toString();
    java.nio.file.Files.move(second, Path.of(prefix + "-00000-of-00002.jsonl"));

    pipeline
        .apply(
            Create.of(
                    KV.<Integer, Iterable<String>>of(
                        0, List.of("", first.toString(), second.toString())))
                .withCoder(KvCoder.of(VarIntCoder.of(), IterableCoder.of(StringUtf8Coder.of()))))
        .apply(
            ParDo.of(
                new WriteBoundedShards.RenameIntoPlaceFn<>(
                    prefix, ".jsonl", TextIO.sink(), temp.toString() + "/")));
    pipeline.run().waitUntilFinish();

    assertThat(
        allFiles(),
        equalTo(
            Map.of(
                "results-00000-of-00002.jsonl", List.of("3"),
                "results-00001-of-00002.jsonl", List.of("1", "2"))));
    assertThat(java.nio.file.Files.exists(temp), is(false));
  }

  @Test
  void refusesUnboundedInput(TestPipeline pipeline) {
    TestStream<String> stream =
        TestStream.create(StringUtf8Coder.of())
            .addElements(TimestampedValue.of("a", T0))
            .advanceWatermarkToInfinity();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> pipeline.apply(stream).apply(write("x")));
    assertThat(e.getMessage(), equalTo("WriteBoundedShards writes bounded input only"));
    pipeline.enableAbandonedNodeEnforcement(false);
  }
}
