package dev.kappa.pipelines.report;

import static dev.kappa.pipelines.report.ReportRecords.T0;
import static dev.kappa.pipelines.report.ReportRecords.WINDOW;
import static dev.kappa.pipelines.report.ReportRecords.deadLetter;
import static dev.kappa.pipelines.report.ReportRecords.pane;
import static dev.kappa.pipelines.report.ReportRecords.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.report.RevenueReport.Missed;
import dev.kappa.pipelines.report.RevenueReport.Rejection;
import dev.kappa.pipelines.report.RevenueReport.WindowResult;
import dev.kappa.schemas.results.CategoryRevenue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RevenueReportTest {

  private static Instant window(int n) {
    return T0.plus(WINDOW.multipliedBy(n));
  }

  @Test
  void aClosedWindowShowsItsFinalPaneWhateverTheOrderPanesArriveIn() {
    List<CategoryRevenue> panes =
        new ArrayList<>(
            List.of(
                pane("audio", "USD", 0, 1, 1000, "EARLY", 0, false),
                pane("audio", "USD", 0, 3, 3500, "ON_TIME", 1, false),
                pane("audio", "USD", 0, 4, 4200, "LATE", 2, true)));
    for (long seed = 0; seed < 6; seed++) {
      Collections.shuffle(panes, new Random(seed));
      WindowResult result =
          RevenueReport.of(panes, List.of(), List.of())
              .window("audio", "USD", window(0), null)
              .get();
      assertThat(result.revenueCents(), is(4200L));
      assertThat(result.orders(), is(4L));
      assertThat(result.paneTiming(), is("LATE"));
      assertThat(result.finalPane(), is(true));
      assertThat(result.panesSeen(), is(3));
    }
  }

  @Test
  void anOpenWindowShowsItsNewestPane() {
    RevenueReport report =
        RevenueReport.of(
            List.of(
                pane("audio", "USD", 0, 3, 3500, "ON_TIME", 1, false),
                pane("audio", "USD", 0, 1, 1000, "EARLY", 0, false)),
            List.of(),
            List.of());
    WindowResult result = report.window("audio", "USD", window(0), null).get();
    assertThat(result.paneIndex(), is(1L));
    assertThat(result.revenueCents(), is(3500L));
    assertThat(report.closedWindows(), is(0L));
  }

  @Test
  void panesAreCountedByTiming() {
    RevenueReport report =
        RevenueReport.of(
            List.of(
                pane("audio", "USD", 0, 1, 1000, "EARLY", 0, false),
                pane("audio", "USD", 0, 3, 3500, "ON_TIME", 1, false),
                pane("books", "USD", 0, 1, 900, "ON_TIME", 0, true),
                pane("audio", "USD", 0, 4, 4200, "LATE", 2, true)),
            List.of(),
            List.of());
    assertThat(report.panesByTiming(), is(Map.of("EARLY", 1L, "ON_TIME", 2L, "LATE", 1L)));
  }

  @Test
  void revenueSeriesHaveOneValuePerWindowAndNullWhereACategoryHadNoResult() {
    RevenueReport report =
        RevenueReport.of(
            List.of(
                pane("audio", "USD", 0, 1, 1000, "ON_TIME", 0, true),
                pane("books", "USD", 1, 2, 2500, "ON_TIME", 0, true),
                pane("audio", "USD", 2, 1, 700, "ON_TIME", 0, true),
                pane("audio", "EUR", 1, 1, 333, "ON_TIME", 0, true)),
            List.of(),
            List.of());
    assertThat(report.windowStarts(), contains(window(0), window(1), window(2)));
    assertThat(report.currencies(), contains("EUR", "USD"));
    assertThat(report.revenueSeries("USD").get("audio"), is(Arrays.asList(1000L, null, 700L)));
    assertThat(report.revenueSeries("USD").get("books"), is(Arrays.asList(null, 2500L, null)));
    assertThat(report.revenueSeries("EUR").keySet(), contains("audio"));
    assertThat(report.revenueSeries("EUR").get("audio"), is(Arrays.asList(null, 333L, null)));
    assertThat(report.revenueByCurrency(), is(Map.of("USD", 4200L, "EUR", 333L)));
    assertThat(report.orders(), is(5L));
  }

  @Test
  void theUpsertedTableAndThePanesGiveTheSameWindows() {
    List<CategoryRevenue> panes =
        List.of(
            pane("audio", "USD", 0, 1, 1000, "EARLY", 0, false),
            pane("audio", "USD", 0, 2, 2000, "ON_TIME", 1, true),
            pane("books", "USD", 1, 1, 500, "EARLY", 0, false));
    List<CategoryRevenue> tableRows =
        List.of(
            pane("audio", "USD", 0, 2, 2000, "ON_TIME", 1, true),
            pane("books", "USD", 1, 1, 500, "EARLY", 0, false));
    RevenueReport fromPanes = RevenueReport.of(panes, List.of(), List.of());
    RevenueReport fromTable = RevenueReport.of(tableRows, List.of(), List.of());
    assertThat(
        fromPanes.windows().stream()
            .map(w -> List.of(w.key(), w.orders(), w.revenueCents()))
            .toList(),
        is(
            fromTable.windows().stream()
                .map(w -> List.of(w.key(), w.orders(), w.revenueCents()))
                .toList()));
  }

  @Test
  void tooLateOrdersAreSummedPerMissedWindowAndCurrency() {
    RevenueReport report =
        RevenueReport.of(
            List.of(),
            List.of(
                tooLate("O-1", "USD", 3, 2, 1250),
                tooLate("O-2", "USD", 3, 1, 999),
                tooLate("O-3", "EUR", 3, 3, 100),
                tooLate("O-4", "USD", 1, 1_000_000, 3_000_000)),
            List.of());
    assertThat(report.tooLateCount(), is(4L));
    assertThat(report.tooLateByWindow().keySet(), contains(window(1), window(3)));
    assertThat(report.tooLateByWindow().get(window(3)).get("USD"), is(new Missed(2, 3499)));
    assertThat(report.tooLateByWindow().get(window(3)).get("EUR"), is(new Missed(1, 300)));
    // quantity x price beyond an int: summed as a long.
    assertThat(
        report.tooLateByWindow().get(window(1)).get("USD"), is(new Missed(1, 3_000_000_000_000L)));
  }

  @Test
  void deadLettersAreCountedByStepAndErrorMostFrequentFirst() {
    RevenueReport report =
        RevenueReport.of(
            List.of(),
            List.of(),
            List.of(
                deadLetter("DecodeOrders", "JsonParseException", "Unexpected end", 3),
                deadLetter("ValidateOrders", "InvalidEventException", "quantity -1", 7),
                deadLetter("DecodeOrders", "JsonParseException", "Unrecognized token", 9),
                deadLetter("DecodeOrders", "AvroTypeException", "Expected long", 11)));
    assertThat(report.deadLetterCount(), is(4L));
    assertThat(
        report.rejections(),
        contains(
            new Rejection("DecodeOrders", "JsonParseException", 2, "Unexpected end"),
            new Rejection("DecodeOrders", "AvroTypeException", 1, "Expected long"),
            new Rejection("ValidateOrders", "InvalidEventException", 1, "quantity -1")));
  }
}
