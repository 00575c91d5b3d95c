package dev.kappa.pipelines.report;

import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Small records of OrderRevenue's outputs for the report's tests, and its report. */
final class ReportRecords {
  private ReportRecords() {}

  /** OrderRevenue's report, as {@code kappa report order-revenue} draws it. */
  static final JobReport<OrderRevenue.Options> REVENUE = new OrderRevenue().report().orElseThrow();

  /** Results panes as OrderRevenue's report reads them. */
  static List<Row> rows(List<CategoryRevenue> panes) {
    @SuppressWarnings("unchecked") // OrderRevenue's first results are its CategoryRevenue output
    JobReport.Results<OrderRevenue.Options, CategoryRevenue> results =
        (JobReport.Results<OrderRevenue.Options, CategoryRevenue>) REVENUE.results().get(0);
    return panes.stream().map(results::row).toList();
  }

  /** Too-late orders as OrderRevenue's report reads them. */
  static List<TooLate> tooLates(List<TooLateOrder> orders) {
    @SuppressWarnings("unchecked") // OrderRevenue's too-late output holds TooLateOrders
    JobReport.TooLates<OrderRevenue.Options, TooLateOrder> tooLate =
        (JobReport.TooLates<OrderRevenue.Options, TooLateOrder>) REVENUE.tooLate();
    return orders.stream().map(tooLate::tooLate).toList();
  }

  /** OrderRevenue's report of these records. */
  static ReportContent revenue(
      List<CategoryRevenue> panes, List<TooLateOrder> tooLate, List<DeadLetter> deadLetters) {
    return ReportContent.of(REVENUE, rows(panes), tooLates(tooLate), deadLetters);
  }

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final Duration WINDOW = Duration.ofMinutes(5);

  /** A pane of the window starting {@code windows} windows after {@link #T0}. */
  static CategoryRevenue pane(
      String category,
      String currency,
      int windows,
      long orders,
      long cents,
      String timing,
      long index,
      boolean last) {
    Instant start = T0.plus(WINDOW.multipliedBy(windows));
    return CategoryRevenue.newBuilder()
        .setCategory(category)
        .setCurrency(currency)
        .setWindowStart(start)
        .setWindowEnd(start.plus(WINDOW))
        .setOrderCount(orders)
        .setRevenueCents(cents)
        .setPaneTiming(timing)
        .setPaneIndex(index)
        .setFinalPane(last)
        .build();
  }

  /**
   * A too-late order of {@code quantity} x {@code unitCents} that missed window {@code windows}.
   */
  static TooLateOrder tooLate(
      String id, String currency, int windows, int quantity, long unitCents) {
    Instant start = T0.plus(WINDOW.multipliedBy(windows));
    return TooLateOrder.newBuilder()
        .setOrder(
            OrderEvent.newBuilder()
                .setOrderId(id)
                .setCustomerId("C-01")
                .setProductId("P-101")
                .setQuantity(quantity)
                .setUnitPriceCents(unitCents)
                .setCurrency(currency)
                .setEventTime(start.plusSeconds(10))
                .build())
        .setMissedWindow(
            MissedWindow.newBuilder()
                .setWindowStart(start)
                .setWindowEnd(start.plus(WINDOW))
                .setEventTime(start.plusSeconds(10))
                .setWatermark(start.plus(Duration.ofHours(2)))
                .setAllowedLatenessMillis(Duration.ofHours(1).toMillis())
                .setLateByMillis(Duration.ofMinutes(55).toMillis())
                .build())
        .build();
  }

  static DeadLetter deadLetter(String step, String errorClass, String message, long line) {
    return DeadLetter.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("file")
                .setName("orders.jsonl")
                .setOffset(line)
                .build())
        .setPayload(ByteBuffer.wrap("{not json".getBytes(StandardCharsets.UTF_8)))
        .setStep(step)
        .setErrorClass(errorClass)
        .setErrorMessage(message)
        .setStackTrace(errorClass + ": " + message)
        .setFailedAt(T0)
        .build();
  }
}
