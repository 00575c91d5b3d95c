package dev.kappa.pipelines.orderpayments;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.OrphanPayment;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.TooLatePayment;
import dev.kappa.schemas.results.UnpaidOrder;
import dev.kappa.transforms.errors.DeadLetters;
import dev.kappa.transforms.join.IntervalJoin;
import dev.kappa.transforms.join.IntervalMatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * OrderPayments' logic, without its sources and sinks: raw records of orders and payments in; paid
 * orders, UNPAID alerts, orphan payments, a status row per order, too-late events and dead letters
 * out.
 *
 * <p>Steps (their names are stable: the Flink runner derives operator ids from them):
 *
 * <ol>
 *   <li>{@code DecodeOrdersAndPayments}: each record to an order or a payment ({@link
 *       OrderOrPaymentDecoder}), validated, keyed by order id and stamped with its event time;
 *       failures to dead letters.
 *   <li>{@code MatchPayments}: the {@link IntervalJoin} of orders (left) and payments (right) in
 *       {@code [order time - paymentsBefore, order time + paymentTimeout]}.
 *   <li>{@code TimeoutsAsMatches}, {@code CollectOutcomes}: an order without payments is an outcome
 *       with none.
 *   <li>{@code ClassifyOrders}: {@link PaymentRules}: a paid order (PAID, UNDERPAID, OVERPAID) or
 *       an UNPAID alert, and the order's status row. An order whose amounts overflow is a dead
 *       letter.
 *   <li>{@code ReportOrphans}, {@code ReportTooLateOrders}, {@code ReportTooLatePayments}, {@code
 *       CollectTooLate}.
 * </ol>
 */
@AutoValue
public abstract class ComputeOrderPayments
    extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  private static final TupleTag<PaidOrder> PAID = new TupleTag<>("paid") {};
  private static final TupleTag<UnpaidOrder> UNPAID = new TupleTag<>("unpaid") {};
  private static final TupleTag<OrderPaymentStatus> STATUSES = new TupleTag<>("statuses") {};
  private static final TupleTag<OrphanPayment> ORPHANS = new TupleTag<>("orphans") {};
  private static final TupleTag<TooLatePayment> TOO_LATE = new TupleTag<>("tooLate") {};
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  /** How long before its order a payment may be. */
  public abstract Duration paymentsBefore();

  /** How long after its order a payment may be; the UNPAID alert comes when this has passed. */
  public abstract Duration paymentTimeout();

  /** How late an order or payment may be and still change a decision. */
  public abstract Duration allowedLateness();

  /** Matches payments from {@code before} an order to {@code timeout} after it. */
  public static ComputeOrderPayments with(
      Duration before, Duration timeout, Duration allowedLateness) {
    checkArgument(before != null && !before.isShorterThan(Duration.ZERO), "before must be >= 0");
    checkArgument(timeout != null && timeout.isLongerThan(Duration.ZERO), "timeout must be > 0");
    checkArgument(
        allowedLateness != null && !allowedLateness.isShorterThan(Duration.ZERO),
        "allowed lateness must be >= 0");
    return new AutoValue_ComputeOrderPayments(before, timeout, allowedLateness);
  }

  /** Orders with at least one captured payment, once their interval closed (or updated late). */
  public static TupleTag<PaidOrder> paidTag() {
    return PAID;
  }

  /** UNPAID alerts: orders with no captured payment when the watermark passed their deadline. */
  public static TupleTag<UnpaidOrder> unpaidTag() {
    return UNPAID;
  }

  /** One row per order and decision (paid or unpaid), for the results table. */
  public static TupleTag<OrderPaymentStatus> statusesTag() {
    return STATUSES;
  }

  /** Payments in no order's interval. */
  public static TupleTag<OrphanPayment> orphansTag() {
    return ORPHANS;
  }

  /** Orders and payments past the allowed lateness: not matched, not lost. */
  public static TupleTag<TooLatePayment> tooLateTag() {
    return TOO_LATE;
  }

  public static TupleTag<DeadLetter> deadLettersTag() {
    return DEAD_LETTERS;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    TupleTag<KV<String, OrderEvent>> orders = new TupleTag<>("orders") {};
    TupleTag<KV<String, Payment>> payments = new TupleTag<>("payments") {};
    TupleTag<DeadLetter> undecodable = new TupleTag<>("undecodable") {};
    PCollectionTuple decoded =
        records.apply(
            "DecodeOrdersAndPayments",
            ParDo.of(new DecodeFn(orders, payments, undecodable))
                .withOutputTags(orders, TupleTagList.of(payments).and(undecodable)));
    KvCoder<String, OrderEvent> orderCoder =
        KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(OrderEvent.class));
    KvCoder<String, Payment> paymentCoder =
        KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(Payment.class));
    decoded.get(orders).setCoder(orderCoder);
    decoded.get(payments).setCoder(paymentCoder);
    decoded.get(undecodable).setCoder(SpecificRecordCoder.of(DeadLetter.class));

    IntervalJoin<String, OrderEvent, Payment> join =
        IntervalJoin.<String, OrderEvent, Payment>with(decoded.get(payments))
            .withBounds(paymentsBefore().negated(), paymentTimeout())
            .withAllowedLateness(allowedLateness());
    PCollectionTuple joined = decoded.get(orders).apply("MatchPayments", join);

    KvCoder<String, IntervalMatch<OrderEvent, Payment>> matchCoder =
        KvCoder.of(
            StringUtf8Coder.of(),
            IntervalMatch.coder(
                SpecificRecordCoder.of(OrderEvent.class), SpecificRecordCoder.of(Payment.class)));
    PCollection<KV<String, IntervalMatch<OrderEvent, Payment>>> timeouts =
        joined
            .get(join.leftTimeoutsTag())
            .apply("TimeoutsAsMatches", ParDo.of(new TimeoutAsMatchFn()))
            .setCoder(matchCoder);
    PCollectionTuple classified =
        PCollectionList.of(joined.get(join.matchesTag()))
            .and(timeouts)
            .apply("CollectOutcomes", Flatten.pCollections())
            .setCoder(matchCoder)
            .apply(
                "ClassifyOrders",
                ParDo.of(new ClassifyFn(paymentTimeout()))
                    .withOutputTags(PAID, TupleTagList.of(UNPAID).and(STATUSES).and(DEAD_LETTERS)));

    PCollection<OrphanPayment> orphans =
        joined
            .get(join.rightOrphansTag())
            .apply("ReportOrphans", ParDo.of(new OrphanFn()))
            .setCoder(SpecificRecordCoder.of(OrphanPayment.class));
    PCollection<TooLatePayment> tooLate =
        PCollectionList.of(
                joined
                    .get(join.tooLateLeftsTag())
                    .apply("ReportTooLateOrders", ParDo.of(new TooLateOrderFn()))
                    .setCoder(SpecificRecordCoder.of(TooLatePayment.class)))
            .and(
                joined
                    .get(join.tooLateRightsTag())
                    .apply("ReportTooLatePayments", ParDo.of(new TooLatePaymentFn()))
                    .setCoder(SpecificRecordCoder.of(TooLatePayment.class)))
            .apply("CollectTooLate", Flatten.pCollections());

    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(decoded.get(undecodable))
            .and(classified.get(DEAD_LETTERS).setCoder(SpecificRecordCoder.of(DeadLetter.class)))
            .apply("CollectDeadLetters", Flatten.pCollections());
    return PCollectionTuple.of(
            PAID, classified.get(PAID).setCoder(SpecificRecordCoder.of(PaidOrder.class)))
        .and(UNPAID, classified.get(UNPAID).setCoder(SpecificRecordCoder.of(UnpaidOrder.class)))
        .and(
            STATUSES,
            classified.get(STATUSES).setCoder(SpecificRecordCoder.of(OrderPaymentStatus.class)))
        .and(ORPHANS, orphans)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, deadLetters);
  }

  /** Decodes, validates, keys by order id and stamps each event with its event time. */
  static final class DecodeFn extends DoFn<SourceRecord, KV<String, OrderEvent>> {
    private static final long serialVersionUID = 1L;
    private static final String STEP = "DecodeOrdersAndPayments";
    private final TupleTag<KV<String, OrderEvent>> orders;
    private final TupleTag<KV<String, Payment>> payments;
    private final TupleTag<DeadLetter> deadLetters;
    private final Counter decodedOrders = Metrics.counter(STEP, "orders");
    private final Counter decodedPayments = Metrics.counter(STEP, "payments");
    private final Counter failed = Metrics.counter(STEP, "deadLetters");

    DecodeFn(
        TupleTag<KV<String, OrderEvent>> orders,
        TupleTag<KV<String, Payment>> payments,
        TupleTag<DeadLetter> deadLetters) {
      this.orders = orders;
      this.payments = payments;
      this.deadLetters = deadLetters;
    }

    @ProcessElement
    public void process(
        @Element SourceRecord record, @Timestamp Instant timestamp, MultiOutputReceiver out) {
      SpecificRecordBase event;
      try {
        event = OrderOrPaymentDecoder.decode(record);
        Instant time = OrderOrPaymentDecoder.eventTime(record);
        if (time.isBefore(timestamp)) {
          // Sources stamp records with their event time or earlier; an earlier event time would
          // break the source's watermark promise.
          throw new IllegalStateException(
              "event time " + time + " precedes the record's timestamp " + timestamp);
        }
        if (event instanceof OrderEvent order) {
          out.get(orders).outputWithTimestamp(KV.of(order.getOrderId(), order), time);
          decodedOrders.inc();
        } else {
          Payment payment = (Payment) event;
          out.get(payments).outputWithTimestamp(KV.of(payment.getOrderId(), payment), time);
          decodedPayments.inc();
        }
      } catch (RuntimeException e) {
        failed.inc();
        out.get(deadLetters).output(DeadLetters.of(record, STEP, e, java.time.Instant.now()));
      }
    }
  }

  /** An order with no payment in its interval: an outcome with none. */
  static final class TimeoutAsMatchFn
      extends DoFn<KV<String, OrderEvent>, KV<String, IntervalMatch<OrderEvent, Payment>>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<String, OrderEvent> order,
        OutputReceiver<KV<String, IntervalMatch<OrderEvent, Payment>>> out) {
      OrderEvent value = order.getValue();
      out.output(
          KV.of(
              order.getKey(),
              new IntervalMatch<>(
                  value, new Instant(value.getEventTime().toEpochMilli()), List.of(), false)));
    }
  }

  /** The outcome of each order: a paid order or an UNPAID alert, and its status row. */
  static final class ClassifyFn
      extends DoFn<KV<String, IntervalMatch<OrderEvent, Payment>>, PaidOrder> {
    private static final long serialVersionUID = 1L;
    private static final String STEP = "ClassifyOrders";
    private static final EventCodec<OrderEvent> CODEC = EventCodec.of(OrderEvent.class);
    private final Duration timeout;
    private final Counter paid = Metrics.counter(STEP, "paid");
    private final Counter unpaid = Metrics.counter(STEP, "unpaid");
    private final Counter failed = Metrics.counter(STEP, "deadLetters");

    ClassifyFn(Duration timeout) {
      this.timeout = timeout;
    }

    @ProcessElement
    public void process(
        @Element KV<String, IntervalMatch<OrderEvent, Payment>> element, MultiOutputReceiver out) {
      IntervalMatch<OrderEvent, Payment> match = element.getValue();
      OrderEvent order = match.left();
      try {
        List<Payment> payments = new ArrayList<>();
        for (TimestampedValue<Payment> payment : match.rights()) {
          payments.add(payment.getValue());
        }
        PaymentRules.Outcome outcome = PaymentRules.outcome(order, payments);
        if (outcome.unpaid()) {
          java.time.Instant deadline =
              java.time.Instant.ofEpochMilli(match.leftTime().plus(timeout).getMillis());
          out.get(UNPAID).output(PaymentRules.unpaidOrder(outcome, deadline, match.update()));
          unpaid.inc();
        } else {
          out.get(PAID).output(PaymentRules.paidOrder(outcome, match.update()));
          paid.inc();
        }
        out.get(STATUSES).output(PaymentRules.status(outcome));
      } catch (RuntimeException e) {
        failed.inc();
        SourceRecord where =
            SourceRecord.newBuilder()
                .setPosition(
                    SourcePosition.newBuilder()
                        .setSystem("order")
                        .setName(order.getOrderId())
                        .build())
                .setKey(ByteBuffer.wrap(order.getOrderId().getBytes(StandardCharsets.UTF_8)))
                .setPayload(ByteBuffer.wrap(CODEC.toJson(order).getBytes(StandardCharsets.UTF_8)))
                .build();
        out.get(DEAD_LETTERS).output(DeadLetters.of(where, STEP, e, java.time.Instant.now()));
      }
    }
  }

  static final class OrphanFn extends DoFn<KV<String, Payment>, OrphanPayment> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, Payment> payment, OutputReceiver<OrphanPayment> out) {
      out.output(OrphanPayment.newBuilder().setPayment(payment.getValue()).build());
    }
  }

  static final class TooLateOrderFn extends DoFn<KV<String, OrderEvent>, TooLatePayment> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, OrderEvent> order, OutputReceiver<TooLatePayment> out) {
      out.output(TooLatePayment.newBuilder().setOrder(order.getValue()).build());
    }
  }

  static final class TooLatePaymentFn extends DoFn<KV<String, Payment>, TooLatePayment> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, Payment> payment, OutputReceiver<TooLatePayment> out) {
      out.output(TooLatePayment.newBuilder().setPayment(payment.getValue()).build());
    }
  }
}
