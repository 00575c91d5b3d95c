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
 * {@link WindowEvents} with ten-minute windows starting every five minutes, so every event falls
 * into two windows that expire five minutes apart; early firings after a minute of processing time,
 * a late firing per late element and ten minutes of allowed lateness.
 *
 * <p>The windowing closes with {@code ClosingBehavior.FIRE_ALWAYS}: accumulating, the final pane
 * repeats the window's total; discarding, it is empty and sums to 0.
 */
@ExtendWith(TestPipelineExtension.class)
class SlidingWindowsLatenessTest {
  private static final WindowSpec TEN_EVERY_FIVE = WindowSpec.sliding(minutes(10), minutes(5));

  /** [23:55, 00:05): expires at 00:14:59.999. */
  private static final IntervalWindow BEFORE = window(minutes(-5), minutes(5));

  /** [00:00, 00:10): expires at 00:19:59.999. */
  private static final IntervalWindow FIRST = window(minutes(0), minutes(10));

  /** [00:05, 00:15): expires at 00:24:59.999. */
  private static final IntervalWindow SECOND = window(minutes(5), minutes(15));

  /** Events at 00:03 (in BEFORE and FIRST) and 00:07 (in FIRST and SECOND), all on time. */
  private static TestStream<KV<String, Long>> onTimeEvents() {
    return events()
        .addElements(event("a", 1, minutes(3)), event("a", 10, minutes(7)))
        .advanceWatermarkTo(at(minutes(15)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void onTimeAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, onTimeEvents(), windowing(TEN_EVERY_FIVE, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(BEFORE).containsInAnyOrder(KV.of("a", 1L));
    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(SECOND).containsInAnyOrder(KV.of("a", 10L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 11));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 10), finalPane(1, "LATE", "a", 10));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void onTimeDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, onTimeEvents(), windowing(TEN_EVERY_FIVE, DISCARDING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(BEFORE).containsInAnyOrder(KV.of("a", 1L));
    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(SECOND).containsInAnyOrder(KV.of("a", 10L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 10), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Three events in both FIRST and SECOND; processing time passes the early-firing delay after each
   * of the first two, so both windows fire two early panes before their on-time panes.
   */
  private static TestStream<KV<String, Long>> speculativeEvents() {
    return events()
        .addElements(event("a", 1, minutes(6)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 10, minutes(8)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 100, minutes(9)))
        .advanceWatermarkTo(at(minutes(10)))
        .advanceWatermarkTo(at(minutes(15)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void speculativeAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, speculativeEvents(), windowing(TEN_EVERY_FIVE, ACCUMULATING_FIRED_PANES));

    for (IntervalWindow window : new IntervalWindow[] {FIRST, SECOND}) {
      PAssert.that("early panes of " + window, out.sums)
          .inEarlyPane(window)
          .containsInAnyOrder(KV.of("a", 1L), KV.of("a", 11L));
      PAssert.that("on-time pane of " + window, out.sums)
          .inOnTimePane(window)
          .containsInAnyOrder(KV.of("a", 111L));
      PAssert.that("panes of " + window, out.panes)
          .inWindow(window)
          .containsInAnyOrder(
              pane(0, "EARLY", "a", 1),
              pane(1, "EARLY", "a", 11),
              pane(2, "ON_TIME", "a", 111),
              finalPane(3, "LATE", "a", 111));
    }
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void speculativeDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, speculativeEvents(), windowing(TEN_EVERY_FIVE, DISCARDING_FIRED_PANES));

    for (IntervalWindow window : new IntervalWindow[] {FIRST, SECOND}) {
      PAssert.that("early panes of " + window, out.sums)
          .inEarlyPane(window)
          .containsInAnyOrder(KV.of("a", 1L), KV.of("a", 10L));
      PAssert.that("on-time pane of " + window, out.sums)
          .inOnTimePane(window)
          .containsInAnyOrder(KV.of("a", 100L));
      PAssert.that("panes of " + window, out.panes)
          .inWindow(window)
          .containsInAnyOrder(
              pane(0, "EARLY", "a", 1),
              pane(1, "EARLY", "a", 10),
              pane(2, "ON_TIME", "a", 100),
              finalPane(3, "LATE", "a", 0));
    }
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** After both windows' on-time panes, an event of both arrives within their lateness. */
  private static TestStream<KV<String, Long>> lateEvents() {
    return events()
        .addElements(event("a", 1, minutes(6)))
        .advanceWatermarkTo(at(minutes(16)))
        .addElements(event("a", 10, minutes(7)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void lateAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, lateEvents(), windowing(TEN_EVERY_FIVE, ACCUMULATING_FIRED_PANES));

    for (IntervalWindow window : new IntervalWindow[] {FIRST, SECOND}) {
      PAssert.that("on-time pane of " + window, out.sums)
          .inOnTimePane(window)
          .containsInAnyOrder(KV.of("a", 1L));
      PAssert.that("late panes of " + window, out.sums)
          .inLatePane(window)
          .containsInAnyOrder(KV.of("a", 11L), KV.of("a", 11L));
      PAssert.that("panes of " + window, out.panes)
          .inWindow(window)
          .containsInAnyOrder(
              pane(0, "ON_TIME", "a", 1), pane(1, "LATE", "a", 11), finalPane(2, "LATE", "a", 11));
    }
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void lateDiscarding(TestPipeline p) {
    Outputs out = windowAndSum(p, lateEvents(), windowing(TEN_EVERY_FIVE, DISCARDING_FIRED_PANES));

    for (IntervalWindow window : new IntervalWindow[] {FIRST, SECOND}) {
      PAssert.that("on-time pane of " + window, out.sums)
          .inOnTimePane(window)
          .containsInAnyOrder(KV.of("a", 1L));
      PAssert.that("late panes of " + window, out.sums)
          .inLatePane(window)
          .containsInAnyOrder(KV.of("a", 10L), KV.of("a", 0L));
      PAssert.that("panes of " + window, out.panes)
          .inWindow(window)
          .containsInAnyOrder(
              pane(0, "ON_TIME", "a", 1), pane(1, "LATE", "a", 10), finalPane(2, "LATE", "a", 0));
    }
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * At 00:21 FIRST has expired but SECOND has not. The event at 00:07 is too late for FIRST only
   * and counts in SECOND; the event at 00:02 is too late for both its windows (BEFORE, FIRST).
   */
  private static TestStream<KV<String, Long>> tooLateEvents() {
    return events()
        .addElements(event("a", 1, minutes(6)))
        .advanceWatermarkTo(at(minutes(16)))
        .advanceWatermarkTo(at(minutes(21)))
        .addElements(event("a", 10, minutes(7)), event("a", 100, minutes(2)))
        .advanceWatermarkToInfinity();
  }

  /** 00:21 minus (00:09:59.999 plus ten minutes). */
  private static final Duration FIRST_LATE_BY = minutes(1).plus(Duration.millis(1));

  /** 00:21 minus (00:04:59.999 plus ten minutes). */
  private static final Duration BEFORE_LATE_BY = minutes(6).plus(Duration.millis(1));

  @Test
  void tooLateForOneWindowCountsInTheOtherAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, tooLateEvents(), windowing(TEN_EVERY_FIVE, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(KV.of("a", 10L), missed(FIRST, minutes(7), minutes(21), FIRST_LATE_BY)),
            KV.of(KV.of("a", 100L), missed(FIRST, minutes(2), minutes(21), FIRST_LATE_BY)),
            KV.of(KV.of("a", 100L), missed(BEFORE, minutes(2), minutes(21), BEFORE_LATE_BY)));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 1L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 1), finalPane(1, "LATE", "a", 1));
    PAssert.that(out.sums).inFinalPane(SECOND).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1), pane(1, "LATE", "a", 11), finalPane(2, "LATE", "a", 11));
    PAssert.that(out.panes).inWindow(BEFORE).empty();

    assertThat(tooLateCount(p.run()), equalTo(3L));
  }

  @Test
  void tooLateForOneWindowCountsInTheOtherDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, tooLateEvents(), windowing(TEN_EVERY_FIVE, DISCARDING_FIRED_PANES));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(KV.of("a", 10L), missed(FIRST, minutes(7), minutes(21), FIRST_LATE_BY)),
            KV.of(KV.of("a", 100L), missed(FIRST, minutes(2), minutes(21), FIRST_LATE_BY)),
            KV.of(KV.of("a", 100L), missed(BEFORE, minutes(2), minutes(21), BEFORE_LATE_BY)));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 1), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.sums).inFinalPane(SECOND).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1), pane(1, "LATE", "a", 10), finalPane(2, "LATE", "a", 0));
    PAssert.that(out.panes).inWindow(BEFORE).empty();

    assertThat(tooLateCount(p.run()), equalTo(3L));
  }
}
