package dev.kappa.transforms.sessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.MissedWindow;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RetractingSessions} with a 30-minute gap and an hour of allowed lateness, summing values
 * that are powers of ten so that each sum says which events a session holds: one test per case,
 * asserting every session emitted, every retraction and every too-late event.
 */
@ExtendWith(TestPipelineExtension.class)
@SuppressWarnings("unchecked") // PAssert's containsInAnyOrder(T...) with KV elements
class RetractingSessionsTest {
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration GAP = Duration.standardMinutes(30);
  private static final Duration LATENESS = Duration.standardHours(1);

  private static Duration minutes(long minutes) {
    return Duration.standardMinutes(minutes);
  }

  private static Instant at(Duration sinceBase) {
    return BASE.plus(sinceBase);
  }

  private static TimestampedValue<KV<String, Long>> event(String key, long value, Duration at) {
    return TimestampedValue.of(KV.of(key, value), at(at));
  }

  /** The session window {@code [BASE + first, BASE + last + gap)}. */
  private static IntervalWindow session(Duration first, Duration last) {
    return new IntervalWindow(at(first), at(last).plus(GAP));
  }

  private static KV<String, KV<IntervalWindow, Long>> result(
      String key, IntervalWindow window, long sum) {
    return KV.of(key, KV.of(window, sum));
  }

  private static KV<String, KV<IntervalWindow, IntervalWindow>> retraction(
      String key, IntervalWindow retracted, IntervalWindow replacedBy) {
    return KV.of(key, KV.of(retracted, replacedBy));
  }

  private static TestStream.Builder<KV<String, Long>> events() {
    return TestStream.create(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .advanceWatermarkTo(BASE);
  }

  private static final class Outputs {
    final PCollection<KV<String, KV<IntervalWindow, Long>>> sessions;
    final PCollection<KV<String, KV<IntervalWindow, IntervalWindow>>> retractions;
    final PCollection<KV<KV<String, Long>, MissedWindow>> tooLate;

    Outputs(PCollectionTuple out, RetractingSessions<String, Long, ?, Long> transform) {
      sessions = out.get(transform.sessionsTag());
      retractions = out.get(transform.retractionsTag());
      tooLate = out.get(transform.tooLateTag());
    }
  }

  private static Outputs sessionize(PCollection<KV<String, Long>> events, Duration lateness) {
    RetractingSessions<String, Long, ?, Long> transform =
        RetractingSessions.<String, Long, long[], Long>of(GAP, Sum.ofLongs())
            .withAllowedLateness(lateness);
    return new Outputs(events.apply("Sessionize", transform), transform);
  }

  private static Outputs sessionize(TestPipeline p, TestStream<KV<String, Long>> events) {
    PCollection<KV<String, Long>> input = p.apply("Events", events);
    return sessionize(input, LATENESS);
  }

  private static MissedWindow missed(
      IntervalWindow window, Duration eventTime, Duration watermark, Duration lateBy) {
    return MissedWindow.newBuilder()
        .setWindowStart(java.time.Instant.ofEpochMilli(window.start().getMillis()))
        .setWindowEnd(java.time.Instant.ofEpochMilli(window.end().getMillis()))
        .setEventTime(java.time.Instant.ofEpochMilli(at(eventTime).getMillis()))
        .setWatermark(java.time.Instant.ofEpochMilli(at(watermark).getMillis()))
        .setAllowedLatenessMillis(LATENESS.getMillis())
        .setLateByMillis(lateBy.getMillis())
        .build();
  }

  @Test
  void onTimeSessionsAreEmittedOnceWhenTheWatermarkPassesTheirEnd(TestPipeline p) {
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(
                    event("a", 1, minutes(0)),
                    event("a", 10, minutes(20)),
                    event("a", 100, minutes(60)),
                    event("b", 1000, minutes(5)))
                .advanceWatermarkTo(at(minutes(200)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(0), minutes(20)), 11),
            result("a", session(minutes(60), minutes(60)), 100),
            result("b", session(minutes(5), minutes(5)), 1000));
    PAssert.that(out.retractions).empty();
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** An event exactly one gap after the last starts a new session; one millisecond less joins. */
  @Test
  void anEventExactlyAtTheGapsEdgeStartsANewSession(TestPipeline p) {
    Duration justInside = minutes(30).minus(Duration.millis(1));
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(
                    event("a", 1, minutes(0)),
                    event("a", 10, minutes(30)),
                    event("b", 100, minutes(0)),
                    event("b", 1000, justInside))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(0), minutes(0)), 1),
            result("a", session(minutes(30), minutes(30)), 10),
            result("b", session(minutes(0), justInside), 1100));
    PAssert.that(out.retractions).empty();
    p.run();
  }

  /**
   * Two sessions are emitted (the watermark passed both ends, not yet the first one's end plus the
   * hour of lateness); a late event between them bridges them: the merged session comes out under
   * the first one's start (an update of it), and the second one is retracted.
   */
  @Test
  void aLateEventMergingTwoEmittedSessionsRetractsTheSecond(TestPipeline p) {
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(event("a", 1, minutes(0)), event("a", 10, minutes(50)))
                .advanceWatermarkTo(at(minutes(85)))
                .addElements(event("a", 100, minutes(25)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(0), minutes(0)), 1),
            result("a", session(minutes(50), minutes(50)), 10),
            result("a", session(minutes(0), minutes(50)), 111));
    PAssert.that(out.retractions)
        .containsInAnyOrder(
            retraction("a", session(minutes(50), minutes(50)), session(minutes(0), minutes(50))));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * One event spans one gap, so it bridges at most two sessions; two late events arriving together
   * merge three emitted sessions into one, retracting the second and the third.
   */
  @Test
  void lateEventsMergingThreeEmittedSessionsRetractTwo(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(
                event("a", 1, minutes(0)),
                event("a", 10, minutes(40)),
                event("a", 100, minutes(80)))
            .advanceWatermarkTo(at(minutes(120)))
            .addElements(event("a", 1000, minutes(20)), event("a", 10000, minutes(60)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Long>> input = p.apply("Events", events);
    // The first session must still be open when the third has ended.
    Outputs out = sessionize(input, Duration.standardHours(2));

    PAssert.that(out.sessions)
        .satisfies(
            sessions -> {
              // The first late event may merge two sessions before the second merges the third:
              // the last version of each session is the one with the largest sum.
              java.util.Map<IntervalWindow, Long> last = new java.util.HashMap<>();
              for (KV<String, KV<IntervalWindow, Long>> s : sessions) {
                last.merge(s.getValue().getKey(), s.getValue().getValue(), Math::max);
              }
              assertThat(last.get(session(minutes(0), minutes(80))), equalTo(11111L));
              assertThat(last.get(session(minutes(0), minutes(0))), equalTo(1L));
              assertThat(last.get(session(minutes(40), minutes(40))), equalTo(10L));
              assertThat(last.get(session(minutes(80), minutes(80))), equalTo(100L));
              return null;
            });
    PAssert.that(out.retractions)
        .satisfies(
            retractions -> {
              java.util.Set<IntervalWindow> retracted = new java.util.HashSet<>();
              for (KV<String, KV<IntervalWindow, IntervalWindow>> r : retractions) {
                retracted.add(r.getValue().getKey());
                assertThat(r.getValue().getValue().start(), equalTo(at(minutes(0))));
              }
              assertThat(
                  retracted,
                  equalTo(
                      java.util.Set.of(
                          session(minutes(40), minutes(40)), session(minutes(80), minutes(80)))));
              return null;
            });
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * A late event before an emitted session's start extends it backwards: its start changes, so the
   * old session is retracted; a late event within a session updates it under the same start.
   */
  @Test
  void aLateEventMovingASessionsStartRetractsIt(TestPipeline p) {
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(event("a", 1, minutes(60)), event("b", 100, minutes(60)))
                .advanceWatermarkTo(at(minutes(100)))
                .addElements(event("a", 10, minutes(40)), event("b", 1000, minutes(70)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(60), minutes(60)), 1),
            result("a", session(minutes(40), minutes(60)), 11),
            result("b", session(minutes(60), minutes(60)), 100),
            result("b", session(minutes(60), minutes(70)), 1100));
    PAssert.that(out.retractions)
        .containsInAnyOrder(
            retraction("a", session(minutes(60), minutes(60)), session(minutes(40), minutes(60))));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Late but not yet emitted (the watermark is inside the merged session): nothing is retracted,
   * the session comes out once, complete.
   */
  @Test
  void aLateEventJoiningASessionNotYetEmittedChangesNothingEmitted(TestPipeline p) {
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(event("a", 1, minutes(0)))
                .advanceWatermarkTo(at(minutes(20)))
                .addElements(event("a", 10, minutes(10)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(result("a", session(minutes(0), minutes(10)), 11));
    PAssert.that(out.retractions).empty();
    p.run();
  }

  /**
   * The session [00:00, 00:30) closes when the watermark passes 01:29:59.999. After that, an event
   * joining it is too late and reports it; an event whose own window closed, joining nothing,
   * reports the session it would have started; a later event still opens a session of its own.
   */
  @Test
  void tooLateEventsReportTheSessionTheyWouldHaveJoinedOrStarted(TestPipeline p) {
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(event("a", 1, minutes(0)))
                .advanceWatermarkTo(at(minutes(91)))
                .addElements(event("a", 10, minutes(20)), event("a", 100, minutes(50)))
                .addElements(event("a", 1000, minutes(45)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(0), minutes(0)), 1),
            result("a", session(minutes(50), minutes(50)), 100),
            result("a", session(minutes(45), minutes(50)), 1100));
    // 100 at 00:50 is late (its session ended before the watermark) but open: emitted at once.
    // 1000 at 00:45 then moves that session's start.
    PAssert.that(out.retractions)
        .containsInAnyOrder(
            retraction("a", session(minutes(50), minutes(50)), session(minutes(45), minutes(50))));
    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(
                KV.of("a", 10L),
                missed(
                    session(minutes(0), minutes(0)),
                    minutes(20),
                    minutes(91),
                    minutes(1).plus(Duration.millis(1)))));
    PipelineResult result = p.run();

    assertThat(counter(result, RetractingSessions.TOO_LATE_COUNTER), equalTo(1L));
  }

  @Test
  void anEventWhoseOwnWindowClosedIsTooLateAndStartsNothing(TestPipeline p) {
    Outputs out =
        sessionize(
            p,
            events()
                .addElements(event("b", 1, minutes(200)))
                .advanceWatermarkTo(at(minutes(200)))
                .addElements(event("a", 10, minutes(50)))
                .advanceWatermarkToInfinity());

    PAssert.that(out.sessions)
        .containsInAnyOrder(result("b", session(minutes(200), minutes(200)), 1));
    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(
                KV.of("a", 10L),
                missed(
                    session(minutes(50), minutes(50)),
                    minutes(50),
                    minutes(200),
                    minutes(60).plus(Duration.millis(1)))));
    p.run();
  }

  /** A bounded input: every session once, complete; nothing retracted or too late. */
  @Test
  void aBoundedRunEmitsEachSessionOnce(TestPipeline p) {
    Create.TimestampedValues<KV<String, Long>> create =
        Create.timestamped(
                event("a", 1, minutes(0)),
                event("a", 10, minutes(50)),
                event("a", 100, minutes(25)),
                event("b", 1000, minutes(0)))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PCollection<KV<String, Long>> input = p.apply("Events", create);
    Outputs out = sessionize(input, LATENESS);

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(0), minutes(50)), 111),
            result("b", session(minutes(0), minutes(0)), 1000));
    PAssert.that(out.retractions).empty();
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * A bounded input with a key whose sessions are hours apart: each session comes out once, on its
   * own, when the watermark jumps to the end of time; the one timer per key moves from the first
   * session's end to the next one's as the first is emitted.
   */
  @Test
  void aBoundedRunEmitsAKeysSessionsHoursApartSeparately(TestPipeline p) {
    Create.TimestampedValues<KV<String, Long>> create =
        Create.timestamped(
                event("a", 1, minutes(0)),
                event("a", 10, minutes(120)),
                event("a", 100, minutes(130)),
                event("a", 1000, minutes(300)))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    Outputs out = sessionize(p.apply("Events", create), LATENESS);

    PAssert.that(out.sessions)
        .containsInAnyOrder(
            result("a", session(minutes(0), minutes(0)), 1),
            result("a", session(minutes(120), minutes(130)), 110),
            result("a", session(minutes(300), minutes(300)), 1000));
    PAssert.that(out.retractions).empty();
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Events without an event-time timestamp (a source that stamps none, such as files, gives each
   * the minimum timestamp) cannot be sessionised: at one timestamp, a key's sessions hours apart
   * would all be one. The step fails naming the cause instead of emitting that one session.
   */
  @Test
  void eventsWithoutEventTimeFailTheStepRatherThanMergeIntoOneSession(TestPipeline p) {
    Create.Values<KV<String, Long>> unstamped =
        Create.of(KV.of("a", 1L), KV.of("a", 10L))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    sessionize(p.apply("Events", unstamped), LATENESS);

    PipelineExecutionException failed = assertThrows(PipelineExecutionException.class, p::run);

    assertThat(failed.getCause(), instanceOf(IllegalArgumentException.class));
    assertThat(
        failed.getCause().getMessage(),
        equalTo(
            "RetractingSessions needs its input timestamped with event time, but an element of"
                + " key a has the minimum timestamp "
                + BoundedWindow.TIMESTAMP_MIN_VALUE
                + ", as from a source that stamps none (files): stamp the events with their event"
                + " time first (AssignEventTime)"));
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(RetractingSessions.class, name))
                    .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
