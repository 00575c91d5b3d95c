package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.kappa.testing.process.ChildProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded run of the test orders as a user types it, {@code scripts/kappa run order-revenue
 * @runners-config/flink-embedded.args --source=FILES ...}: its output is the job's results and the
 * launcher's lines, with no framework warning (Flink's operator-name warnings, Beam's file-sink
 * warnings, the batch scheduler's note that a bounded job does not checkpoint: the launcher's
 * logging configuration quiets them on purpose), no stack trace, and the DONE line last.
 */
class QuietOutputIT {
  private static final Path TEST_DATA = Path.of(System.getProperty("kappa.testData"));

  /** Far above a loaded machine's bounded run (about 75 s); a hang is forever. */
  private static final Duration EXIT_BOUND = Duration.ofMinutes(6);

  @TempDir Path dir;

  @Test
  void boundedRunPrintsResultsAndDoneWithoutWarnings() throws Exception {
    Path log = dir.resolve("run.log");
    ProcessBuilder builder =
        ScriptsKappa.command(
            log,
            List.of(
                "run",
                "order-revenue",
                "@runners-config/flink-embedded.args",
                "--source=FILES",
                "--input=" + TEST_DATA.resolve("orders/orders.jsonl"),
                "--productChanges=" + TEST_DATA.resolve("enrichment/products.changelog.jsonl"),
                "--customerChanges=" + TEST_DATA.resolve("enrichment/customers.changelog.jsonl")));
    long start = System.nanoTime();
    Process process = builder.start();
    boolean exited = ChildProcesses.awaitExit(process.toHandle(), EXIT_BOUND);
    if (!exited) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    List<String> lines = output.lines().toList();
    System.out.printf(
        "QuietOutputIT: scripts/kappa run (FILES, embedded Flink) exited %s after %.1f s, %d"
            + " lines%n",
        exited ? "with " + process.exitValue() : "NOT",
        (System.nanoTime() - start) / 1e9,
        lines.size());

    assertThat(output, exited, is(true));
    assertThat(output, process.exitValue(), is(0));
    assertThat(
        "framework warnings and errors",
        lines.stream()
            .filter(line -> line.matches("\\S+ (WARN|ERROR) .*") || line.startsWith("\tat "))
            .toList(),
        is(empty()));
    assertThat(lines.get(lines.size() - 1), equalTo("kappa run order-revenue: DONE"));
    // The results themselves, on the console by default.
    assertThat(
        lines.stream().map(line -> line.substring(0, Math.min(9, line.length()))).toList(),
        hasItem("[result] "));
  }
}
