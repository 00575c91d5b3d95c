package dev.kappa.pipelines.reconcile;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.reconcile.Comparison.Group;
import dev.kappa.pipelines.reconcile.Comparison.Side;
import dev.kappa.pipelines.reconcile.Comparison.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

  private static final Instant T10 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T15 = Instant.parse("2026-03-01T10:05:00Z");
  private static final Instant T20 = Instant.parse("2026-03-01T10:10:00Z");
  private static final List<String> MEASURES = List.of("orders", "cents");

  /** Keys are (category, currency); groups are the currency, as OrderRevenue's. */
  private static final Function<Row, List<String>> BY_CURRENCY = row -> List.of(row.key().get(1));

  private static Row row(Instant start, String category, long pane, long orders, long cents) {
    return new Row(
        start,
        start.plusSeconds(300),
        List.of(category, "USD"),
        pane,
        Map.of("orders", orders, "cents", cents));
  }

  private static TooLate late(Instant start, long cents) {
    return new TooLate(
        start,
        start.plusSeconds(300),
        List.of("USD"),
        Map.of("orders", 1L, "cents", cents),
        "order of " + cents);
  }

  private static Comparison compare(List<Row> left, List<Row> right, List<TooLate> tooLate) {
    return Reconciler.compare(left, right, tooLate, MEASURES, BY_CURRENCY, null, null);
  }

  @Test
  void sameAnswersAreEqualWhateverTheEarlierPanes() {
    // Files hold every pane, a table only the last: each side's answer is its highest pane.
    Comparison comparison =
        compare(
            List.of(row(T10, "audio", 0, 1, 100), row(T10, "audio", 1, 2, 300)),
            List.of(row(T10, "audio", 3, 2, 300)),
            List.of());

    assertThat(comparison.keys(), is(1));
    assertThat(comparison.equal(), is(1));
    assertThat(comparison.groups(), is(empty()));
    assertThat(comparison.allExplained(), is(true));
  }

  @Test
  void tooLateRecordsTheLeftDivertedExplainTheRightsSurplus() {
    // The stream (left) diverted two orders of 10:05 USD; the backfill (right) counted them, one
    // in a category the stream has no row for at all.
    Comparison comparison =
        compare(
            List.of(row(T10, "audio", 0, 1, 100), row(T15, "audio", 2, 1, 500)),
            List.of(
                row(T10, "audio", 0, 1, 100),
                row(T15, "audio", 0, 2, 700),
                row(T15, "books", 0, 1, 40)),
            List.of(late(T15, 200), late(T15, 40)));

    assertThat(comparison.keys(), is(3));
    assertThat(comparison.equal(), is(1));
    Group group = comparison.groups().get(0);
    assertThat(comparison.groups().size(), is(1));
    assertThat(group.windowStart(), is(T15));
    assertThat(group.verdict(), is(Verdict.EXPLAINED));
    assertThat(group.countedBy(), is(Side.RIGHT));
    assertThat(group.rightMinusLeft(), is(Map.of("orders", 2L, "cents", 240L)));
    assertThat(group.keys().get(1).left(), is(nullValue()));
    assertThat(comparison.keysWith(Verdict.EXPLAINED), is(2));
    assertThat(comparison.allExplained(), is(true));
  }

  @Test
  void theLeftCanBeTheSideThatCounted() {
    Comparison comparison =
        compare(
            List.of(row(T10, "audio", 0, 2, 700)),
            List.of(row(T10, "audio", 0, 1, 500)),
            List.of(late(T10, 200)));

    assertThat(comparison.groups().get(0).verdict(), is(Verdict.EXPLAINED));
    assertThat(comparison.groups().get(0).countedBy(), is(Side.LEFT));
  }

  @Test
  void aDifferenceTheTooLateRecordsDoNotAddUpToIsUnexplained() {
    Comparison comparison =
        compare(
            List.of(row(T10, "audio", 0, 1, 100), row(T15, "audio", 0, 1, 100)),
            List.of(row(T10, "audio", 0, 2, 350), row(T15, "audio", 0, 1, 101)),
            List.of(late(T10, 200)));

    assertThat(
        comparison.groups().stream().map(Group::verdict).toList(),
        contains(Verdict.UNEXPLAINED, Verdict.UNEXPLAINED));
    assertThat(comparison.groups().get(0).tooLate().size(), is(1));
    assertThat(comparison.groups().get(1).tooLate(), is(empty()));
    assertThat(comparison.keysWith(Verdict.UNEXPLAINED), is(2));
    assertThat(comparison.allExplained(), is(false));
  }

  @Test
  void aCategoryMovedWithinAGroupIsUnexplainedThoughTheGroupSumsAgree() {
    // Same totals per window and currency, different categories: no too-late record explains it.
    Comparison comparison =
        compare(
            List.of(row(T10, "audio", 0, 1, 100)),
            List.of(row(T10, "books", 0, 1, 100)),
            List.of());

    assertThat(comparison.groups().get(0).verdict(), is(Verdict.UNEXPLAINED));
    assertThat(comparison.groups().get(0).rightMinusLeft(), is(Map.of("orders", 0L, "cents", 0L)));
  }

  @Test
  void onlyWindowsInsideTheRangeAreCompared() {
    Comparison comparison =
        Reconciler.compare(
            List.of(row(T10, "audio", 0, 1, 100), row(T20, "audio", 0, 1, 100)),
            List.of(row(T10, "audio", 0, 9, 900), row(T20, "audio", 0, 1, 100)),
            List.of(late(T10, 800)),
            MEASURES,
            BY_CURRENCY,
            T15,
            T20.plusSeconds(300));

    assertThat(comparison.keys(), is(1));
    assertThat(comparison.equal(), is(1));
    assertThat(comparison.unmatchedTooLate(), is(empty()));
  }

  @Test
  void tooLateRecordsWhereBothSidesAgreeAreListedApart() {
    Comparison comparison =
        compare(
            List.of(row(T10, "audio", 0, 1, 100)),
            List.of(row(T10, "audio", 0, 1, 100)),
            List.of(late(T10, 5)));

    assertThat(comparison.groups(), is(empty()));
    assertThat(comparison.unmatchedTooLate().size(), is(1));
  }

  @Test
  void twoRowsOfOnePaneGiveTheSameAnswerInEitherReadOrder() {
    Row small = row(T10, "audio", 1, 1, 100);
    Row large = row(T10, "audio", 1, 2, 300);
    List<Row> other = List.of(row(T10, "audio", 0, 2, 300));

    assertThat(compare(List.of(small, large), other, List.of()).equal(), is(1));
    assertThat(compare(List.of(large, small), other, List.of()).equal(), is(1));
  }
}
