package dev.kappa.pipelines.cardfraud;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.LatenessOptions;
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
import dev.kappa.pipelines.job.Table;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.results.RiskAlert;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.TooLateTransaction;
import dev.kappa.schemas.results.VelocityAlert;
import dev.kappa.schemas.results.VelocityFlag;
import dev.kappa.transforms.windowing.WindowSpec;
import dev.kappa.transforms.windowing.Windowing;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;

/**
 * Card-fraud detection over {@code CardTransaction} events: a velocity rule and a sliding risk
 * score per card (see {@link DetectCardFraud} and {@code docs/pipelines/card-fraud.md}).
 *
 * <p><b>Velocity.</b> A transaction qualifies when its amount exceeds its currency's threshold; a
 * qualifying transaction {@code t} raises an alert when at least {@code velocityCount - 1} other
 * qualifying transactions of its card have event times in {@code [t - velocityInterval, t]}. The
 * set of alerts is the same in a stream, a backfill and any replay; each comes out once, as soon as
 * its evidence has arrived.
 *
 * <p><b>Risk.</b> Per card and sliding window ({@code riskWindow}): count, total, distinct
 * merchants and countries, and transactions outside the customer's home country as of their time
 * (temporal join against the customers change stream); scored by {@link RiskScoring}. Early panes
 * are speculative; the final pane is the answer, and a final score over {@code riskThreshold} is a
 * risk alert.
 *
 * <pre>{@code
 * scripts/kappa run card-fraud @runners-config/flink-embedded.args --source=REPLAY \
 *     --input=test-data/card-fraud/transactions.jsonl \
 *     --customerChanges=test-data/card-fraud/customers.changelog.jsonl
 * }</pre>
 */
public final class CardFraud implements KappaJob<CardFraud.Options> {

  /** Everything CardFraud reads from the command line: the shared settings and its own. */
  public interface Options extends JobOptions, LatenessOptions, CardFraudOptions {}

  static final Events<Options> TRANSACTIONS =
      Events.<Options>read("ReadTransactions", TransactionDecoder::eventTime)
          .withDefaultTopics("card-transactions");

  static final Table<Options, Customer> CUSTOMERS =
      Table.<Options, Customer>of("customers", "customer_id", Customer.class, "CustomerChanges")
          .joinedBy("customerEnrichment", Options::getCustomerEnrichment)
          .changesIn("customerChanges", Options::getCustomerChanges)
          .missingKeys("missingCustomer", Options::getMissingCustomer);

  static final Output<Options, VelocityAlert> VELOCITY_ALERTS =
      Output.<Options, VelocityAlert>of("WriteVelocityAlerts", VelocityAlert.class, "velocity")
          .to("velocityAlertsOutput", Options::getVelocityAlertsOutput)
          .formattedBy(FraudFormat::human)
          .keyedBy(a -> Outputs.utf8(a.getCardId() + "|" + a.getTransactionId()));

  static final ResultTable<Options, VelocityFlag> VELOCITY_TABLE =
      ResultTable.<Options, VelocityFlag>of(
              "UpsertVelocityAlerts", "RewindowVelocityUpsertFailures", VelocityFlag.class)
          .in("velocityAlertsTable", Options::getVelocityAlertsTable)
          .keyedBy("card_id", "transaction_id");

  static final Output<Options, RiskAlert> RISK_ALERTS =
      Output.<Options, RiskAlert>of("WriteRiskAlerts", RiskAlert.class, "risk")
          .to("riskAlertsOutput", Options::getRiskAlertsOutput)
          .formattedBy(FraudFormat::human)
          .keyedBy(CardFraud::windowKey);

  static final ResultTable<Options, RiskAlert> RISK_TABLE =
      ResultTable.<Options, RiskAlert>of(
              "UpsertRiskAlerts", "RewindowRiskUpsertFailures", RiskAlert.class)
          .in("riskAlertsTable", Options::getRiskAlertsTable)
          .keyedBy("card_id", "window_start", "window_end");

  static final Output<Options, RiskScore> SCORES =
      Output.<Options, RiskScore>of("WriteScores", RiskScore.class, "score")
          .to("output", Options::getOutput)
          .formattedBy(FraudFormat::human)
          .keyedBy(s -> Outputs.utf8(s.getCardId() + "|" + s.getWindowStart()))
          .sortedOnConsole();

  static final Output<Options, TooLateTransaction> TOO_LATE =
      Output.<Options, TooLateTransaction>of("WriteTooLate", TooLateTransaction.class, "too-late")
          .to("tooLateOutput", Options::getTooLateOutput)
          .formattedBy(FraudFormat::human)
          .keyedBy(l -> Outputs.utf8(l.getTransaction().getTransactionId()));

  /**
   * The report: per risk window, the transactions of every card's final score (qualifying and
   * foreign ones too), and the alerts (risk alerts in their window, velocity alerts in the minute
   * of their transaction); too-late transactions per window they missed and rule.
   */
  static final JobReport<Options> REPORT =
      JobReport.of(SCORES, CardFraud::reportRow)
          .andResults(RISK_ALERTS, CardFraud::reportRow)
          .andResults(VELOCITY_ALERTS, CardFraud::reportRow)
          .measure("transactions", "transactions", 1)
          .measure("amount_cents", "amount", 100)
          .chart(
              JobReport.Chart.measures(
                  "Transactions per risk window",
                  "Summed over the cards of each window's final score (a transaction is in as many"
                      + " sliding windows as their size over their period).",
                  "transactions",
                  1,
                  List.of(
                      new JobReport.Measure("transactions", "transactions", 1),
                      new JobReport.Measure("qualifying", "over the velocity threshold", 1),
                      new JobReport.Measure("foreign", "outside the home country", 1))))
          .chart(
              JobReport.Chart.measures(
                  "Alerts",
                  "Risk alerts per risk window; velocity alerts per minute of their transaction.",
                  "alerts",
                  1,
                  List.of(
                      new JobReport.Measure("risk_alerts", "risk alerts", 1),
                      new JobReport.Measure("velocity_alerts", "velocity alerts", 1))))
          .tooLate(TOO_LATE, "rule", CardFraud::reportTooLate);

  public static void main(String[] args) {
    JobRunner.main(new CardFraud(), args);
  }

  @Override
  public String name() {
    return "card-fraud";
  }

  @Override
  public String description() {
    return "Card-fraud alerts: a velocity rule per card and sliding risk scores with the"
        + " customer's home country as of each transaction.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<JobPart<Options>> parts() {
    return List.of(
        TRANSACTIONS,
        CUSTOMERS,
        VELOCITY_ALERTS,
        VELOCITY_TABLE,
        RISK_ALERTS,
        RISK_TABLE,
        SCORES,
        TOO_LATE);
  }

  @Override
  public void checkOptions(Options options) {
    thresholds(options);
    velocityInterval(options);
    riskWindowing(options, false);
    if (options.getVelocityCount() < 2) {
      throw new InvalidOptionException(
          "velocityCount", "must be at least 2, was " + options.getVelocityCount());
    }
    double threshold = options.getRiskThreshold();
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new InvalidOptionException("riskThreshold", "must be in [0, 1], was " + threshold);
    }
  }

  @Override
  public void build(JobContext<Options> job) {
    Options options = job.options();
    PCollectionTuple out =
        job.read(TRANSACTIONS)
            .apply(
                "DetectCardFraud",
                DetectCardFraud.with(
                    thresholds(options),
                    options.getVelocityCount(),
                    velocityInterval(options),
                    riskWindowing(options, job.settings().bounded()),
                    options.getRiskThreshold(),
                    job.join(CUSTOMERS)));
    job.write(out.get(DetectCardFraud.velocityAlertsTag()), VELOCITY_ALERTS);
    job.upsert(out.get(DetectCardFraud.velocityFlagsTag()), VELOCITY_TABLE);
    job.write(out.get(DetectCardFraud.riskAlertsTag()), RISK_ALERTS);
    job.upsert(out.get(DetectCardFraud.riskAlertsTag()), RISK_TABLE);
    job.write(out.get(DetectCardFraud.scoresTag()), SCORES);
    job.write(out.get(DetectCardFraud.tooLateTag()), TOO_LATE);
    job.deadLetters(out.get(DetectCardFraud.deadLettersTag()));
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
            "--input=test-data/card-fraud/transactions.jsonl",
            "--customerChanges=test-data/card-fraud/customers.changelog.jsonl",
            "--output=console"),
        List.of(
            "backfill",
            name(),
            "@runners-config/flink-embedded.args",
            "--bootstrapServers=localhost:9092",
            "--inputTopics=card-transactions",
            "--customerChanges=kafka:customers-changes",
            "--from=2026-03-01T00:00:00Z",
            "--to=2026-03-02T00:00:00Z",
            "--velocityAlertsTable=velocity_alerts",
            "--riskAlertsTable=risk_alerts"));
  }

  static AmountThresholds thresholds(Options options) {
    try {
      return AmountThresholds.parse(
          options.getVelocityMinAmount(), options.getVelocityMinAmounts());
    } catch (IllegalArgumentException e) {
      String option =
          options.getVelocityMinAmount() < 0 ? "velocityMinAmount" : "velocityMinAmounts";
      throw new InvalidOptionException(option, e.getMessage(), e);
    }
  }

  static Duration velocityInterval(Options options) {
    Duration interval =
        OptionValues.optionalPositiveDuration("velocityInterval", options.getVelocityInterval());
    if (interval == null) {
      throw new InvalidOptionException(
          "velocityInterval", "must be a positive duration, was " + options.getVelocityInterval());
    }
    return interval;
  }

  /**
   * The risk windows: accumulating (each pane is the whole score so far, the final one the answer),
   * a final pane always emitted when a window closes, the shared lateness options (late panes per
   * {@code --lateFiringCount} late transactions and/or {@code --lateFiringDelay} of processing time
   * after a pane's first late one, as order-revenue applies them), and early firings only in a
   * stream.
   *
   * <p>{@code --closingBehavior=FIRE_IF_NON_EMPTY} is refused: a risk alert is a window's final
   * pane, and Beam leaves the final pane out when nothing arrived since the pane before it, so most
   * risk alerts would be lost without a word.
   */
  static Windowing riskWindowing(Options options, boolean bounded) {
    WindowSpec window;
    try {
      window = WindowSpec.parse(options.getRiskWindow());
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException("riskWindow", e.getMessage(), e);
    }
    if (window.kind() != WindowSpec.Kind.SLIDING && window.kind() != WindowSpec.Kind.FIXED) {
      throw new InvalidOptionException(
          "riskWindow", "must be sliding:<size>,<period> or fixed:<size>, was " + window);
    }
    if (options.getClosingBehavior() != ClosingBehavior.FIRE_ALWAYS) {
      throw new InvalidOptionException(
          "closingBehavior",
          "must be FIRE_ALWAYS for card-fraud, was "
              + options.getClosingBehavior()
              + ": a risk alert is a window's final pane, which "
              + options.getClosingBehavior()
              + " leaves out when nothing arrived since the pane before it");
    }
    Duration lateness = OptionValues.duration("allowedLateness", options.getAllowedLateness());
    int lateCount = options.getLateFiringCount();
    if (lateCount < 0) {
      throw new InvalidOptionException(
          "lateFiringCount", "must be 0 (none) or more, was " + lateCount);
    }
    Duration lateDelay =
        OptionValues.optionalPositiveDuration("lateFiringDelay", options.getLateFiringDelay());
    if (lateCount == 0 && lateDelay == null && lateness.getMillis() > 0) {
      throw new InvalidOptionException(
          "lateFiringCount",
          "is 0 and --lateFiringDelay is none, but --allowedLateness is "
              + options.getAllowedLateness()
              + ": late transactions would be accepted and their scores never reported; set"
              + " --lateFiringCount (1: a pane per late transaction), --lateFiringDelay, or"
              + " --allowedLateness=PT0S");
    }
    Windowing windowing =
        Windowing.of(window)
            .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES)
            .withAllowedLateness(lateness)
            .withClosingBehavior(ClosingBehavior.FIRE_ALWAYS);
    if (lateCount > 0) {
      windowing = windowing.withLateFiringsEvery(lateCount);
    }
    if (lateDelay != null) {
      windowing = windowing.withLateFiringsAfter(lateDelay);
    }
    Duration early =
        OptionValues.optionalPositiveDuration("riskEarlyFirings", options.getRiskEarlyFirings());
    return early == null || bounded ? windowing : windowing.withEarlyFiringsEvery(early);
  }

  static Reconciliation.Row reportRow(RiskScore score) {
    return new Reconciliation.Row(
        score.getWindowStart(),
        score.getWindowEnd(),
        List.of(score.getCardId()),
        score.getPaneIndex(),
        Map.of(
            "transactions", score.getTransactionCount(),
            "qualifying", score.getQualifyingCount(),
            "foreign", score.getForeignCount()));
  }

  static Reconciliation.Row reportRow(RiskAlert alert) {
    return new Reconciliation.Row(
        alert.getWindowStart(),
        alert.getWindowEnd(),
        List.of(alert.getCardId(), "risk alert"),
        0,
        Map.of("risk_alerts", 1L));
  }

  static Reconciliation.Row reportRow(VelocityAlert alert) {
    Instant minute = alert.getEventTime().truncatedTo(ChronoUnit.MINUTES);
    return new Reconciliation.Row(
        minute,
        minute.plus(1, ChronoUnit.MINUTES),
        List.of(alert.getCardId(), alert.getTransactionId()),
        0,
        Map.of("velocity_alerts", 1L));
  }

  static Reconciliation.TooLate reportTooLate(TooLateTransaction late) {
    return new Reconciliation.TooLate(
        late.getMissedWindow().getWindowStart(),
        late.getMissedWindow().getWindowEnd(),
        List.of(late.getRule()),
        Map.of("transactions", 1L, "amount_cents", late.getTransaction().getAmountCents()),
        FraudFormat.human(late));
  }

  /** A risk alert's Kafka key: card and window, so compaction keeps one per window. */
  static byte[] windowKey(RiskAlert alert) {
    return Outputs.utf8(
        alert.getCardId() + "|" + alert.getWindowStart() + "|" + alert.getWindowEnd());
  }
}
