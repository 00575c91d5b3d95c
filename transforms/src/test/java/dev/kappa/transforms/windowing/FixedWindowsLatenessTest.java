package dev.kappa.transforms.windowing;

import static dev.kappa.transforms.windowing.LatenessTesting.at;
import static dev.kappa.transforms.windowing.LatenessTesting.event;
import static dev.kappa.transforms.windowing.LatenessTesting.events;
import static dev.kappa.transforms.windowing.LatenessTesting.finalPane;
import static dev.kappa.transforms.windowing.LatenessTesting.lateAcceptedCount;
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
import org.apache.beam.sdk.PipelineResult;
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
 * {@link WindowEvents} with five-minute fixed windows, early firings after a minute of processing
 * time, a late firing per late element and ten minutes of allowed lateness: one test per lateness
 * case and accumulation mode.
 *
 * <p>The windowing closes with {@code ClosingBehavior.FIRE_ALWAYS}, so every window that saw an
 * element ends with a final pane when its allowed lateness has passed. Accumulating, that pane
 * repeats the window's total; discarding, it is empty, and the sum of an empty pane is 0.
 */
@ExtendWith(TestPipelineExtension.class)
class FixedWindowsLatenessTest {
  private static final WindowSpec FIVE_MINUTES = WindowSpec.fixed(minutes(5));
  private static final IntervalWindow FIRST = window(minutes(0), minutes(5));
  private static final IntervalWindow SECOND = window(minutes(5), minutes(10));

  /** Two events in the first window and one in the second, all before the watermark. */
  private static TestStream<KV<String, Long>> onTimeEvents() {
    return events()
        .addElements(
            event("a", 1, minutes(1)), event("a", 10, minutes(3)), event("a", 100, minutes(7)))
        .advanceWatermarkTo(at(minutes(10)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void onTimeAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, onTimeEvents(), windowing(FIVE_MINUTES, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(SECOND).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 11));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 100), finalPane(1, "LATE", "a", 100));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void onTimeDiscarding(TestPipeline p) {
    Outputs out = windowAndSum(p, onTimeEvents(), windowing(FIVE_MINUTES, DISCARDING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(SECOND).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 11), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(pane(0, "ON_TIME", "a", 100), finalPane(1, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Processing time passes the early-firing delay twice before the watermark reaches the end of the
   * window: two early panes, then the on-time pane.
   */
  private static TestStream<KV<String, Long>> speculativeEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 10, minutes(3)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 100, minutes(4)))
        .advanceWatermarkTo(at(minutes(5)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void speculativeAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, speculativeEvents(), windowing(FIVE_MINUTES, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums).inEarlyPane(FIRST).containsInAnyOrder(KV.of("a", 1L), KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "EARLY", "a", 1),
            pane(1, "EARLY", "a", 11),
            pane(2, "ON_TIME", "a", 111),
            finalPane(3, "LATE", "a", 111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void speculativeDiscarding(TestPipeline p) {
    Outputs out =
        windowAndSum(p, speculativeEvents(), windowing(FIVE_MINUTES, DISCARDING_FIRED_PANES));

    PAssert.that(out.sums).inEarlyPane(FIRST).containsInAnyOrder(KV.of("a", 1L), KV.of("a", 10L));
    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "EARLY", "a", 1),
            pane(1, "EARLY", "a", 10),
            pane(2, "ON_TIME", "a", 100),
            finalPane(3, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * After the on-time pane, two events of the first window arrive within its allowed lateness (the
   * window expires at 00:14:59.999); each fires a late pane.
   */
  private static TestStream<KV<String, Long>> lateEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)))
        .advanceWatermarkTo(at(minutes(6)))
        .addElements(event("a", 10, minutes(2)))
        .advanceWatermarkTo(at(minutes(8)))
        .addElements(event("a", 100, minutes(4)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void lateAccumulating(TestPipeline p) {
    Outputs out = windowAndSum(p, lateEvents(), windowing(FIVE_MINUTES, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 1L));
    PAssert.that(out.sums)
        .inLatePane(FIRST)
        .containsInAnyOrder(KV.of("a", 11L), KV.of("a", 111L), KV.of("a", 111L));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1),
            pane(1, "LATE", "a", 11),
            pane(2, "LATE", "a", 111),
            finalPane(3, "LATE", "a", 111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void lateDiscarding(TestPipeline p) {
    Outputs out = windowAndSum(p, lateEvents(), windowing(FIVE_MINUTES, DISCARDING_FIRED_PANES));

    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 1L));
    PAssert.that(out.sums)
        .inLatePane(FIRST)
        .containsInAnyOrder(KV.of("a", 10L), KV.of("a", 100L), KV.of("a", 0L));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1),
            pane(1, "LATE", "a", 10),
            pane(2, "LATE", "a", 100),
            finalPane(3, "LATE", "a", 0));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * The first window expires at 00:14:59.999 and the second at 00:19:59.999. An event exactly at
   * the second window's expiry is still accepted; one millisecond later, events of either window
   * are too late.
   */
  private static TestStream<KV<String, Long>> tooLateEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)))
        .advanceWatermarkTo(at(minutes(6)))
        .addElements(event("a", 10, minutes(2)))
        .advanceWatermarkTo(at(minutes(20).minus(Duration.millis(1))))
        .addElements(event("a", 1000, minutes(8)))
        .advanceWatermarkTo(at(minutes(20)))
        .addElements(event("a", 100, minutes(3)), event("a", 10000, minutes(9)))
        .advanceWatermarkToInfinity();
  }

  /** 00:20 minus (00:04:59.999 plus ten minutes). */
  private static final Duration FIRST_LATE_BY = minutes(5).plus(Duration.millis(1));

  /** 00:20 minus (00:09:59.999 plus ten minutes). */
  private static final Duration SECOND_LATE_BY = Duration.millis(1);

  @Test
  void tooLateAccumulating(TestPipeline p) {
    Outputs out =
        windowAndSum(p, tooLateEvents(), windowing(FIVE_MINUTES, ACCUMULATING_FIRED_PANES));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(KV.of("a", 100L), missed(FIRST, minutes(3), minutes(20), FIRST_LATE_BY)),
            KV.of(KV.of("a", 10000L), missed(SECOND, minutes(9), minutes(20), SECOND_LATE_BY)));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.sums).inFinalPane(SECOND).containsInAnyOrder(KV.of("a", 1000L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1), pane(1, "LATE", "a", 11), finalPane(2, "LATE", "a", 11));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(pane(0, "LATE", "a", 1000), finalPane(1, "LATE", "a", 1000));
    PipelineResult result = p.run();

    assertThat(tooLateCount(result), equalTo(2L));
    // 10 at 00:02 and 1000 at 00:08 arrive after their windows ended, within the lateness.
    assertThat(lateAcceptedCount(result), equalTo(2L));
  }

  @Test
  void tooLateDiscarding(TestPipeline p) {
    Outputs out = windowAndSum(p, tooLateEvents(), windowing(FIVE_MINUTES, DISCARDING_FIRED_PANES));

    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(KV.of("a", 100L), missed(FIRST, minutes(3), minutes(20), FIRST_LATE_BY)),
            KV.of(KV.of("a", 10000L), missed(SECOND, minutes(9), minutes(20), SECOND_LATE_BY)));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.sums).inFinalPane(SECOND).containsInAnyOrder(KV.of("a", 0L));
    PAssert.that(out.panes)
        .inWindow(FIRST)
        .containsInAnyOrder(
            pane(0, "ON_TIME", "a", 1), pane(1, "LATE", "a", 10), finalPane(2, "LATE", "a", 0));
    PAssert.that(out.panes)
        .inWindow(SECOND)
        .containsInAnyOrder(pane(0, "LATE", "a", 1000), finalPane(1, "LATE", "a", 0));
    PipelineResult result = p.run();

    assertThat(tooLateCount(result), equalTo(2L));
    // 10 at 00:02 and 1000 at 00:08 arrive after their windows ended, within the lateness.
    assertThat(lateAcceptedCount(result), equalTo(2L));
  }
}
