package dev.kappa.pipelines.cardfraud;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.pipelines.job.TableJoin;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.CardTransaction;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.results.RiskAlert;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.TooLateTransaction;
import dev.kappa.schemas.results.VelocityAlert;
import dev.kappa.schemas.results.VelocityFlag;
import dev.kappa.transforms.errors.DeadLetters;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.patterns.Burst;
import dev.kappa.transforms.patterns.DetectBursts;
import dev.kappa.transforms.windowing.AssignEventTime;
import dev.kappa.transforms.windowing.WindowEvents;
import dev.kappa.transforms.windowing.Windowing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * CardFraud's logic, without its sources and sinks: raw transaction records in; velocity alerts,
 * risk scores, risk alerts, too-late transactions and dead letters out.
 *
 * <p>Steps (their names are stable: the Flink runner derives operator ids from them):
 *
 * <ol>
 *   <li>{@code DecodeTransactions}: JSON lines or Avro bytes to {@link CardTransaction}, validated;
 *       failures to dead letters. {@code AssignEventTime}: its {@code event_time} becomes its
 *       timestamp.
 *   <li><b>Velocity</b>: {@code SelectQualifying} keeps transactions over their currency's
 *       threshold, {@code KeyByCard}, {@code DetectVelocity} ({@link DetectBursts}: at least {@code
 *       velocityCount} within {@code [t - interval, t]}), {@code FormatVelocityAlerts} and {@code
 *       FlagTransactions} (the table's rows). The alert comes out as soon as its evidence has
 *       arrived, not at the watermark: this branch does not wait for the customers join.
 *   <li><b>Risk</b>: {@code KeyByCustomer}, {@code EnrichWithCustomer} (the customer as of the
 *       transaction's time, by the {@link TableJoin} given), {@code MarkForeign} (the transaction's
 *       country against the customer's), {@code WindowTransactions} (the risk windowing; too-late
 *       transactions diverted), {@code KeyTransactionsByCard}, {@code SumRisk}, {@code
 *       FormatScores} (one score per card, window and pane), {@code SelectRiskAlerts} (final panes
 *       over the threshold).
 *   <li>{@code CollectTooLate}, {@code CollectDeadLetters}.
 * </ol>
 */
public final class DetectCardFraud extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  private static final TupleTag<VelocityAlert> VELOCITY_ALERTS = new TupleTag<>("velocity") {};
  private static final TupleTag<VelocityFlag> VELOCITY_FLAGS = new TupleTag<>("flags") {};
  private static final TupleTag<RiskScore> SCORES = new TupleTag<>("scores") {};
  private static final TupleTag<RiskAlert> RISK_ALERTS = new TupleTag<>("riskAlerts") {};
  private static final TupleTag<TooLateTransaction> TOO_LATE = new TupleTag<>("tooLate") {};
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final AmountThresholds thresholds;
  private final int velocityCount;
  private final Duration velocityInterval;
  private final Windowing riskWindowing;
  private final double riskThreshold;
  private final transient TableJoin<Customer> customers;

  private DetectCardFraud(
      AmountThresholds thresholds,
      int velocityCount,
      Duration velocityInterval,
      Windowing riskWindowing,
      double riskThreshold,
      TableJoin<Customer> customers) {
    this.thresholds = checkNotNull(thresholds, "thresholds must be set");
    checkArgument(velocityCount >= 2, "velocity count must be at least 2, was %s", velocityCount);
    this.velocityCount = velocityCount;
    this.velocityInterval = checkNotNull(velocityInterval, "velocity interval must be set");
    this.riskWindowing = checkNotNull(riskWindowing, "risk windowing must be set");
    checkArgument(
        riskThreshold >= 0 && riskThreshold <= 1,
        "risk threshold must be in [0, 1], was %s",
        riskThreshold);
    this.riskThreshold = riskThreshold;
    this.customers = checkNotNull(customers, "customers join must be set");
  }

  /**
   * The velocity rule ({@code velocityCount} qualifying transactions within {@code
   * velocityInterval}, allowed as late as the risk windowing's lateness) and the risk score over
   * {@code riskWindowing}, customers joined by {@code customers}.
   */
  static DetectCardFraud with(
      AmountThresholds thresholds,
      int velocityCount,
      Duration velocityInterval,
      Windowing riskWindowing,
      double riskThreshold,
      TableJoin<Customer> customers) {
    return new DetectCardFraud(
        thresholds, velocityCount, velocityInterval, riskWindowing, riskThreshold, customers);
  }

  /** One alert per qualifying transaction that completes a velocity burst. */
  public static TupleTag<VelocityAlert> velocityAlertsTag() {
    return VELOCITY_ALERTS;
  }

  /** The velocity alerts' table rows: what every run agrees on. */
  public static TupleTag<VelocityFlag> velocityFlagsTag() {
    return VELOCITY_FLAGS;
  }

  /** One score per card, window and pane. */
  public static TupleTag<RiskScore> scoresTag() {
    return SCORES;
  }

  /** Final panes whose score exceeds the threshold. */
  public static TupleTag<RiskAlert> riskAlertsTag() {
    return RISK_ALERTS;
  }

  /** Transactions too late for the velocity rule or for a risk window. */
  public static TupleTag<TooLateTransaction> tooLateTag() {
    return TOO_LATE;
  }

  /** Undecodable or invalid records, and transactions whose customer was not found (by policy). */
  public static TupleTag<DeadLetter> deadLettersTag() {
    return DEAD_LETTERS;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    SpecificRecordCoder<CardTransaction> transactionCoder =
        SpecificRecordCoder.of(CardTransaction.class);
    DecodeRecords<CardTransaction> decode =
        DecodeRecords.using(new TransactionDecoder(), transactionCoder)
            .withStepName("DecodeTransactions");
    PCollectionTuple decoded = records.apply("DecodeTransactions", decode);
    PCollection<CardTransaction> transactions =
        decoded
            .get(decode.decodedTag())
            .apply(
                "AssignEventTime",
                AssignEventTime.by(t -> new Instant(t.getEventTime().toEpochMilli())));

    // Velocity: straight from the source, so an alert waits for nothing but its evidence.
    AmountThresholds thresholds = this.thresholds;
    DetectBursts<String, CardTransaction> velocity =
        DetectBursts.<String, CardTransaction>of(
                velocityCount, velocityInterval, CardTransaction::getTransactionId)
            .withAllowedLateness(riskWindowing.allowedLateness());
    PCollectionTuple bursts =
        transactions
            .apply("SelectQualifying", Filter.by(thresholds::qualifies))
            .apply(
                "KeyByCard",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(CardTransaction.class)))
                    .via((CardTransaction t) -> KV.of(t.getCardId(), t)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), transactionCoder))
            .apply("DetectVelocity", velocity);
    Duration interval = velocityInterval;
    PCollection<VelocityAlert> velocityAlerts =
        bursts
            .get(velocity.burstsTag())
            .apply(
                "FormatVelocityAlerts",
                MapElements.into(TypeDescriptor.of(VelocityAlert.class))
                    .via((Burst<String, CardTransaction> b) -> velocityAlert(b, interval)))
            .setCoder(SpecificRecordCoder.of(VelocityAlert.class));
    PCollection<VelocityFlag> flags =
        velocityAlerts
            .apply(
                "FlagTransactions",
                MapElements.into(TypeDescriptor.of(VelocityFlag.class)).via(DetectCardFraud::flag))
            .setCoder(SpecificRecordCoder.of(VelocityFlag.class));

    // Risk: the customer's home country as of each transaction, then sliding windows per card.
    TableJoin.Joined<CardTransaction, Customer> withCustomer =
        customers.join(
            "EnrichWithCustomer",
            transactions
                .apply(
                    "KeyByCustomer",
                    MapElements.into(
                            TypeDescriptors.kvs(
                                TypeDescriptors.strings(),
                                TypeDescriptor.of(CardTransaction.class)))
                        .via((CardTransaction t) -> KV.of(t.getCustomerId(), t)))
                .setCoder(KvCoder.of(StringUtf8Coder.of(), transactionCoder)));
    KvCoder<CardTransaction, Boolean> markedCoder = KvCoder.of(transactionCoder, BooleanCoder.of());
    PCollection<KV<CardTransaction, Boolean>> marked =
        withCustomer
            .enriched()
            .apply(
                "MarkForeign",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptor.of(CardTransaction.class), TypeDescriptors.booleans()))
                    .via(
                        (KV<CardTransaction, Customer> joined) ->
                            KV.of(
                                joined.getKey(),
                                joined.getValue() != null
                                    && !joined
                                        .getValue()
                                        .getCountry()
                                        .equals(joined.getKey().getCountry()))))
            .setCoder(markedCoder);
    WindowEvents<KV<CardTransaction, Boolean>> windowTransactions =
        WindowEvents.<KV<CardTransaction, Boolean>>using(riskWindowing)
            .withShardKey(m -> m.getKey().getCardId(), StringUtf8Coder.of());
    PCollectionTuple windowed = marked.apply("WindowTransactions", windowTransactions);
    PCollection<RiskScore> scores =
        windowed
            .get(windowTransactions.windowedTag())
            .apply(
                "KeyTransactionsByCard",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(),
                            TypeDescriptors.kvs(
                                TypeDescriptor.of(CardTransaction.class),
                                TypeDescriptors.booleans())))
                    .via((KV<CardTransaction, Boolean> m) -> KV.of(m.getKey().getCardId(), m)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), markedCoder))
            .apply("SumRisk", Combine.perKey(new RiskTotalsCombineFn(thresholds)))
            .apply("FormatScores", ParDo.of(new FormatScoreFn()))
            .setCoder(SpecificRecordCoder.of(RiskScore.class));
    double threshold = riskThreshold;
    PCollection<RiskAlert> riskAlerts =
        scores
            .apply(
                "SelectRiskAlerts",
                Filter.by((RiskScore s) -> s.getFinalPane() && s.getScore() > threshold))
            .apply(
                "FormatRiskAlerts",
                MapElements.into(TypeDescriptor.of(RiskAlert.class))
                    .via(DetectCardFraud::riskAlert))
            .setCoder(SpecificRecordCoder.of(RiskAlert.class));

    SpecificRecordCoder<TooLateTransaction> tooLateCoder =
        SpecificRecordCoder.of(TooLateTransaction.class);
    PCollection<TooLateTransaction> velocityTooLate =
        bursts
            .get(velocity.tooLateTag())
            .apply(
                "FormatVelocityTooLate",
                MapElements.into(TypeDescriptor.of(TooLateTransaction.class))
                    .via((KV<CardTransaction, MissedWindow> l) -> tooLate(l, "velocity")))
            .setCoder(tooLateCoder);
    PCollection<TooLateTransaction> riskTooLate =
        windowed
            .get(windowTransactions.tooLateTag())
            .apply(
                "FormatRiskTooLate",
                MapElements.into(TypeDescriptor.of(TooLateTransaction.class))
                    .via(
                        (KV<KV<CardTransaction, Boolean>, MissedWindow> l) ->
                            tooLate(KV.of(l.getKey().getKey(), l.getValue()), "risk")))
            .setCoder(tooLateCoder);
    PCollection<TooLateTransaction> tooLate =
        PCollectionList.of(velocityTooLate)
            .and(riskTooLate)
            .apply("CollectTooLate", Flatten.pCollections());

    PCollection<DeadLetter> customerNotFound =
        withCustomer
            .notFound()
            .apply("CustomerNotFound", ParDo.of(new NotFoundFn()))
            .setCoder(SpecificRecordCoder.of(DeadLetter.class));
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    deadLetters.add(decoded.get(decode.deadLetterTag()));
    deadLetters.add(customerNotFound);
    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("CollectDeadLetters", Flatten.pCollections());

    return PCollectionTuple.of(VELOCITY_ALERTS, velocityAlerts)
        .and(VELOCITY_FLAGS, flags)
        .and(SCORES, scores)
        .and(RISK_ALERTS, riskAlerts)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, allDeadLetters);
  }

  static VelocityAlert velocityAlert(Burst<String, CardTransaction> burst, Duration interval) {
    CardTransaction t = burst.event();
    List<String> evidence = new ArrayList<>();
    for (CardTransaction other : burst.evidence()) {
      evidence.add(other.getTransactionId() + "@" + other.getEventTime());
    }
    return VelocityAlert.newBuilder()
        .setCardId(t.getCardId())
        .setTransactionId(t.getTransactionId())
        .setCustomerId(t.getCustomerId())
        .setMerchantId(t.getMerchantId())
        .setAmountCents(t.getAmountCents())
        .setCurrency(t.getCurrency())
        .setCountry(t.getCountry())
        .setEventTime(t.getEventTime())
        .setIntervalStart(t.getEventTime().minusMillis(interval.getMillis()))
        .setEvidence(String.join(",", evidence))
        .setEvidenceCount(evidence.size())
        .build();
  }

  static VelocityFlag flag(VelocityAlert alert) {
    return VelocityFlag.newBuilder()
        .setCardId(alert.getCardId())
        .setTransactionId(alert.getTransactionId())
        .setCustomerId(alert.getCustomerId())
        .setMerchantId(alert.getMerchantId())
        .setAmountCents(alert.getAmountCents())
        .setCurrency(alert.getCurrency())
        .setCountry(alert.getCountry())
        .setEventTime(alert.getEventTime())
        .build();
  }

  static RiskAlert riskAlert(RiskScore s) {
    return RiskAlert.newBuilder()
        .setCardId(s.getCardId())
        .setCustomerId(s.getCustomerId())
        .setWindowStart(s.getWindowStart())
        .setWindowEnd(s.getWindowEnd())
        .setTransactionCount(s.getTransactionCount())
        .setQualifyingCount(s.getQualifyingCount())
        .setTotalAmountCents(s.getTotalAmountCents())
        .setDistinctMerchants(s.getDistinctMerchants())
        .setDistinctCountries(s.getDistinctCountries())
        .setForeignCount(s.getForeignCount())
        .setScore(s.getScore())
        .build();
  }

  static TooLateTransaction tooLate(KV<CardTransaction, MissedWindow> late, String rule) {
    return TooLateTransaction.newBuilder()
        .setTransaction(late.getKey())
        .setRule(rule)
        .setMissedWindow(late.getValue())
        .build();
  }

  /**
   * A card's totals in one window and pane as a score. Drops the empty first panes the Flink runner
   * emits when a stream ends (counted as {@code spuriousEmptyPanes}).
   */
  static final class FormatScoreFn extends DoFn<KV<String, RiskTotalsCombineFn.Totals>, RiskScore> {
    private static final long serialVersionUID = 1L;
    private final Counter spuriousEmptyPanes =
        Metrics.counter(DetectCardFraud.class, "spuriousEmptyPanes");

    @ProcessElement
    public void process(
        @Element KV<String, RiskTotalsCombineFn.Totals> totals,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<RiskScore> out) {
      RiskTotalsCombineFn.Totals t = totals.getValue();
      if (t.transactions == 0) {
        spuriousEmptyPanes.inc();
        return;
      }
      IntervalWindow interval = (IntervalWindow) window;
      out.output(
          RiskScore.newBuilder()
              .setCardId(totals.getKey())
              .setCustomerId(t.customerId)
              .setWindowStart(java.time.Instant.ofEpochMilli(interval.start().getMillis()))
              .setWindowEnd(java.time.Instant.ofEpochMilli(interval.end().getMillis()))
              .setTransactionCount(t.transactions)
              .setQualifyingCount(t.qualifying)
              .setTotalAmountCents(t.totalAmountCents)
              .setDistinctMerchants(t.merchants.size())
              .setDistinctCountries(t.countries.size())
              .setForeignCount(t.foreign)
              .setScore(t.score())
              .setPaneTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .setFinalPane(pane.isLast())
              .build());
    }
  }

  /** A transaction whose customer was not found, as a dead letter carrying its JSON. */
  static final class NotFoundFn extends DoFn<KV<String, CardTransaction>, DeadLetter> {
    private static final long serialVersionUID = 1L;
    private transient EventCodec<CardTransaction> codec;

    @Setup
    public void setup() {
      codec = EventCodec.of(CardTransaction.class);
    }

    @ProcessElement
    public void process(
        @Element KV<String, CardTransaction> missing, OutputReceiver<DeadLetter> out) {
      CardTransaction t = missing.getValue();
      SourceRecord record =
          SourceRecord.newBuilder()
              .setPosition(
                  SourcePosition.newBuilder().setSystem("table").setName("customers").build())
              .setKey(ByteBuffer.wrap(t.getTransactionId().getBytes(StandardCharsets.UTF_8)))
              .setPayload(ByteBuffer.wrap(codec.toJson(t).getBytes(StandardCharsets.UTF_8)))
              .build();
      out.output(
          DeadLetters.of(
              record,
              "EnrichWithCustomer",
              new CustomerNotFoundException(missing.getKey(), t),
              java.time.Instant.now()));
    }
  }

  /** The customers table had no row for a transaction's customer at its time. */
  static final class CustomerNotFoundException extends Exception {
    private static final long serialVersionUID = 1L;

    CustomerNotFoundException(String customerId, CardTransaction t) {
      super(
          "customers has no row for "
              + customerId
              + " (transaction "
              + t.getTransactionId()
              + " at "
              + t.getEventTime()
              + ")");
    }
  }
}
