package dev.kappa.transforms.windowing;

import static dev.kappa.transforms.windowing.LatenessTesting.at;
import static dev.kappa.transforms.windowing.LatenessTesting.event;
import static dev.kappa.transforms.windowing.LatenessTesting.events;
import static dev.kappa.transforms.windowing.LatenessTesting.finalPane;
import static dev.kappa.transforms.windowing.LatenessTesting.minutes;
import static dev.kappa.transforms.windowing.LatenessTesting.missed;
import static dev.kappa.transforms.windowing.LatenessTesting.pane;
import static dev.kappa.transforms.windowing.LatenessTesting.tooLateCount;
import static dev.kappa.transforms.windowing.LatenessTesting.window;
import static dev.kappa.transforms.windowing.LatenessTesting.windowAndSum;
import static dev.kappa.transforms.windowing.LatenessTesting.windowing;
import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.ACCUMULATING_FIRED_PANES;
import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.DISCARDING_FIRED_PANES;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.transforms.windowing.LatenessTesting.Outputs;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link WindowEvents} with sessions closed by five minutes without events, early firings after a
 * minute of processing time, a late firing per late element and ten minutes of allowed lateness.
 *
 * <p>Each event starts as its own five-minute session, which Beam merges with the key's other
 * sessions it overlaps. Whether an event is too late is decided on that unmerged session, as Beam
 * decides it. The windowing closes with {@code ClosingBehavior.FIRE_ALWAYS}: accumulating, the
 * final pane repeats the session's total; discarding, it is empty and sums to 0.
 */
@ExtendWith(TestPipelineExtension.class)
class SessionWindowsLatenessTest {
  private static final WindowSpec FIVE_MINUTE_GAP = WindowSpec.sessions(minutes(5));

  /** The session of events at 00:01 and 00:04: expires at 00:18:59.999. */
  private static final IntervalWindow SESSION = window(minutes(1), minutes(9));

  /** Two sessions of key a, [00:01, 00:09) and [00:20, 00:25), and one of key b. */
  private static TestStream<KV<String, Long>> onTimeEvents() {
    return events()
        .addElements(
            event("a", 1, minutes(1)),
            event("a", 10, minutes(4)),
            event("a", 100, minutes(20)),
            event("b", 1000, minutes(3)))
        .advanceWatermarkTo(at(minutes(10)))
        .advanceWatermarkTo(at(minutes(25)))
        .advanceWatermarkToInfinity();
  }

  private static final IntervalWindow LATER_SESSION = window(minutes(20), minutes(25));
  private static final IntervalWindow SESSION_OF_B = window(minutes(3), minutes(8));

  @Test
  void onTimeAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, onTimeEvents(), windowing(FIVE_MINUTE_GAP, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(SESSION).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(LATER_SESSION).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.sums).inOnTimePane(SESSION_OF_B).containsInAnyOrder(KV.of("b", 1000L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 11));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void onTimeDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, onTimeEvents(), windowing(FIVE_MINUTE_GAP, DISCARDING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(SESSION).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(LATER_SESSION).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.sums).inOnTimePane(SESSION_OF_B).containsInAnyOrder(KV.of("b", 1000L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * The session grows while it fires early: [00:01, 00:06) fires after the first event, the merged
   * [00:01, 00:08) after the second, and the final [00:01, 00:09) fires on time.
   */
  private static TestStream<KV<String, Long>> speculativeEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 10, minutes(3)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 100, minutes(4)))
        .advanceWatermarkTo(at(minutes(9)))
        .advanceWatermarkToInfinity();
  }

  private static final IntervalWindow FIRST_EVENT = window(minutes(1), minutes(6));
  private static final IntervalWindow FIRST_TWO_EVENTS = window(minutes(1), minutes(8));

  @Test
  void speculativeAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, speculativeEvents(), windowing(FIVE_MINUTE_GAP, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.panes).inWindow(FIRST_EVENT).containsInAnyOrder(pane(0, "EARLY", "a", 1));
    PAssert.that(out.panes)
        .inWindow(FIRST_TWO_EVENTS)
        .containsInAnyOrder(pane(0, "EARLY", "a", 11));
    PAssert.that(out.sums).inOnTimePane(SESSION).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 111), finalPane(1, "LATE", "a", 111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void speculativeDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, speculativeEvents(), windowing(FIVE_MINUTE_GAP, DISCARDING_FIRED_PANES));

    PAssert.that(out.panes).inWindow(FIRST_EVENT).containsInAnyOrder(pane(0, "EARLY", "a", 1));
    PAssert.that(out.panes)
        .inWindow(FIRST_TWO_EVENTS)
        .containsInAnyOrder(pane(0, "EARLY", "a", 10));
    PAssert.that(out.sums).inOnTimePane(SESSION).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 100), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** After the session's on-time pane, an event inside it arrives within the lateness. */
  private static TestStream<KV<String, Long>> lateEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)), event("a", 10, minutes(4)))
        .advanceWatermarkTo(at(minutes(10)))
        .addElements(event("a", 100, minutes(2)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void lateAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, lateEvents(), windowing(FIVE_MINUTE_GAP, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(SESSION).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums)
        .inLatePane(SESSION)
        .containsInAnyOrder(KV.of("a", 111L), KV.of("a", 111L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 11), pane(1, "LATE", "a", 111), finalPane(2, "LATE", "a", 111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void lateDiscarding(TestPipeline p) {
    Outputs out = windowAndSum(p, lateEvents(), windowing(FIVE_MINUTE_GAP, DISCARDING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(SESSION).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inLatePane(SESSION).containsInAnyOrder(KV.of("a", 100L), KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 11), pane(1, "LATE", "a", 100), finalPane(2, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * At 00:17 the session [00:01, 00:09) is live (it expires at 00:18:59.999), but an event at 00:02
   * is too late: its own session [00:02, 00:07) expired at 00:16:59.999, and Beam drops an event by
   * its own session before merging. At 00:20 the merged session has closed too.
   */
  private static TestStream<KV<String, Long>> tooLateEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)), event("a", 10, minutes(4)))
        .advanceWatermarkTo(at(minutes(10)))
        .addElements(event("a", 100, minutes(3)))
        .advanceWatermarkTo(at(minutes(17)))
        .addElements(event("a", 1000, minutes(2)))
        .advanceWatermarkTo(at(minutes(20)))
        .addElements(event("a", 10000, minutes(4)))
        .advanceWatermarkToInfinity();
  }

  /** 00:17 minus (00:06:59.999 plus ten minutes). */
  private static final Duration OWN_SESSION_LATE_BY = Duration.millis(1);

  /** 00:20 minus (00:08:59.999 plus ten minutes). */
  private static final Duration CLOSED_SESSION_LATE_BY = minutes(1).plus(Duration.millis(1));

  @Test
  void tooLateAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, tooLateEvents(), windowing(FIVE_MINUTE_GAP, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(
                KV.of("a", 1000L),
                missed(
                    window(minutes(2), minutes(7)), minutes(2), minutes(17), OWN_SESSION_LATE_BY)),
            KV.of(
                KV.of("a", 10000L),
                missed(
                    window(minutes(4), minutes(9)),
                    minutes(4),
                    minutes(20),
                    CLOSED_SESSION_LATE_BY)));
    PAssert.that(out.sums).inFinalPane(SESSION).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 11), pane(1, "LATE", "a", 111), finalPane(2, "LATE", "a", 111));

    assertThat(tooLateCount(p.run()), equalTo(2L));
  }

  @Test
  void tooLateDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, tooLateEvents(), windowing(FIVE_MINUTE_GAP, DISCARDING_FIRED_PANES));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(
                KV.of("a", 1000L),
                missed(
                    window(minutes(2), minutes(7)), minutes(2), minutes(17), OWN_SESSION_LATE_BY)),
            KV.of(
                KV.of("a", 10000L),
                missed(
                    window(minutes(4), minutes(9)),
                    minutes(4),
                    minutes(20),
                    CLOSED_SESSION_LATE_BY)));
    PAssert.that(out.sums).inFinalPane(SESSION).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(SESSION)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 11), pane(1, "LATE", "a", 100), finalPane(2, "LATE", "a", 0));

    assertThat(tooLateCount(p.run()), equalTo(2L));
  }
}
