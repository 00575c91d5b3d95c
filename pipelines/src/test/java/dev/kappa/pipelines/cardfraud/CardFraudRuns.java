package dev.kappa.pipelines.cardfraud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.schemas.codec.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Runs the real CardFraud job over test-data/card-fraud with file outputs under a directory. */
final class CardFraudRuns {
  private CardFraudRuns() {}

  /** The settings test-data/card-fraud's reference was computed with. */
  static final List<String> REFERENCE_SETTINGS = List.of("--velocityMinAmounts=JPY=1500000");

  /** Output prefixes of one run. */
  record Outputs(
      Path velocityAlerts, Path riskAlerts, Path scores, Path tooLate, Path deadLetters) {
    static Outputs under(Path dir) {
      return new Outputs(
          dir.resolve("out/velocity"),
          dir.resolve("out/risk"),
          dir.resolve("out/scores"),
          dir.resolve("out/too-late"),
          dir.resolve("out/dead-letters"));
    }

    List<String> args() {
      return List.of(
          "--velocityAlertsOutput=" + velocityAlerts,
          "--riskAlertsOutput=" + riskAlerts,
          "--output=" + scores,
          "--tooLateOutput=" + tooLate,
          "--deadLetterOutput=" + deadLetters);
    }
  }

  static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data")).resolve(relative);
  }

  /**
   * Runs to completion with {@code args}, the reference settings, the test-data customers and file
   * outputs; fails unless the job is DONE.
   */
  static Outputs run(Path dir, String... args) {
    Outputs outputs = Outputs.under(dir);
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(REFERENCE_SETTINGS);
    all.add("--customerChanges=" + testData("card-fraud/customers.changelog.jsonl"));
    all.addAll(outputs.args());
    CardFraud.Options options =
        PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
            .withValidation()
            .as(CardFraud.Options.class);
    PipelineResult.State state = JobRunner.run(new CardFraud(), options).waitUntilFinish();
    assertThat(state, is(PipelineResult.State.DONE));
    return outputs;
  }

  /** Every record written under {@code prefix} ({@code prefix-*.jsonl}). */
  static <T extends SpecificRecordBase> List<T> read(Path prefix, Class<T> type) {
    EventCodec<T> codec = EventCodec.of(type);
    return lines(prefix).stream().map(codec::fromJson).toList();
  }

  /** Every line of every file the sink wrote under {@code prefix}. */
  static List<String> lines(Path prefix) {
    List<String> lines = new ArrayList<>();
    Path dir = prefix.getParent();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, prefix.getFileName() + "-*.jsonl")) {
      for (Path file : files) {
        lines.addAll(nonBlankLines(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  /**
   * The files the sink wrote under {@code prefix}, each with its number of lines, sorted by name:
   * what a failed comparison needs to tell a missing pane from a missing record.
   */
  static String files(Path prefix) {
    Path dir = prefix.getParent();
    if (!Files.isDirectory(dir)) {
      return "none (no directory " + dir + ")";
    }
    List<String> files = new ArrayList<>();
    try (DirectoryStream<Path> found =
        Files.newDirectoryStream(dir, prefix.getFileName() + "-*.jsonl")) {
      for (Path file : found) {
        files.add(file.getFileName() + " (" + nonBlankLines(file).size() + " lines)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return files.isEmpty() ? "none" : String.join(", ", files);
  }

  private static List<String> nonBlankLines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .toList();
  }

  /** The lines of a test-data file. */
  static List<String> expected(String name) {
    try {
      return Files.readAllLines(testData("card-fraud/" + name), StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
