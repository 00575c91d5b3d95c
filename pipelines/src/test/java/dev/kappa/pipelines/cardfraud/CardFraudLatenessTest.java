package dev.kappa.pipelines.cardfraud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.TestIo;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.results.RiskAlert;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.TooLateTransaction;
import dev.kappa.schemas.results.VelocityAlert;
import dev.kappa.schemas.results.VelocityFlag;
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
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole CardFraud job as a stream, one test per lateness case (Beam's LeaderBoard tests are the
 * model): on time, early (a speculative score), late within the allowed lateness, too late. Each
 * asserts every output: velocity alerts and their table rows, every risk score pane (timing, index,
 * final or not), risk alerts and their table rows, too-late transactions, dead letters.
 *
 * <p>Risk windows of five minutes (fixed, so each transaction is in one window), early firings
 * every 30 s of processing time, ten minutes of allowed lateness, a late pane per late transaction,
 * and a final pane when a window closes. Card K-1 of customer CU-1, at home in DE since yesterday:
 * TX-1 at 10:00:10 (M-1), TX-2 at 10:00:20 (M-2), TX-3 at 10:00:30 (M-3, in FR: foreign), each
 * 200.00 EUR (over the 100.00 threshold); TX-3 completes a velocity burst (three within 60 s).
 * Scores by {@link RiskScoring}: these three give 0.60; a fourth qualifying one from M-4 0.75; the
 * first two alone 0.20. Risk alerts are final scores over 0.5.
 */
@ExtendWith(TestPipelineExtension.class)
class CardFraudLatenessTest {
  private static final AtomicLong OFFSET = new AtomicLong();
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant WINDOW_END = T0.plus(Duration.standardMinutes(5));
  private static final Instant CLOSED = T0.plus(Duration.standardMinutes(16));

  private static SourceRecord record(String name, String json) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("test")
                .setName(name)
                .setOffset(OFFSET.incrementAndGet())
                .build())
        .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static TimestampedValue<SourceRecord> tx(
      String id, int second, String merchant, String country) {
    Instant time = T0.plus(Duration.standardSeconds(second));
    return TimestampedValue.of(
        record(
            "transactions",
            String.format(
                "{\"transaction_id\":\"%s\",\"card_id\":\"K-1\",\"customer_id\":\"CU-1\","
                    + "\"merchant_id\":\"%s\",\"amount_cents\":20000,\"currency\":\"EUR\","
                    + "\"country\":\"%s\",\"event_time\":\"%s\"}",
                id, merchant, country, time)),
        time);
  }

  /** CU-1 lives in DE, from yesterday: a Debezium snapshot row stamped with its change time. */
  private static TimestampedValue<SourceRecord> customer() {
    Instant yesterday = T0.minus(Duration.standardDays(1));
    return TimestampedValue.of(
        record(
            "customers",
            String.format(
                "{\"before\":null,\"after\":{\"customer_id\":\"CU-1\",\"name\":\"One\","
                    + "\"email\":\"one@example.com\",\"tier\":\"standard\",\"country\":\"DE\","
                    + "\"updated_at\":\"%s\"},\"source\":{\"table\":\"customers\",\"ts_ms\":%d},"
                    + "\"op\":\"r\",\"ts_ms\":%d}",
                yesterday, yesterday.getMillis(), yesterday.getMillis())),
        yesterday);
  }

  /** The script's start: the customer, then the watermark at T0. */
  private static TestStream.Builder<SourceRecord> start() {
    return TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
        .advanceWatermarkTo(T0.minus(Duration.standardDays(2)))
        .addElements(customer())
        .advanceWatermarkTo(T0);
  }

  /** The three transactions of the burst. */
  private static TestStream.Builder<SourceRecord> burst(TestStream.Builder<SourceRecord> script) {
    return script.addElements(
        tx("TX-1", 10, "M-1", "DE"), tx("TX-2", 20, "M-2", "DE"), tx("TX-3", 30, "M-3", "FR"));
  }

  /** Runs the job over {@code script}; each output is then described by the methods below. */
  private static TestIo run(TestPipeline p, TestStream<SourceRecord> script) {
    return run(p, script, "--lateFiringCount=1");
  }

  /** As {@link #run(TestPipeline, TestStream)}, with these options (late firings). */
  private static TestIo run(TestPipeline p, TestStream<SourceRecord> script, String... late) {
    TestIo io =
        TestIo.reading(script)
            .route("ReadTransactions", "transactions")
            .route("ReadCustomerChanges", "customers");
    JobRunner.build(new CardFraud(), p, options(late), io);
    return io;
  }

  private static CardFraud.Options options(String... late) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--source=REPLAY",
                "--input=never-read.jsonl",
                "--customerChanges=never-read.changelog.jsonl",
                "--riskWindow=fixed:PT5M",
                "--riskEarlyFirings=PT30S",
                "--allowedLateness=PT10M",
                "--riskThreshold=0.5",
                "--velocityAlertsTable=velocity_alerts",
                "--riskAlertsTable=risk_alerts",
                "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/x"));
    for (String option : late) {
      // An option given here replaces the one above: Beam refuses an option given twice.
      String name = option.substring(0, option.indexOf('=') + 1);
      args.removeIf(arg -> arg.startsWith(name));
      args.add(option);
    }
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).as(CardFraud.Options.class);
  }

  /** How a transaction of {@link #tx} is named in an alert's evidence. */
  private static String named(String id, int second) {
    return id
        + "@"
        + java.time.Instant.ofEpochMilli(T0.plus(Duration.standardSeconds(second)).getMillis());
  }

  /** TX-3's alert: TX-1 and TX-2 are the only other transactions in its minute, in any order. */
  private static final String TX3_ALERT =
      "TX-3 evidence=2 " + named("TX-1", 10) + "," + named("TX-2", 20);

  /** TX-4's alert, TX-1 to TX-3 in its minute, all three arrived before it. */
  private static final String TX4_ALERT =
      "TX-4 evidence=3 " + named("TX-1", 10) + "," + named("TX-2", 20) + "," + named("TX-3", 30);

  private static <T> PCollection<String> described(
      PCollection<T> records, String name, SerializableFunction<T, String> describe) {
    return records.apply(name, MapElements.into(TypeDescriptors.strings()).via(describe));
  }

  private static PCollection<String> velocityAlerts(TestIo io) {
    return described(
        io.<VelocityAlert>output("WriteVelocityAlerts"),
        "DescribeVelocityAlerts",
        a -> a.getTransactionId() + " evidence=" + a.getEvidenceCount() + " " + a.getEvidence());
  }

  private static PCollection<String> velocityRows(TestIo io) {
    return described(
        io.<VelocityFlag>output("UpsertVelocityAlerts"),
        "DescribeVelocityRows",
        f -> f.getCardId() + " " + f.getTransactionId());
  }

  private static PCollection<String> scores(TestIo io) {
    return described(
        io.<RiskScore>output("WriteScores"),
        "DescribeScores",
        s ->
            s.getPaneTiming()
                + "#"
                + s.getPaneIndex()
                + (s.getFinalPane() ? " final" : "")
                + " n="
                + s.getTransactionCount()
                + " merchants="
                + s.getDistinctMerchants()
                + " foreign="
                + s.getForeignCount()
                + " score="
                + s.getScore());
  }

  private static PCollection<String> riskAlerts(TestIo io, String output) {
    return described(
        io.<RiskAlert>output(output),
        "Describe" + output,
        a ->
            a.getCardId()
                + " "
                + a.getWindowStart()
                + ".."
                + a.getWindowEnd()
                + " n="
                + a.getTransactionCount()
                + " score="
                + a.getScore());
  }

  private static PCollection<String> tooLate(TestIo io) {
    return described(
        io.<TooLateTransaction>output("WriteTooLate"),
        "DescribeTooLate",
        l -> l.getTransaction().getTransactionId() + " " + l.getRule());
  }

  private static void noDeadLetters(TestIo io) {
    PAssert.that(io.<DeadLetter>output("WriteDeadLetters")).empty();
  }

  /** On time: the on-time pane, then the final pane when the window closes; the alerts. */
  @Test
  void onTime(TestPipeline p) {
    TestIo io =
        run(
            p,
            burst(start())
                .advanceWatermarkTo(WINDOW_END)
                .advanceWatermarkTo(CLOSED)
                .advanceWatermarkToInfinity());

    PAssert.that(velocityAlerts(io)).containsInAnyOrder(TX3_ALERT);
    PAssert.that(velocityRows(io)).containsInAnyOrder("K-1 TX-3");
    PAssert.that(scores(io))
        .containsInAnyOrder(
            "ON_TIME#0 n=3 merchants=3 foreign=1 score=0.6",
            "LATE#1 final n=3 merchants=3 foreign=1 score=0.6");
    String alert = "K-1 2026-03-01T10:00:00Z..2026-03-01T10:05:00Z n=3 score=0.6";
    PAssert.that(riskAlerts(io, "WriteRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(riskAlerts(io, "UpsertRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(tooLate(io)).empty();
    noDeadLetters(io);
    p.run();
  }

  /**
   * Early: TX-1 and TX-2 reach the window and 30 s of processing time pass: a speculative pane
   * (0.20, not an alert). TX-3 then completes the burst: its velocity alert comes out at once, not
   * at the watermark; the on-time and final panes have all three.
   */
  @Test
  void early(TestPipeline p) {
    TestIo io =
        run(
            p,
            start()
                .addElements(tx("TX-1", 10, "M-1", "DE"), tx("TX-2", 20, "M-2", "DE"))
                .advanceWatermarkTo(T0.plus(Duration.standardMinutes(1)))
                .advanceProcessingTime(Duration.standardSeconds(31))
                .addElements(tx("TX-3", 30, "M-3", "FR"))
                .advanceWatermarkTo(WINDOW_END)
                .advanceWatermarkTo(CLOSED)
                .advanceWatermarkToInfinity());

    PAssert.that(velocityAlerts(io)).containsInAnyOrder(TX3_ALERT);
    PAssert.that(velocityRows(io)).containsInAnyOrder("K-1 TX-3");
    PAssert.that(scores(io))
        .containsInAnyOrder(
            "EARLY#0 n=2 merchants=2 foreign=0 score=0.2",
            "ON_TIME#1 n=3 merchants=3 foreign=1 score=0.6",
            "LATE#2 final n=3 merchants=3 foreign=1 score=0.6");
    String alert = "K-1 2026-03-01T10:00:00Z..2026-03-01T10:05:00Z n=3 score=0.6";
    PAssert.that(riskAlerts(io, "WriteRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(riskAlerts(io, "UpsertRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(tooLate(io)).empty();
    noDeadLetters(io);
    p.run();
  }

  /**
   * Late within the allowed lateness: after the on-time pane, TX-4 at 10:00:40 (M-4) arrives. It
   * completes a velocity burst of its own (the evidence is still kept) and gives a late pane; the
   * final pane and the risk alert count it.
   */
  @Test
  void lateWithinTheAllowedLateness(TestPipeline p) {
    TestIo io =
        run(
            p,
            burst(start())
                .advanceWatermarkTo(WINDOW_END)
                .addElements(tx("TX-4", 40, "M-4", "DE"))
                .advanceWatermarkTo(CLOSED)
                .advanceWatermarkToInfinity());

    PAssert.that(velocityAlerts(io)).containsInAnyOrder(TX3_ALERT, TX4_ALERT);
    PAssert.that(velocityRows(io)).containsInAnyOrder("K-1 TX-3", "K-1 TX-4");
    PAssert.that(scores(io))
        .containsInAnyOrder(
            "ON_TIME#0 n=3 merchants=3 foreign=1 score=0.6",
            "LATE#1 n=4 merchants=4 foreign=1 score=0.75",
            "LATE#2 final n=4 merchants=4 foreign=1 score=0.75");
    String alert = "K-1 2026-03-01T10:00:00Z..2026-03-01T10:05:00Z n=4 score=0.75";
    PAssert.that(riskAlerts(io, "WriteRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(riskAlerts(io, "UpsertRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(tooLate(io)).empty();
    noDeadLetters(io);
    p.run();
  }

  /**
   * Too late: TX-5 at 10:00:50 arrives once the watermark is past the window's end plus the
   * lateness. It is reported too late once per rule it missed, velocity and risk; it raises no
   * alert and changes no pane.
   */
  @Test
  void tooLate(TestPipeline p) {
    TestIo io =
        run(
            p,
            burst(start())
                .advanceWatermarkTo(WINDOW_END)
                .advanceWatermarkTo(CLOSED)
                .addElements(tx("TX-5", 50, "M-5", "DE"))
                .advanceWatermarkToInfinity());

    PAssert.that(velocityAlerts(io)).containsInAnyOrder(TX3_ALERT);
    PAssert.that(velocityRows(io)).containsInAnyOrder("K-1 TX-3");
    PAssert.that(scores(io))
        .containsInAnyOrder(
            "ON_TIME#0 n=3 merchants=3 foreign=1 score=0.6",
            "LATE#1 final n=3 merchants=3 foreign=1 score=0.6");
    String alert = "K-1 2026-03-01T10:00:00Z..2026-03-01T10:05:00Z n=3 score=0.6";
    PAssert.that(riskAlerts(io, "WriteRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(riskAlerts(io, "UpsertRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(tooLate(io)).containsInAnyOrder("TX-5 velocity", "TX-5 risk");
    noDeadLetters(io);
    p.run();
  }

  /**
   * Late panes after a processing-time delay ({@code --lateFiringDelay=PT1M}, no per-count firing):
   * after the on-time pane, TX-4 (10:00:40, M-4) arrives late, 30 s of processing time pass without
   * a pane, TX-6 (10:00:45, M-6) arrives, and once a minute has passed since TX-4 one late pane
   * holds both (0.85). Per count (the other tests) each would have had a pane of its own. The
   * velocity alerts are not windowed: TX-4 and TX-6 each alert at once.
   */
  @Test
  void latePaneAfterTheLateFiringDelay(TestPipeline p) {
    TestIo io =
        run(
            p,
            burst(start())
                .advanceWatermarkTo(WINDOW_END)
                .addElements(tx("TX-4", 40, "M-4", "DE"))
                .advanceProcessingTime(Duration.standardSeconds(30))
                .addElements(tx("TX-6", 45, "M-6", "DE"))
                .advanceProcessingTime(Duration.standardSeconds(31))
                .advanceWatermarkTo(CLOSED)
                .advanceWatermarkToInfinity(),
            "--lateFiringCount=0",
            "--lateFiringDelay=PT1M");

    PAssert.that(velocityAlerts(io))
        .containsInAnyOrder(
            TX3_ALERT,
            TX4_ALERT,
            "TX-6 evidence=4 "
                + named("TX-1", 10)
                + ","
                + named("TX-2", 20)
                + ","
                + named("TX-3", 30)
                + ","
                + named("TX-4", 40));
    PAssert.that(velocityRows(io)).containsInAnyOrder("K-1 TX-3", "K-1 TX-4", "K-1 TX-6");
    PAssert.that(scores(io))
        .containsInAnyOrder(
            "ON_TIME#0 n=3 merchants=3 foreign=1 score=0.6",
            "LATE#1 n=5 merchants=5 foreign=1 score=0.85",
            "LATE#2 final n=5 merchants=5 foreign=1 score=0.85");
    String alert = "K-1 2026-03-01T10:00:00Z..2026-03-01T10:05:00Z n=5 score=0.85";
    PAssert.that(riskAlerts(io, "WriteRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(riskAlerts(io, "UpsertRiskAlerts")).containsInAnyOrder(alert);
    PAssert.that(tooLate(io)).empty();
    noDeadLetters(io);
    p.run();
  }

  /**
   * The late-firing options card-fraud cannot honour are refused at launch, naming the option: a
   * closing behaviour that would leave out the final pane (the risk alert), and lateness with no
   * late firing at all. The ones it applies pass.
   */
  @Test
  void lateFiringOptionsItCannotApplyAreRefusedAtLaunch() {
    InvalidOptionException closing =
        assertThrows(
            InvalidOptionException.class,
            () -> new CardFraud().checkOptions(options("--closingBehavior=FIRE_IF_NON_EMPTY")));
    assertThat(closing.option(), equalTo("closingBehavior"));
    assertThat(closing.getMessage(), containsString("final pane"));

    InvalidOptionException none =
        assertThrows(
            InvalidOptionException.class,
            () -> new CardFraud().checkOptions(options("--lateFiringCount=0")));
    assertThat(none.option(), equalTo("lateFiringCount"));

    InvalidOptionException badDelay =
        assertThrows(
            InvalidOptionException.class,
            () -> new CardFraud().checkOptions(options("--lateFiringDelay=soon")));
    assertThat(badDelay.option(), equalTo("lateFiringDelay"));

    new CardFraud().checkOptions(options("--lateFiringCount=0", "--lateFiringDelay=PT1M"));
    new CardFraud().checkOptions(options("--lateFiringCount=0", "--allowedLateness=PT0S"));
  }
}
