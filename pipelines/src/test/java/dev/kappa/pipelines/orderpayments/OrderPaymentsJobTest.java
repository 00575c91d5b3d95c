package dev.kappa.pipelines.orderpayments;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.TestIo;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.OrphanPayment;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.TooLatePayment;
import dev.kappa.schemas.results.UnpaidOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole order-payments job, built by the job layer with its source replaced by a TestStream of
 * order and payment records and every output captured: one method per lateness case, each asserting
 * paid orders, UNPAID alerts, orphans, too-late events, status rows and dead letters. The interval
 * is the default {@code [order - 1 min, order + 15 min]}, the allowed lateness the default 5
 * minutes. Results emitted when the watermark passes a deadline carry the time the join's timer
 * fired (deadline + 1 ms), shown after {@code @}.
 */
@ExtendWith(TestPipelineExtension.class)
class OrderPaymentsJobTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final AtomicLong OFFSET = new AtomicLong();

  private static Instant at(int minutes, int seconds) {
    return T0.plus(Duration.standardMinutes(minutes)).plus(Duration.standardSeconds(seconds));
  }

  private static TimestampedValue<SourceRecord> record(String json, Instant time) {
    return TimestampedValue.of(
        SourceRecord.newBuilder()
            .setPosition(
                SourcePosition.newBuilder()
                    .setSystem("test")
                    .setName("events")
                    .setOffset(OFFSET.incrementAndGet())
                    .build())
            .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
            .build(),
        time);
  }

  /** An order of {@code quantity} units at 25.00 USD. */
  private static TimestampedValue<SourceRecord> order(String id, int quantity, Instant time) {
    return record(
        String.format(
            "{\"order_id\":\"%s\",\"customer_id\":\"C-1\",\"product_id\":\"P-1\",\"quantity\":%d,"
                + "\"unit_price_cents\":2500,\"currency\":\"USD\",\"event_time\":\"%s\"}",
            id, quantity, time),
        time);
  }

  private static TimestampedValue<SourceRecord> payment(
      String id, String orderId, long cents, String status, Instant time) {
    return record(
        String.format(
            "{\"payment_id\":\"%s\",\"order_id\":\"%s\",\"customer_id\":\"C-1\","
                + "\"amount_cents\":%d,\"currency\":\"USD\",\"method\":\"card\","
                + "\"status\":\"%s\",\"event_time\":\"%s\"}",
            id, orderId, cents, status, time),
        time);
  }

  private static TestStream.Builder<SourceRecord> script() {
    return TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
        .advanceWatermarkTo(at(-60, 0));
  }

  /** Builds the job over {@code script} and returns its captured outputs. */
  private static TestIo run(TestPipeline p, TestStream<SourceRecord> script) {
    OrderPayments.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=REPLAY",
                "--input=never-read.jsonl",
                "--resultsTable=order_statuses",
                "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/never-contacted")
            .as(OrderPayments.Options.class);
    TestIo io = TestIo.reading(script).route("ReadOrdersAndPayments", "events");
    JobRunner.build(new OrderPayments(), p, options, io);
    return io;
  }

  // ---- What each output is shown as: every field that the case decides, and the time.

  private static String clock(Instant time) {
    String text = time.toString();
    return text.substring(11, time.getMillis() % 1000 == 0 ? 19 : 23);
  }

  private static String clock(java.time.Instant time) {
    return clock(new Instant(time.toEpochMilli()));
  }

  private static String payments(List<Payment> payments) {
    List<String> shown = new ArrayList<>();
    for (Payment payment : payments) {
      shown.add(
          payment.getPaymentId() + " " + payment.getStatus() + " " + payment.getAmountCents());
    }
    return shown.toString();
  }

  /** Each element as {@code describe(element) @ its timestamp}. */
  static final class DescribeFn<T> extends DoFn<T, String> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<T, String> describe;

    DescribeFn(SerializableFunction<T, String> describe) {
      this.describe = describe;
    }

    @ProcessElement
    public void process(@Element T value, @Timestamp Instant time, OutputReceiver<String> out) {
      out.output(describe.apply(value) + " @ " + clock(time));
    }
  }

  /** Every output of the job, each described as a line. */
  private static final class Shown {
    final PCollection<String> paid;
    final PCollection<String> unpaid;
    final PCollection<String> orphans;
    final PCollection<String> tooLate;
    final PCollection<String> statuses;
    final PCollection<String> deadLetters;

    Shown(TestIo io) {
      paid =
          io.<PaidOrder>output("WritePaidOrders")
              .apply(
                  "ShowPaid",
                  ParDo.of(
                      new DescribeFn<PaidOrder>(
                          o ->
                              String.format(
                                  "%s %s %d/%d to pay %s %s duplicates %d%s",
                                  o.getOrder().getOrderId(),
                                  o.getStatus(),
                                  o.getPaidCents(),
                                  o.getOrderTotalCents(),
                                  o.getTimeToPayMs() == null
                                      ? "-"
                                      : Duration.millis(o.getTimeToPayMs()).getStandardSeconds()
                                          + "s",
                                  payments(o.getPayments()),
                                  o.getDuplicatePayments(),
                                  o.getUpdate() ? " update" : ""))));
      unpaid =
          io.<UnpaidOrder>output("WriteUnpaidAlerts")
              .apply(
                  "ShowUnpaid",
                  ParDo.of(
                      new DescribeFn<UnpaidOrder>(
                          a ->
                              String.format(
                                  "%s %s deadline %s %s%s",
                                  a.getAlert(),
                                  a.getOrder().getOrderId(),
                                  clock(a.getDeadline()),
                                  payments(a.getPayments()),
                                  a.getUpdate() ? " update" : ""))));
      orphans =
          io.<OrphanPayment>output("WriteOrphanPayments")
              .apply(
                  "ShowOrphans",
                  ParDo.of(
                      new DescribeFn<OrphanPayment>(
                          o ->
                              "orphan "
                                  + o.getPayment().getPaymentId()
                                  + " for "
                                  + o.getPayment().getOrderId())));
      tooLate =
          io.<TooLatePayment>output("WriteTooLate")
              .apply(
                  "ShowTooLate",
                  ParDo.of(
                      new DescribeFn<TooLatePayment>(
                          t ->
                              t.getOrder() != null
                                  ? "too late order " + t.getOrder().getOrderId()
                                  : "too late payment "
                                      + t.getPayment().getPaymentId()
                                      + " for "
                                      + t.getPayment().getOrderId())));
      statuses =
          io.<OrderPaymentStatus>output("UpsertStatuses")
              .apply(
                  "ShowStatuses",
                  ParDo.of(
                      new DescribeFn<OrderPaymentStatus>(
                          s ->
                              String.format(
                                  "row %s %s %d/%d payments %d duplicates %d",
                                  s.getOrderId(),
                                  s.getStatus(),
                                  s.getPaidCents(),
                                  s.getOrderTotalCents(),
                                  s.getPaymentCount(),
                                  s.getDuplicatePayments()))));
      deadLetters =
          io.<DeadLetter>output("WriteDeadLetters")
              .apply(
                  "ShowDeadLetters",
                  ParDo.of(
                      new DescribeFn<DeadLetter>(
                          d ->
                              d.getStep()
                                  + " "
                                  + d.getPosition().getName()
                                  + " "
                                  + StandardCharsets.UTF_8
                                      .decode(d.getPayload().duplicate())
                                      .toString())));
    }
  }

  /**
   * On time, in event-time order: PAID from two partial payments, UNDERPAID, OVERPAID; a repeated
   * {@code payment_id} counts once; a declined payment is reported, not counted; two records that
   * are not valid events are dead letters with their bytes. Results come when the watermark passes
   * each order's time + 15 min.
   */
  @Test
  void onTimeOrdersAreMatchedWithTheirPaymentsWhenTheirIntervalCloses(TestPipeline p) {
    TestStream<SourceRecord> script =
        script()
            .addElements(
                order("O-1", 2, at(0, 0)), // 50.00
                order("O-2", 2, at(0, 0)),
                order("O-3", 1, at(0, 0)))
            .addElements(
                payment("PAY-1a", "O-1", 2000, "captured", at(1, 0)),
                payment("PAY-1b", "O-1", 3000, "captured", at(4, 0)),
                payment("PAY-1b", "O-1", 3000, "captured", at(4, 0)), // the same payment again
                payment("PAY-2x", "O-2", 5000, "declined", at(2, 0)),
                payment("PAY-2", "O-2", 1000, "captured", at(3, 0)),
                payment("PAY-3", "O-3", 3000, "captured", at(5, 0)),
                record("{not json", at(5, 0)),
                payment("PAY-9", "O-9", 100, "stolen", at(5, 0)))
            .advanceWatermarkTo(at(10, 0))
            .advanceWatermarkToInfinity();
    Shown out = new Shown(run(p, script));

    PAssert.that(out.paid)
        .containsInAnyOrder(
            "O-1 PAID 5000/5000 to pay 240s"
                + " [PAY-1a captured 2000, PAY-1b captured 3000] duplicates 1 @ 10:15:00.001",
            "O-2 UNDERPAID 1000/5000 to pay -"
                + " [PAY-2x declined 5000, PAY-2 captured 1000] duplicates 0 @ 10:15:00.001",
            "O-3 OVERPAID 3000/2500 to pay 300s [PAY-3 captured 3000] duplicates 0 @ 10:15:00.001");
    PAssert.that(out.statuses)
        .containsInAnyOrder(
            "row O-1 PAID 5000/5000 payments 2 duplicates 1 @ 10:15:00.001",
            "row O-2 UNDERPAID 1000/5000 payments 2 duplicates 0 @ 10:15:00.001",
            "row O-3 OVERPAID 3000/2500 payments 1 duplicates 0 @ 10:15:00.001");
    PAssert.that(out.unpaid).empty();
    PAssert.that(out.orphans).empty();
    PAssert.that(out.tooLate).empty();
    PAssert.that(out.deadLetters)
        .containsInAnyOrder(
            "DecodeOrdersAndPayments events {not json @ 10:05:00",
            "DecodeOrdersAndPayments events "
                + "{\"payment_id\":\"PAY-9\",\"order_id\":\"O-9\",\"customer_id\":\"C-1\","
                + "\"amount_cents\":100,\"currency\":\"USD\",\"method\":\"card\","
                + "\"status\":\"stolen\",\"event_time\":\"2026-03-01T10:05:00.000Z\"} @ 10:05:00");
    p.run().waitUntilFinish();
  }

  /**
   * Payments that come before their order, in arrival and in event time: one a minute before (the
   * lower bound, inclusive) counts; one a millisecond earlier is in no interval and becomes an
   * orphan when the watermark passes its time + 1 min, when no on-time order can claim it.
   */
  @Test
  void aPaymentBeforeItsOrderCountsWithinTheLowerBound(TestPipeline p) {
    TestStream<SourceRecord> script =
        script()
            .addElements(
                payment("PAY-4", "O-4", 5000, "captured", at(1, 0)),
                payment("PAY-4x", "O-4", 5000, "captured", at(1, 0).minus(Duration.millis(1))))
            .advanceWatermarkTo(at(1, 30))
            .addElements(order("O-4", 2, at(2, 0)))
            .advanceWatermarkTo(at(2, 30))
            .advanceWatermarkTo(at(30, 0))
            .advanceWatermarkToInfinity();
    Shown out = new Shown(run(p, script));

    PAssert.that(out.paid)
        .containsInAnyOrder(
            "O-4 PAID 5000/5000 to pay -60s [PAY-4 captured 5000] duplicates 0 @ 10:17:00.001");
    PAssert.that(out.statuses)
        .containsInAnyOrder("row O-4 PAID 5000/5000 payments 1 duplicates 0 @ 10:17:00.001");
    PAssert.that(out.orphans).containsInAnyOrder("orphan PAY-4x for O-4 @ 10:02:00");
    PAssert.that(out.unpaid).empty();
    PAssert.that(out.tooLate).empty();
    PAssert.that(out.deadLetters).empty();
    p.run().waitUntilFinish();
  }

  /**
   * The UNPAID alert comes when the watermark passes order time + 15 min, not before: with the
   * watermark exactly at 10:15, a payment at 10:15 (the upper bound, inclusive) still makes O-5
   * PAID with no alert; O-6, unpaid, is alerted once the watermark passes 10:15, so a payment for
   * it that comes just after that is late: it updates O-6 to PAID, and the alert stands.
   */
  @Test
  void theUnpaidAlertComesWhenTheWatermarkPassesTheDeadlineNotBefore(TestPipeline p) {
    TestStream<SourceRecord> script =
        script()
            .addElements(order("O-5", 2, at(0, 0)), order("O-6", 2, at(0, 0)))
            .advanceWatermarkTo(at(15, 0))
            .addElements(payment("PAY-5", "O-5", 5000, "captured", at(15, 0)))
            .advanceWatermarkTo(at(15, 0).plus(Duration.millis(2)))
            .addElements(payment("PAY-6", "O-6", 5000, "captured", at(15, 0)))
            .advanceWatermarkToInfinity();
    Shown out = new Shown(run(p, script));

    PAssert.that(out.unpaid).containsInAnyOrder("UNPAID O-6 deadline 10:15:00 [] @ 10:15:00.001");
    PAssert.that(out.paid)
        .containsInAnyOrder(
            "O-5 PAID 5000/5000 to pay 900s [PAY-5 captured 5000] duplicates 0 @ 10:15:00.001",
            "O-6 PAID 5000/5000 to pay 900s [PAY-6 captured 5000] duplicates 0 update"
                + " @ 10:15:00");
    PAssert.that(out.statuses)
        .containsInAnyOrder(
            "row O-5 PAID 5000/5000 payments 1 duplicates 0 @ 10:15:00.001",
            "row O-6 UNPAID 0/5000 payments 0 duplicates 0 @ 10:15:00.001",
            "row O-6 PAID 5000/5000 payments 1 duplicates 0 @ 10:15:00");
    PAssert.that(out.orphans).empty();
    PAssert.that(out.tooLate).empty();
    PAssert.that(out.deadLetters).empty();
    p.run().waitUntilFinish();
  }

  /**
   * Behind the watermark but within the 5 minutes of lateness: an order whose payment was already
   * reported an orphan is decided at once with it (the orphan report stands); a payment for an
   * order already alerted UNPAID updates it to PAID (the alert stands).
   */
  @Test
  void lateEventsWithinTheAllowedLatenessStillChangeTheDecision(TestPipeline p) {
    TestStream<SourceRecord> script =
        script()
            .addElements(
                payment("PAY-7", "O-7", 2500, "captured", at(2, 0)), order("O-8", 1, at(0, 0)))
            .advanceWatermarkTo(at(18, 0))
            .addElements(
                order("O-7", 1, at(0, 0)), // decided at 10:15, 3 min behind
                payment("PAY-8", "O-8", 2500, "captured", at(14, 0))) // O-8 alerted at 10:15
            .advanceWatermarkToInfinity();
    Shown out = new Shown(run(p, script));

    PAssert.that(out.orphans).containsInAnyOrder("orphan PAY-7 for O-7 @ 10:03:00.001");
    PAssert.that(out.unpaid).containsInAnyOrder("UNPAID O-8 deadline 10:15:00 [] @ 10:15:00.001");
    PAssert.that(out.paid)
        .containsInAnyOrder(
            "O-7 PAID 2500/2500 to pay 120s [PAY-7 captured 2500] duplicates 0 @ 10:00:00",
            "O-8 PAID 2500/2500 to pay 840s [PAY-8 captured 2500] duplicates 0 update"
                + " @ 10:14:00");
    PAssert.that(out.statuses)
        .containsInAnyOrder(
            "row O-7 PAID 2500/2500 payments 1 duplicates 0 @ 10:00:00",
            "row O-8 UNPAID 0/2500 payments 0 duplicates 0 @ 10:15:00.001",
            "row O-8 PAID 2500/2500 payments 1 duplicates 0 @ 10:14:00");
    PAssert.that(out.tooLate).empty();
    PAssert.that(out.deadLetters).empty();
    p.run().waitUntilFinish();
  }

  /**
   * More than the allowed lateness behind: an order decided at 10:24 that comes when the watermark
   * is at 10:30, and a payment whose orphan check was at 10:24 with no order held to claim it, go
   * to the too-late output; nothing else is decided by them.
   */
  @Test
  void eventsBeyondTheAllowedLatenessAreReportedTooLate(TestPipeline p) {
    TestStream<SourceRecord> script =
        script()
            .addElements(order("O-10", 1, at(20, 0)))
            .advanceWatermarkTo(at(30, 0))
            .addElements(
                order("O-9", 1, at(9, 0)),
                payment("PAY-11", "O-11", 2500, "captured", at(23, 0)),
                payment("PAY-10", "O-10", 2500, "captured", at(19, 0))) // O-10 is open
            .advanceWatermarkToInfinity();
    Shown out = new Shown(run(p, script));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            "too late order O-9 @ 10:09:00", "too late payment PAY-11 for O-11 @ 10:23:00");
    PAssert.that(out.paid)
        .containsInAnyOrder(
            "O-10 PAID 2500/2500 to pay -60s [PAY-10 captured 2500] duplicates 0 @ 10:35:00.001");
    PAssert.that(out.statuses)
        .containsInAnyOrder("row O-10 PAID 2500/2500 payments 1 duplicates 0 @ 10:35:00.001");
    PAssert.that(out.unpaid).empty();
    PAssert.that(out.orphans).empty();
    PAssert.that(out.deadLetters).empty();
    p.run().waitUntilFinish();
  }
}
