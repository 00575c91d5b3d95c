package dev.kappa.pipelines.report;

import static dev.kappa.pipelines.report.ReportRecords.T0;
import static dev.kappa.pipelines.report.ReportRecords.WINDOW;
import static dev.kappa.pipelines.report.ReportRecords.deadLetter;
import static dev.kappa.pipelines.report.ReportRecords.pane;
import static dev.kappa.pipelines.report.ReportRecords.revenue;
import static dev.kappa.pipelines.report.ReportRecords.tooLate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.Output;
import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.report.ReportContent.DrawnChart;
import dev.kappa.pipelines.report.ReportContent.Rejection;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.VisitorSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's content, with OrderRevenue's report and a report of results in buckets. */
class ReportContentTest {

  private static Instant window(int n) {
    return T0.plus(WINDOW.multipliedBy(n));
  }

  private static DrawnChart chart(ReportContent report, String id) {
    return report.charts().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
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
      ReportContent report = revenue(panes, List.of(), List.of());
      assertThat(report.results().size(), is(1));
      Row result = report.results().get(0);
      assertThat(result.measures().get("revenue_cents"), is(4200L));
      assertThat(result.measures().get("order_count"), is(4L));
      assertThat(result.pane(), is(2L));
      assertThat(report.rowsRead(), is(3L));
    }
  }

  @Test
  void chartsHaveOneValuePerWindowAndNullWhereASeriesHadNoResult() {
    ReportContent report =
        revenue(
            List.of(
                pane("audio", "USD", 0, 1, 1000, "ON_TIME", 0, true),
                pane("books", "USD", 1, 2, 2500, "ON_TIME", 0, true),
                pane("audio", "USD", 2, 1, 700, "ON_TIME", 0, true),
                pane("audio", "EUR", 1, 1, 333, "ON_TIME", 0, true)),
            List.of(),
            List.of());
    assertThat(report.windowStarts(), contains(window(0), window(1), window(2)));
    assertThat(
        report.charts().stream().map(DrawnChart::id).toList(),
        contains("revenue-per-window-eur", "revenue-per-window-usd", "orders-per-window"));
    DrawnChart usd = chart(report, "revenue-per-window-usd");
    assertThat(usd.series().get("audio"), is(Arrays.asList(1000L, null, 700L)));
    assertThat(usd.series().get("books"), is(Arrays.asList(null, 2500L, null)));
    assertThat(usd.total(), is(4200L));
    DrawnChart eur = chart(report, "revenue-per-window-eur");
    assertThat(eur.series().keySet(), contains("audio"));
    assertThat(eur.series().get("audio"), is(Arrays.asList(null, 333L, null)));
    DrawnChart orders = chart(report, "orders-per-window");
    assertThat(orders.series().get("USD"), is(Arrays.asList(1L, 2L, 1L)));
    assertThat(orders.total(), is(5L));
  }

  @Test
  void theUpsertedTableAndThePanesGiveTheSameResults() {
    List<CategoryRevenue> panes =
        List.of(
            pane("audio", "USD", 0, 1, 1000, "EARLY", 0, false),
            pane("audio", "USD", 0, 2, 2000, "ON_TIME", 1, true),
            pane("books", "USD", 1, 1, 500, "EARLY", 0, false));
    List<CategoryRevenue> tableRows =
        List.of(
            pane("audio", "USD", 0, 2, 2000, "ON_TIME", 1, true),
            pane("books", "USD", 1, 1, 500, "EARLY", 0, false));
    assertThat(
        revenue(panes, List.of(), List.of()).results(),
        is(revenue(tableRows, List.of(), List.of()).results()));
  }

  @Test
  void tooLateOrdersAreSummedPerMissedWindowAndCurrency() {
    ReportContent report =
        revenue(
            List.of(),
            List.of(
                tooLate("O-1", "USD", 3, 2, 1250),
                tooLate("O-2", "USD", 3, 1, 999),
                tooLate("O-3", "EUR", 3, 3, 100),
                tooLate("O-4", "USD", 1, 1_000_000, 3_000_000)),
            List.of());
    assertThat(report.tooLateCount(), is(4L));
    assertThat(report.tooLateByWindow().keySet(), contains(window(1), window(3)));
    ReportContent.Missed usd = report.tooLateByWindow().get(window(3)).get("USD");
    assertThat(usd.records(), is(2L));
    assertThat(
        usd.measures(), is(new TreeMap<>(Map.of("order_count", 2L, "revenue_cents", 3499L))));
    assertThat(
        report.tooLateByWindow().get(window(3)).get("EUR").measures().get("revenue_cents"),
        is(300L));
    // quantity x price beyond an int: summed as a long.
    assertThat(
        report.tooLateByWindow().get(window(1)).get("USD").measures().get("revenue_cents"),
        is(3_000_000_000_000L));
  }

  @Test
  void deadLettersAreCountedByStepAndErrorMostFrequentFirstAndPerMinute() {
    ReportContent report =
        revenue(
            List.of(),
            List.of(),
            List.of(
                deadLetter("DecodeOrders", "JsonParseException", "Unexpected end", 3),
                deadLetter("ValidateOrders", "InvalidEventException", "quantity -1", 7),
                deadLetter("DecodeOrders", "JsonParseException", "Unrecognized token", 9),
                deadLetter("DecodeOrders", "a.b.AvroTypeException", "Expected long", 11)));
    assertThat(report.deadLetterCount(), is(4L));
    assertThat(
        report.rejections(),
        contains(
            new Rejection("DecodeOrders", "JsonParseException", 2, "Unexpected end"),
            new Rejection("DecodeOrders", "a.b.AvroTypeException", 1, "Expected long"),
            new Rejection("ValidateOrders", "InvalidEventException", 1, "quantity -1")));
    assertThat(
        report.deadLettersPerMinute(),
        is(
            new TreeMap<>(
                Map.of(
                    T0,
                    new TreeMap<>(
                        Map.of(
                            "DecodeOrders JsonParseException", 2L,
                            "DecodeOrders AvroTypeException", 1L,
                            "ValidateOrders InvalidEventException", 1L))))));
  }

  @Test
  void resultsAtTheirTimeAreBucketedAndARowWithoutMeasuresRetractsItsResult() {
    JobReport<Object> spec =
        JobReport.<Object, VisitorSession>of(
                Output.of("WriteSessions", VisitorSession.class, "session"), session -> null)
            .bucketedBy(Duration.ofMinutes(10))
            .chart(
                JobReport.Chart.measures(
                    "Sessions",
                    "",
                    "sessions",
                    1,
                    List.of(new JobReport.Measure("sessions", "sessions", 1))));
    Instant t = Instant.parse("2026-03-01T10:03:00Z");
    List<Row> rows =
        List.of(
            new Row(t, t, List.of("a"), 1, Map.of("sessions", 1L)),
            new Row(t, t, List.of("a"), 2, Map.of("sessions", 1L)),
            new Row(t.plusSeconds(300), t, List.of("b"), 1, Map.of("sessions", 1L)),
            new Row(t.plusSeconds(900), t, List.of("c"), 1, Map.of("sessions", 1L)),
            new Row(t.plusSeconds(1000), t, List.of("d"), 1, Map.of("sessions", 1L)),
            new Row(t.plusSeconds(1000), t, List.of("d"), Long.MAX_VALUE, Map.of()));
    ReportContent report = ReportContent.of(spec, rows, List.of(), List.of());
    assertThat(report.results().size(), is(3));
    assertThat(
        report.windowStarts(),
        contains(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:10:00Z")));
    assertThat(chart(report, "sessions").series().get("sessions"), is(List.of(2L, 1L)));
  }
}
