package dev.kappa.pipelines.inventory;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.pipelines.job.JobRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runs the inventory job with file outputs, and reads outputs and the expected files of {@code
 * test-data/inventory} into comparable lines. Both sides are parsed with Jackson, not with the
 * project's codecs, so that a codec bug cannot make them agree.
 */
final class InventoryFiles {
  private InventoryFiles() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Output prefixes of one run. */
  record Outputs(Path levels, Path alerts, Path history, Path tooLate, Path deadLetters) {
    static Outputs under(Path dir) {
      return new Outputs(
          dir.resolve("out/levels"),
          dir.resolve("out/alerts"),
          dir.resolve("out/history"),
          dir.resolve("out/too-late"),
          dir.resolve("out/dead-letters"));
    }
  }

  static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data"))
        .resolve("inventory")
        .resolve(relative);
  }

  /** The arguments for file outputs under {@code dir}, after {@code args}. */
  static List<String> withOutputs(Outputs outputs, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--output=" + outputs.levels());
    all.add("--alertsOutput=" + outputs.alerts());
    all.add("--historyOutput=" + outputs.history());
    all.add("--tooLateOutput=" + outputs.tooLate());
    all.add("--deadLetterOutput=" + outputs.deadLetters());
    return all;
  }

  /** Runs the job on the Direct runner to completion; fails unless it is DONE. */
  static Outputs run(Path dir, String... args) {
    Outputs outputs = Outputs.under(dir);
    Inventory.Options options =
        PipelineOptionsFactory.fromArgs(withOutputs(outputs, args).toArray(new String[0]))
            .withValidation()
            .as(Inventory.Options.class);
    PipelineResult.State state = JobRunner.run(new Inventory(), options).waitUntilFinish();
    assertThat(state, is(PipelineResult.State.DONE));
    return outputs;
  }

  /** The expected rows of {@code file}, canonical and sorted. */
  static List<String> expected(String file) {
    return canonical(lines(testData(file)));
  }

  /** Every row written under {@code prefix}, canonical and sorted. */
  static List<String> written(Path prefix) {
    return canonical(writtenLines(prefix));
  }

  /** Dead letters as {@code step | payload}, sorted. */
  static List<String> deadLetters(Path prefix) {
    return writtenLines(prefix).stream()
        .map(InventoryFiles::parse)
        .map(d -> d.get("step").asText() + " | " + payloadText(d.get("payload")))
        .sorted()
        .toList();
  }

  static List<String> expectedDeadLetters() {
    return lines(testData("expected-dead-letters.jsonl")).stream()
        .map(InventoryFiles::parse)
        .map(d -> d.get("step").asText() + " | " + d.get("payload").asText())
        .sorted()
        .toList();
  }

  /**
   * Rows as {@code field=value} lists sorted by field, timestamps as instants, nulls as absent
   * fields' "null": so that equal records compare equal however each side spelled them.
   */
  static List<String> canonical(List<String> lines) {
    List<String> rows = new ArrayList<>();
    for (String line : lines) {
      Map<String, String> fields = new TreeMap<>();
      JsonNode row = parse(line);
      for (Map.Entry<String, JsonNode> field : row.properties()) {
        fields.put(field.getKey(), value(field.getValue()));
      }
      rows.add(fields.toString());
    }
    return rows.stream().sorted().toList();
  }

  private static String value(JsonNode node) {
    if (node == null || node.isNull()) {
      return "null";
    }
    if (node.isObject() && node.size() == 1) {
      return value(node.iterator().next()); // an Avro JSON union branch
    }
    if (node.isTextual()) {
      try {
        return Instant.parse(node.asText()).toString();
      } catch (DateTimeParseException e) {
        return node.asText();
      }
    }
    return node.toString();
  }

  /** A dead letter's payload as the JSON sink writes it (base64), back as the original text. */
  private static String payloadText(JsonNode payload) {
    return new String(Base64.getDecoder().decode(payload.asText()), StandardCharsets.UTF_8);
  }

  private static List<String> writtenLines(Path prefix) {
    List<String> lines = new ArrayList<>();
    Path dir = prefix.getParent();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, prefix.getFileName() + "-*.jsonl")) {
      for (Path file : files) {
        lines.addAll(lines(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
