package dev.kappa.pipelines.orderpayments;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.job.Events;
import dev.kappa.pipelines.job.JobContext;
import dev.kappa.pipelines.job.JobOptions;
import dev.kappa.pipelines.job.JobPart;
import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.Output;
import dev.kappa.pipelines.job.Outputs;
import dev.kappa.pipelines.job.Reconciliation;
import dev.kappa.pipelines.job.ResultTable;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.OrphanPayment;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.TooLatePayment;
import dev.kappa.schemas.results.UnpaidOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * Matches each order with its payments: those whose event time lies in {@code [order time -
 * paymentsBefore, order time + paymentTimeout]} (1 and 15 minutes by default), by the reusable
 * {@link dev.kappa.transforms.join.IntervalJoin}. Per order, once the watermark has passed its
 * interval: a paid order (PAID, UNDERPAID or OVERPAID, with its payments and the time to pay) or an
 * UNPAID alert; payments in no order's interval are orphans. A repeated {@code payment_id} counts
 * once; declined, refunded and authorized payments are reported, not counted ({@link
 * PaymentRules}).
 *
 * <p>Reads one input carrying both event types: the {@code orders} and {@code payments} topics by
 * default, or one file with both (bounded), or that file replayed as a stream. Writes paid orders,
 * alerts, orphans, too-late events and dead letters to their outputs, and every order's status to a
 * database table if one is named. A bounded run's outputs equal a stream's whose events are on time
 * ({@code docs/pipelines/order-payments.md}).
 *
 * <pre>{@code
 * scripts/kappa run order-payments @runners-config/flink-embedded.args --source=REPLAY \
 *     --input=test-data/order-payments/events.jsonl --output=console
 * }</pre>
 */
public final class OrderPayments implements KappaJob<OrderPayments.Options> {

  /** Everything OrderPayments reads from the command line: the shared settings and its own. */
  public interface Options extends JobOptions, OrderPaymentsOptions {}

  static final Events<Options> ORDERS_AND_PAYMENTS =
      Events.<Options>read("ReadOrdersAndPayments", OrderOrPaymentDecoder::eventTime)
          .withDefaultTopics("orders", "payments");

  static final Output<Options, PaidOrder> PAID =
      Output.<Options, PaidOrder>of("WritePaidOrders", PaidOrder.class, "paid")
          .to("output", Options::getOutput)
          .keyedBy(paid -> Outputs.utf8(paid.getOrder().getOrderId()));

  static final Output<Options, UnpaidOrder> ALERTS =
      Output.<Options, UnpaidOrder>of("WriteUnpaidAlerts", UnpaidOrder.class, "unpaid")
          .to("alertsOutput", Options::getAlertsOutput)
          .keyedBy(alert -> Outputs.utf8(alert.getOrder().getOrderId()));

  static final Output<Options, OrphanPayment> ORPHANS =
      Output.<Options, OrphanPayment>of("WriteOrphanPayments", OrphanPayment.class, "orphan")
          .to("orphansOutput", Options::getOrphansOutput)
          .keyedBy(orphan -> Outputs.utf8(orphan.getPayment().getOrderId()));

  static final Output<Options, TooLatePayment> TOO_LATE =
      Output.<Options, TooLatePayment>of("WriteTooLate", TooLatePayment.class, "too-late")
          .to("tooLateEventsOutput", Options::getTooLateEventsOutput);

  static final ResultTable<Options, OrderPaymentStatus> STATUS_TABLE =
      ResultTable.<Options, OrderPaymentStatus>of(
              "UpsertStatuses", "RewindowUpsertFailures", OrderPaymentStatus.class)
          .in("resultsTable", Options::getResultsTable)
          .keyedBy("order_id");

  /**
   * The report: orders per 5 minutes of their time by outcome (paid, underpaid, overpaid, unpaid; a
   * late payment's update replaces the first answer) and orphan payments; what the orders came to
   * and what was paid, per currency; too-late orders and payments at their time.
   */
  static final JobReport<Options> REPORT =
      JobReport.of(PAID, OrderPayments::reportRow)
          .andResults(ALERTS, OrderPayments::reportRow)
          .andResults(ORPHANS, OrderPayments::reportRow)
          .bucketedBy(java.time.Duration.ofMinutes(5))
          .measure("records", "records", 1)
          .measure("amount_cents", "amount", 100)
          .chart(
              JobReport.Chart.measures(
                  "Orders by outcome per 5 minutes of order time",
                  "Each order's latest answer; orphan payments at their own time.",
                  "orders",
                  1,
                  List.of(
                      new JobReport.Measure("PAID", "paid", 1),
                      new JobReport.Measure("UNDERPAID", "underpaid", 1),
                      new JobReport.Measure("OVERPAID", "overpaid", 1),
                      new JobReport.Measure("UNPAID", "unpaid", 1),
                      new JobReport.Measure("orphan_payments", "orphan payments", 1))))
          .chart(
              new JobReport.Chart(
                  "Ordered and paid per 5 minutes of order time",
                  "Order totals and the captured payments counted against them.",
                  new JobReport.Measure("amounts", "amount", 100),
                  row -> row.key().get(1),
                  row ->
                      row.measures().containsKey("order_total_cents")
                          ? Map.of(
                              "ordered", row.measures().get("order_total_cents"),
                              "paid", row.measures().get("paid_cents"))
                          : Map.of()))
          .tooLate(TOO_LATE, "event", OrderPayments::reportTooLate);

  public static void main(String[] args) {
    JobRunner.main(new OrderPayments(), args);
  }

  @Override
  public String name() {
    return "order-payments";
  }

  @Override
  public String description() {
    return "Orders matched with their payments within an event-time interval; UNPAID alerts.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<JobPart<Options>> parts() {
    return List.of(ORDERS_AND_PAYMENTS, PAID, ALERTS, ORPHANS, TOO_LATE, STATUS_TABLE);
  }

  @Override
  public void checkOptions(Options options) {
    compute(options);
  }

  @Override
  public void build(JobContext<Options> job) {
    PCollectionTuple out =
        job.read(ORDERS_AND_PAYMENTS).apply("ComputeOrderPayments", compute(job.options()));
    job.write(out.get(ComputeOrderPayments.paidTag()), PAID);
    job.write(out.get(ComputeOrderPayments.unpaidTag()), ALERTS);
    job.write(out.get(ComputeOrderPayments.orphansTag()), ORPHANS);
    job.write(out.get(ComputeOrderPayments.tooLateTag()), TOO_LATE);
    job.upsert(out.get(ComputeOrderPayments.statusesTag()), STATUS_TABLE);
    job.deadLetters(out.get(ComputeOrderPayments.deadLettersTag()));
  }

  /**
   * An order at its time; a late payment's update replaces the first answer, and of several updates
   * the one with the most payments (each late payment adds one) is the last.
   */
  static Reconciliation.Row reportRow(PaidOrder paid) {
    OrderEvent order = paid.getOrder();
    return new Reconciliation.Row(
        order.getEventTime(),
        order.getEventTime(),
        List.of(order.getOrderId(), order.getCurrency()),
        paid.getUpdate() ? 1 + paid.getPayments().size() : 0,
        Map.of(
            paid.getStatus(),
            1L,
            "order_total_cents",
            paid.getOrderTotalCents(),
            "paid_cents",
            paid.getPaidCents()));
  }

  static Reconciliation.Row reportRow(UnpaidOrder unpaid) {
    OrderEvent order = unpaid.getOrder();
    return new Reconciliation.Row(
        order.getEventTime(),
        order.getEventTime(),
        List.of(order.getOrderId(), order.getCurrency()),
        unpaid.getUpdate() ? 1 : 0,
        Map.of(
            "UNPAID",
            1L,
            "order_total_cents",
            Math.multiplyExact((long) order.getQuantity(), order.getUnitPriceCents()),
            "paid_cents",
            0L));
  }

  static Reconciliation.Row reportRow(OrphanPayment orphan) {
    Payment payment = orphan.getPayment();
    return new Reconciliation.Row(
        payment.getEventTime(),
        payment.getEventTime(),
        List.of("payment " + payment.getPaymentId(), payment.getCurrency()),
        0,
        Map.of("orphan_payments", 1L));
  }

  static Reconciliation.TooLate reportTooLate(TooLatePayment late) {
    if (late.getOrder() != null) {
      OrderEvent order = late.getOrder();
      return new Reconciliation.TooLate(
          order.getEventTime(),
          order.getEventTime(),
          List.of("order"),
          Map.of(
              "records",
              1L,
              "amount_cents",
              Math.multiplyExact((long) order.getQuantity(), order.getUnitPriceCents())),
          "order " + order.getOrderId() + " at " + order.getEventTime());
    }
    Payment payment = late.getPayment();
    return new Reconciliation.TooLate(
        payment.getEventTime(),
        payment.getEventTime(),
        List.of("payment"),
        Map.of("records", 1L, "amount_cents", payment.getAmountCents()),
        "payment "
            + payment.getPaymentId()
            + " of order "
            + payment.getOrderId()
            + " at "
            + payment.getEventTime());
  }

  /** The job's logic with its bounds parsed; each bad bound fails naming its option. */
  static ComputeOrderPayments compute(Options options) {
    Duration before = OptionValues.duration("paymentsBefore", options.getPaymentsBefore());
    Duration timeout = OptionValues.duration("paymentTimeout", options.getPaymentTimeout());
    if (!timeout.isLongerThan(Duration.ZERO)) {
      throw new InvalidOptionException(
          "paymentTimeout", "must be positive, was " + options.getPaymentTimeout());
    }
    Duration lateness = OptionValues.duration("paymentLateness", options.getPaymentLateness());
    return ComputeOrderPayments.with(before, timeout, lateness);
  }

  @Override
  public Optional<JobReport<Options>> report() {
    return Optional.of(REPORT);
  }

  @Override
  public List<List<String>> examples() {
    return List.of(
        List.of(
            "run",
            name(),
            "@runners-config/flink-embedded.args",
            "--source=REPLAY",
            "--input=test-data/order-payments/events.jsonl",
            "--output=console"),
        List.of(
            "run",
            name(),
            "--runner=DirectRunner",
            "--source=FILES",
            "--input=test-data/order-payments/events.jsonl",
            "--output=out/paid",
            "--alertsOutput=out/unpaid",
            "--orphansOutput=out/orphans"));
  }
}
