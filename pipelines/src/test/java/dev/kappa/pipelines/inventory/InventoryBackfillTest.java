package dev.kappa.pipelines.inventory;

import static dev.kappa.pipelines.inventory.InventoryFiles.deadLetters;
import static dev.kappa.pipelines.inventory.InventoryFiles.expected;
import static dev.kappa.pipelines.inventory.InventoryFiles.expectedDeadLetters;
import static dev.kappa.pipelines.inventory.InventoryFiles.testData;
import static dev.kappa.pipelines.inventory.InventoryFiles.written;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory job's bounded run over {@code test-data/inventory} on the Direct runner equals the
 * independent Python reference ({@code reference.py}) exactly, output by output.
 */
class InventoryBackfillTest {

  @Test
  void aBoundedRunEqualsTheReference(@TempDir Path dir) {
    InventoryFiles.Outputs out =
        InventoryFiles.run(
            dir,
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=" + testData("orders.jsonl"),
            "--inventoryChanges=" + testData("inventory.changelog.jsonl"));

    assertThat(written(out.levels()), equalTo(expected("expected-levels.jsonl")));
    assertThat(written(out.alerts()), equalTo(expected("expected-alerts.jsonl")));
    assertThat(written(out.history()), equalTo(expected("expected-history.jsonl")));
    assertThat(written(out.tooLate()), empty());
    assertThat(deadLetters(out.deadLetters()), equalTo(expectedDeadLetters()));
    // The reference's cases are all there: a bug that lost a whole product would show above, but
    // an empty reference would make the test pass vacuously.
    assertThat(expected("expected-alerts.jsonl"), hasSize(55));
  }
}
