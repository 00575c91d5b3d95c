package dev.kappa.pipelines.inventory;

import static dev.kappa.pipelines.inventory.InventoryFiles.deadLetters;
import static dev.kappa.pipelines.inventory.InventoryFiles.expected;
import static dev.kappa.pipelines.inventory.InventoryFiles.testData;
import static dev.kappa.pipelines.inventory.InventoryFiles.written;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.pipelines.EmbeddedFlinkArgs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory job on the embedded Flink runner (parallelism 2): a streaming replay of the test
 * orders, out of order within each minute, equals the bounded run output by output, and both equal
 * the Python reference. Levels and alerts are compared exactly; the per-minute history by each
 * minute's last pane (panes accumulate, so the last is the one that counted the most events).
 */
class InventoryFlinkIT {

  private static String[] flink(String... args) {
    List<String> all =
        EmbeddedFlinkArgs.with(
            "--input=" + testData("orders.jsonl"),
            "--inventoryChanges=" + testData("inventory.changelog.jsonl"));
    all.addAll(List.of(args));
    return all.toArray(new String[0]);
  }

  @Test
  void streamingReplayEqualsTheBoundedRunPerOutput(@TempDir Path dir) {
    InventoryFiles.Outputs bounded =
        InventoryFiles.run(dir.resolve("bounded"), flink("--source=FILES"));
    InventoryFiles.Outputs stream =
        InventoryFiles.run(
            dir.resolve("stream"),
            flink(
                "--source=REPLAY",
                "--replaySpeedUp=60",
                "--maxOutOfOrderness=PT1M",
                "--orderingLateness=PT30S"));

    assertThat(written(stream.tooLate()), empty());
    assertThat(written(stream.levels()), equalTo(written(bounded.levels())));
    assertThat(written(stream.alerts()), equalTo(written(bounded.alerts())));
    assertThat(lastPanes(written(stream.history())), equalTo(written(bounded.history())));
    assertThat(deadLetters(stream.deadLetters()), equalTo(deadLetters(bounded.deadLetters())));
    // And the bounded run on Flink is the reference's answer.
    assertThat(written(bounded.levels()), equalTo(expected("expected-levels.jsonl")));
    assertThat(written(bounded.alerts()), equalTo(expected("expected-alerts.jsonl")));
    assertThat(written(bounded.history()), equalTo(expected("expected-history.jsonl")));
  }

  /**
   * Per product and minute, the pane that counted the most events (canonical rows, as {@link
   * InventoryFiles#canonical} writes them), sorted.
   */
  private static List<String> lastPanes(List<String> rows) {
    Map<String, String> last = new LinkedHashMap<>();
    Map<String, Long> counted = new LinkedHashMap<>();
    for (String row : rows) {
      String key = field(row, "product_id") + "|" + field(row, "minute_start");
      long events = Long.parseLong(field(row, "orders")) + Long.parseLong(field(row, "changes"));
      if (!counted.containsKey(key) || events > counted.get(key)) {
        counted.put(key, events);
        last.put(key, row);
      }
    }
    return new ArrayList<>(last.values()).stream().sorted().toList();
  }

  private static String field(String canonicalRow, String name) {
    String body = canonicalRow.substring(1, canonicalRow.length() - 1);
    for (String pair : body.split(", ")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException(name + " not in " + canonicalRow);
  }
}
