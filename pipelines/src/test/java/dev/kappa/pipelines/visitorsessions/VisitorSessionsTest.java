package dev.kappa.pipelines.visitorsessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.LaunchIo;
import dev.kappa.pipelines.job.TestIo;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.results.SessionKey;
import dev.kappa.schemas.results.SessionRetraction;
import dev.kappa.schemas.results.TooLateVisitorEvent;
import dev.kappa.schemas.results.VisitorSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
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
 * The whole VisitorSessions job, built by the job layer with its source replaced (or the launcher's
 * own files source) and every output captured: a bounded run of {@code
 * test-data/visitor-sessions/events.jsonl} against the Python reference's {@code
 * expected-sessions.jsonl}, and a TestStream with each lateness case.
 */
@ExtendWith(TestPipelineExtension.class)
class VisitorSessionsTest {
  private static final AtomicLong OFFSET = new AtomicLong();
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data")).resolve(relative);
  }

  private static SourceRecord record(String json) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("test")
                .setName("events")
                .setOffset(OFFSET.incrementAndGet())
                .build())
        .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static VisitorSessions.Options options(String... extra) {
    List<String> args = new ArrayList<>(List.of("--source=REPLAY", "--input=never-read.jsonl"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .as(VisitorSessions.Options.class);
  }

  private static <T> PCollection<String> described(
      PCollection<T> records, String name, SerializableFunction<T, String> describe) {
    return records.apply(name, MapElements.into(TypeDescriptors.strings()).via(describe));
  }

  /** The Python reference's sessions of {@code test-data/visitor-sessions/events.jsonl}. */
  private static List<VisitorSession> referenceSessions() throws IOException {
    EventCodec<VisitorSession> codec = EventCodec.of(VisitorSession.class);
    List<VisitorSession> expected = new ArrayList<>();
    for (String line : Files.readAllLines(testData("visitor-sessions/expected-sessions.jsonl"))) {
      expected.add(codec.decode(line.getBytes(StandardCharsets.UTF_8)));
    }
    return expected;
  }

  /** Records stamped with their event time, as the Kafka and replay sources stamp them. */
  @Test
  void aBoundedRunEqualsTheReference(TestPipeline p) throws IOException {
    List<TimestampedValue<SourceRecord>> records = new ArrayList<>();
    for (String line : Files.readAllLines(testData("visitor-sessions/events.jsonl"))) {
      SourceRecord record = record(line);
      records.add(TimestampedValue.of(record, VisitorEventDecoder.eventTime(record)));
    }
    List<VisitorSession> expected = referenceSessions();
    TestIo io =
        TestIo.reading(
                Create.timestamped(records).withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .route("ReadEvents", "events");

    JobRunner.build(
        new VisitorSessions(),
        p,
        options("--sessionsTable=visitor_sessions", "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/x"),
        io);

    PAssert.that(io.<VisitorSession>output("WriteSessions")).containsInAnyOrder(expected);
    PAssert.that(io.<VisitorSession>output("UpsertSessions")).containsInAnyOrder(expected);
    PAssert.that(io.<SessionRetraction>output("WriteRetractions")).empty();
    PAssert.that(io.<SessionKey>output("DeleteRetractedSessions")).empty();
    PAssert.that(io.<TooLateVisitorEvent>output("WriteTooLate")).empty();
    PAssert.that(io.<DeadLetter>output("WriteDeadLetters")).empty();
    p.run();
  }

  /**
   * The launcher's own FILES source ({@code --source=FILES}, {@link LaunchIo}), which stamps no
   * event time (every record has the minimum timestamp): the job must stamp the events itself. It
   * did not, so every visitor's events fell into one session: 53 sessions, one per visitor, where
   * the reference has 74 (C-02's 10:27 and 12:26:50 sessions came out as one).
   */
  @Test
  void aBoundedRunFromFilesEqualsTheReference(TestPipeline p) throws IOException {
    List<VisitorSession> expected = referenceSessions();
    TestIo io = TestIo.readingThrough(new LaunchIo());

    JobRunner.build(
        new VisitorSessions(),
        p,
        PipelineOptionsFactory.fromArgs(
                "--source=FILES",
                "--input=" + testData("visitor-sessions/events.jsonl").toAbsolutePath(),
                "--sessionsTable=visitor_sessions",
                "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/x")
            .as(VisitorSessions.Options.class),
        io);

    PAssert.that(io.<VisitorSession>output("WriteSessions")).containsInAnyOrder(expected);
    PAssert.that(io.<VisitorSession>output("UpsertSessions")).containsInAnyOrder(expected);
    PAssert.that(io.<SessionRetraction>output("WriteRetractions")).empty();
    PAssert.that(io.<SessionKey>output("DeleteRetractedSessions")).empty();
    PAssert.that(io.<TooLateVisitorEvent>output("WriteTooLate")).empty();
    PAssert.that(io.<DeadLetter>output("WriteDeadLetters")).empty();
    p.run();
  }

  private static String view(String id, String customer, int minute) {
    return String.format(
        "{\"view_id\":\"%s\",\"session_id\":\"S-1\",\"customer_id\":%s,\"url\":\"/%s\","
            + "\"event_time\":\"%s\"}",
        id,
        customer == null ? "null" : "\"" + customer + "\"",
        id,
        T0.plus(Duration.standardMinutes(minute)));
  }

  private static String order(String id, int minute) {
    return String.format(
        "{\"order_id\":\"%s\",\"customer_id\":\"C-1\",\"product_id\":\"P-1\",\"quantity\":2,"
            + "\"unit_price_cents\":500,\"event_time\":\"%s\"}",
        id, T0.plus(Duration.standardMinutes(minute)));
  }

  private static TimestampedValue<SourceRecord> at(String json, int minute) {
    return TimestampedValue.of(record(json), T0.plus(Duration.standardMinutes(minute)));
  }

  /**
   * Thirty-minute gap, an hour of lateness. C-1 views at 10:00 and 10:40 and orders at 10:45: two
   * sessions, emitted once the watermark passes 11:15. A late view at 10:20 bridges them: the
   * merged session replaces both, under the first one's start, and the second is retracted. An
   * anonymous visitor's view at 10:05 is a session of its own, emitted at 10:35; its late view at
   * 10:06 joins it, so it comes out again under the same start (an update: upserted, nothing
   * retracted). Every version goes to the sessions table's upserts. The watermark passes 12:16 (the
   * merged session closed at 12:14:59.999, its end plus the hour); a view at 10:10 is then too late
   * and names that session. A line that is neither event is a dead letter.
   */
  @Test
  void everyLatenessCaseThroughTheJob(TestPipeline p) {
    TestStream<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
            .advanceWatermarkTo(T0)
            .addElements(
                at(view("V-1", "C-1", 0), 0),
                at(view("V-2", "C-1", 40), 40),
                at(order("O-1", 45), 45),
                at(view("V-3", null, 5), 5),
                at("{\"neither\": true}", 5))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(80)))
            .addElements(at(view("V-4", "C-1", 20), 20), at(view("V-6", null, 6), 6))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(136)))
            .addElements(at(view("V-5", "C-1", 10), 10))
            .advanceWatermarkToInfinity();
    TestIo io = TestIo.reading(script).route("ReadEvents", "events");

    JobRunner.build(
        new VisitorSessions(),
        p,
        options(
            "--sessionGap=PT30M",
            "--allowedLateness=PT1H",
            "--sessionsTable=visitor_sessions",
            "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/x"),
        io);

    PAssert.that(
            described(
                io.<VisitorSession>output("WriteSessions"),
                "DescribeSessions",
                s ->
                    s.getVisitorId()
                        + " "
                        + s.getSessionStart()
                        + ".."
                        + s.getSessionEnd()
                        + " pages="
                        + s.getPageCount()
                        + " orders="
                        + s.getOrders()
                        + " revenue="
                        + s.getRevenueMinorUnits()
                        + " "
                        + s.getLandingPage()
                        + "->"
                        + s.getExitPage()))
        .containsInAnyOrder(
            "C-1 2026-03-01T10:00:00Z..2026-03-01T10:00:00Z pages=1 orders=0 revenue=0 /V-1->/V-1",
            "C-1 2026-03-01T10:40:00Z..2026-03-01T10:45:00Z pages=1 orders=1 revenue=1000"
                + " /V-2->/V-2",
            "C-1 2026-03-01T10:00:00Z..2026-03-01T10:45:00Z pages=3 orders=1 revenue=1000"
                + " /V-1->/V-2",
            "anonymous:S-1 2026-03-01T10:05:00Z..2026-03-01T10:05:00Z pages=1 orders=0 revenue=0"
                + " /V-3->/V-3",
            "anonymous:S-1 2026-03-01T10:05:00Z..2026-03-01T10:06:00Z pages=2 orders=0 revenue=0"
                + " /V-3->/V-6");
    PAssert.that(
            described(
                io.<VisitorSession>output("UpsertSessions"),
                "DescribeUpserts",
                s -> s.getVisitorId() + " " + s.getSessionStart() + " pages=" + s.getPageCount()))
        .containsInAnyOrder(
            "C-1 2026-03-01T10:00:00Z pages=1",
            "C-1 2026-03-01T10:40:00Z pages=1",
            "C-1 2026-03-01T10:00:00Z pages=3",
            "anonymous:S-1 2026-03-01T10:05:00Z pages=1",
            "anonymous:S-1 2026-03-01T10:05:00Z pages=2");
    PAssert.that(
            described(
                io.<SessionRetraction>output("WriteRetractions"),
                "DescribeRetractions",
                r ->
                    r.getVisitorId()
                        + " "
                        + r.getSessionStart()
                        + ".."
                        + r.getSessionEnd()
                        + " -> "
                        + r.getReplacedByStart()
                        + ".."
                        + r.getReplacedByEnd()))
        .containsInAnyOrder(
            "C-1 2026-03-01T10:40:00Z..2026-03-01T10:45:00Z -> 2026-03-01T10:00:00Z"
                + "..2026-03-01T10:45:00Z");
    PAssert.that(
            described(
                io.<SessionKey>output("DeleteRetractedSessions"),
                "DescribeDeletes",
                k -> k.getVisitorId() + " " + k.getSessionStart()))
        .containsInAnyOrder("C-1 2026-03-01T10:40:00Z");
    PAssert.that(
            described(
                io.<TooLateVisitorEvent>output("WriteTooLate"),
                "DescribeTooLate",
                SessionFormat::human))
        .containsInAnyOrder(
            "too late C-1 view V-5 at 2026-03-01T10:10:00Z: session"
                + " 2026-03-01T10:00:00Z..2026-03-01T11:15:00Z closed, watermark"
                + " 2026-03-01T12:16:00Z (late by 60001 ms)");
    PAssert.that(
            described(
                io.<DeadLetter>output("WriteDeadLetters"),
                "DescribeDeadLetters",
                d -> d.getStep() + ": " + d.getErrorMessage().substring(0, 21)))
        .containsInAnyOrder("DecodeEvents: neither a page view (");
    p.run();
  }

  @Test
  void aSessionGapThatIsNotPositiveFailsAtLaunch() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> new VisitorSessions().checkOptions(options("--sessionGap=PT0S")));

    assertThat(e.option(), equalTo("sessionGap"));
    assertThat(e.getMessage(), containsString("must be positive"));
  }

  /**
   * The shared late-firing options do not apply to sessions: a value other than the default is
   * refused at launch, naming the option, rather than quietly ignored; the defaults (and 'none')
   * pass.
   */
  @Test
  void lateFiringOptionsThatDoNotApplyAreRefusedAtLaunchNamingTheOption() {
    for (String[] refused :
        List.of(
            new String[] {"lateFiringCount", "--lateFiringCount=0"},
            new String[] {"lateFiringCount", "--lateFiringCount=5"},
            new String[] {"lateFiringDelay", "--lateFiringDelay=PT10M"},
            new String[] {"closingBehavior", "--closingBehavior=FIRE_IF_NON_EMPTY"})) {
      InvalidOptionException e =
          assertThrows(
              InvalidOptionException.class,
              () -> new VisitorSessions().checkOptions(options(refused[1])));

      assertThat(refused[1], e.option(), equalTo(refused[0]));
      assertThat(e.getMessage(), containsString("does not apply to visitor-sessions"));
    }
    new VisitorSessions()
        .checkOptions(
            options(
                "--lateFiringCount=1", "--lateFiringDelay=none", "--closingBehavior=FIRE_ALWAYS"));
  }
}
