package dev.kappa.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison the race's equality check rests on: it must see every kind of difference. */
class RaceResultTest {
  private static final long W0 = 1_772_323_200_000L; // 2026-03-01T00:00:00Z
  private static final long W1 = W0 + 300_000;

  private static RaceResult truth() {
    Map<String, long[]> totals = new HashMap<>();
    totals.put(RaceResult.key(W0, "books", "EUR"), new long[] {2, 1500});
    totals.put(RaceResult.key(W1, "unknown", "USD"), new long[] {1, 99});
    return RaceResult.of(totals, 3, 1);
  }

  @Test
  void theSameWorkHasNoDifferences(@TempDir Path dir) throws Exception {
    truth().write(dir);
    assertThat(truth().differences(RaceResult.read(dir)), is(empty()));
    assertThat(RaceResult.read(dir), equalTo(truth()));
  }

  @Test
  void aDifferentRowIsNamed() {
    Map<String, long[]> totals = new HashMap<>();
    totals.put(RaceResult.key(W0, "books", "EUR"), new long[] {2, 1501});
    totals.put(RaceResult.key(W1, "unknown", "USD"), new long[] {1, 99});
    assertThat(
        truth().differences(RaceResult.of(totals, 3, 1)),
        contains(
            "row 2026-03-01T00:00:00Z books EUR: 2 1501, expected 2 1500",
            "1 of 2 rows differ (2 rows, 2 expected)"));
  }

  @Test
  void aMissingRowAndItsOrdersAreNamed() {
    Map<String, long[]> totals = new HashMap<>();
    totals.put(RaceResult.key(W0, "books", "EUR"), new long[] {2, 1500});
    assertThat(
        truth().differences(RaceResult.of(totals, 2, 1)),
        contains(
            "valid orders counted: 2, expected 3",
            "row 2026-03-01T00:05:00Z unknown USD: null, expected 1 99",
            "1 of 2 rows differ (1 rows, 2 expected)"));
  }

  @Test
  void countsOnlyResultsAreComparedOnTheirCounts() {
    assertThat(truth().differences(RaceResult.countsOnly(3, 1)), is(empty()));
    assertThat(
        truth().differences(RaceResult.countsOnly(2, 2)),
        contains("dead letters: 2, expected 1", "valid orders counted: 2, expected 3"));
  }

  @Test
  void rowsCountTheirOrders() {
    assertThat(
        truth().differences(RaceResult.of(new HashMap<>(), 0, 1)),
        hasItem("valid orders counted: 0, expected 3"));
  }
}
