package dev.kappa.pipelines.orderpayments;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.job.Events;
import dev.kappa.pipelines.job.JobContext;
import dev.kappa.pipelines.job.JobOptions;
import dev.kappa.pipelines.job.JobPart;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.Output;
import dev.kappa.pipelines.job.Outputs;
import dev.kappa.pipelines.job.ResultTable;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.OrphanPayment;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.TooLatePayment;
import dev.kappa.schemas.results.UnpaidOrder;
import java.util.List;
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
