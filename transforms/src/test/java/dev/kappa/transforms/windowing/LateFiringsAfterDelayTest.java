package dev.kappa.transforms.windowing;

import static dev.kappa.transforms.windowing.LatenessTesting.ALLOWED_LATENESS;
import static dev.kappa.transforms.windowing.LatenessTesting.at;
import static dev.kappa.transforms.windowing.LatenessTesting.event;
import static dev.kappa.transforms.windowing.LatenessTesting.events;
import static dev.kappa.transforms.windowing.LatenessTesting.finalPane;
import static dev.kappa.transforms.windowing.LatenessTesting.minutes;
import static dev.kappa.transforms.windowing.LatenessTesting.missed;
import static dev.kappa.transforms.windowing.LatenessTesting.pane;
import static dev.kappa.transforms.windowing.LatenessTesting.window;
import static dev.kappa.transforms.windowing.LatenessTesting.windowAndSum;

import dev.kappa.transforms.windowing.LatenessTesting.Outputs;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link WindowEvents} with five-minute fixed windows, ten minutes of allowed lateness and late
 * panes a minute of processing time after a pane's first late element (as Beam's LeaderBoard team
 * scores fire), accumulating: one test per lateness case, asserting every pane of the window and
 * which one is final.
 */
@ExtendWith(TestPipelineExtension.class)
class LateFiringsAfterDelayTest {
  private static final IntervalWindow FIRST = window(minutes(0), minutes(5));
  private static final Duration LATE_DELAY = minutes(1);

  private static Windowing lateAfterDelay() {
    return Windowing.of(WindowSpec.fixed(minutes(5)))
        .withLateFiringsAfter(LATE_DELAY)
        .withAllowedLateness(ALLOWED_LATENESS)
        .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES);
  }

  @Test
  void onTimeGivesTheOnTimePaneThenTheClosingPane(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)), event("a", 10, minutes(3)))
            .advanceProcessingTime(minutes(5))
            .advanceWatermarkTo(at(minutes(10)))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, lateAfterDelay());

    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 11));
    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Late elements arriving together make one late pane once the delay has passed, not one each; the
   * next late element starts a new delay.
   */
  @Test
  void lateElementsFireOncePerDelay(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(6)))
            .addElements(event("a", 10, minutes(2)), event("a", 100, minutes(3)))
            .advanceProcessingTime(minutes(2))
            .addElements(event("a", 1000, minutes(4)))
            .advanceProcessingTime(minutes(2))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, lateAfterDelay());

    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1),
            pane(1, "LATE", "a", 111),
            pane(2, "LATE", "a", 1111),
            finalPane(3, "LATE", "a", 1111));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 1111L));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * A late element whose delay has not passed when the window closes comes out in the closing pane.
   */
  @Test
  void lateElementBeforeItsDelayComesOutInTheFinalPane(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(6)))
            .addElements(event("a", 10, minutes(2)))
            .advanceProcessingTime(Duration.standardSeconds(30))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, lateAfterDelay());

    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 1), finalPane(1, "LATE", "a", 11));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * With a count as well, whichever comes first fires: here the count (two late elements before any
   * processing time passes), then the delay (one late element, then a minute and more).
   */
  @Test
  void countOrDelayWhicheverComesFirst(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(6)))
            .addElements(event("a", 10, minutes(2)), event("a", 100, minutes(3)))
            .addElements(event("a", 1000, minutes(4)))
            .advanceProcessingTime(minutes(2))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, lateAfterDelay().withLateFiringsEvery(2));

    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1),
            pane(1, "LATE", "a", 111),
            pane(2, "LATE", "a", 1111),
            finalPane(3, "LATE", "a", 1111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** After the window's expiry (00:14:59.999) an element of it is too late, not a late pane. */
  @Test
  void tooLateGoesToTheTooLateOutput(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(6)))
            .advanceWatermarkTo(at(minutes(16)))
            .addElements(event("a", 10, minutes(2)))
            .advanceProcessingTime(minutes(2))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, lateAfterDelay());

    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 1), finalPane(1, "LATE", "a", 1));
    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(
                KV.of("a", 10L),
                missed(FIRST, minutes(2), minutes(16), minutes(1).plus(Duration.millis(1)))));
    p.run();
  }
}
