package dev.kappa.transforms.windowing;

import static dev.kappa.transforms.windowing.LatenessTesting.ALLOWED_LATENESS;
import static dev.kappa.transforms.windowing.LatenessTesting.at;
import static dev.kappa.transforms.windowing.LatenessTesting.event;
import static dev.kappa.transforms.windowing.LatenessTesting.events;
import static dev.kappa.transforms.windowing.LatenessTesting.finalPane;
import static dev.kappa.transforms.windowing.LatenessTesting.minutes;
import static dev.kappa.transforms.windowing.LatenessTesting.missed;
import static dev.kappa.transforms.windowing.LatenessTesting.window;
import static dev.kappa.transforms.windowing.LatenessTesting.windowAndSum;

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
 * {@link WindowEvents} emitting final panes only: five-minute fixed windows, ten minutes of allowed
 * lateness. Each window gives exactly one pane, marked final, when the watermark passes its end
 * plus the lateness (00:14:59.999 for the first window); processing time, the watermark passing the
 * window's end and late elements make no pane of their own.
 */
@ExtendWith(TestPipelineExtension.class)
class FinalOnlyTest {
  private static final IntervalWindow FIRST = window(minutes(0), minutes(5));
  private static final IntervalWindow SECOND = window(minutes(5), minutes(10));

  private static Windowing finalOnly(Duration lateness) {
    return Windowing.of(WindowSpec.fixed(minutes(5)))
        .withAllowedLateness(lateness)
        .emittingFinalOnly();
  }

  /** No lateness: the window closes at its end, and its one pane is on time and final. */
  @Test
  void onTimeWithoutLatenessIsOneOnTimeFinalPane(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)), event("a", 10, minutes(3)))
            .advanceProcessingTime(minutes(5))
            .addElements(event("a", 100, minutes(4)))
            .advanceWatermarkTo(at(minutes(5)))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, finalOnly(Duration.ZERO));

    PAssert.that(out.panes).inWindow(FIRST).containsInAnyOrder(finalPane(0, "ON_TIME", "a", 111));
    PAssert.that(out.sums).inOnTimePane(FIRST).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * With lateness, the watermark passing the window's end gives nothing yet: the one pane comes
   * when the lateness has passed too. It is still the window's first pane after the watermark
   * passed its end, so Beam marks it ON_TIME (index 0), and final.
   */
  @Test
  void onTimeWithLatenessIsOneFinalPaneAtClose(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)), event("a", 10, minutes(3)))
            .advanceProcessingTime(minutes(5))
            .advanceWatermarkTo(at(minutes(10)))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, finalOnly(ALLOWED_LATENESS));

    PAssert.that(out.panes).inWindow(FIRST).containsInAnyOrder(finalPane(0, "ON_TIME", "a", 11));
    PAssert.that(out.sums).inFinalPane(FIRST).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** Late elements within the lateness are in the one final pane; none makes a pane of its own. */
  @Test
  void lateWithinLatenessIsInTheFinalPane(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(6)))
            .addElements(event("a", 10, minutes(2)))
            .advanceProcessingTime(minutes(5))
            .addElements(event("a", 1000, minutes(7)))
            .advanceWatermarkTo(at(minutes(14)))
            .addElements(event("a", 100, minutes(4)))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, finalOnly(ALLOWED_LATENESS));

    PAssert.that(out.panes).inWindow(FIRST).containsInAnyOrder(finalPane(0, "ON_TIME", "a", 111));
    PAssert.that(out.panes).inWindow(SECOND).containsInAnyOrder(finalPane(0, "ON_TIME", "a", 1000));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** After the window closed, an element of it is too late: the final pane already came out. */
  @Test
  void tooLateGoesToTheTooLateOutput(TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(6)))
            .advanceWatermarkTo(at(minutes(16)))
            .addElements(event("a", 10, minutes(2)))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, finalOnly(ALLOWED_LATENESS));

    PAssert.that(out.panes).inWindow(FIRST).containsInAnyOrder(finalPane(0, "ON_TIME", "a", 1));
    PAssert.that(out.tooLate)
        .containsInAnyOrder(
            KV.of(
                KV.of("a", 10L),
                missed(FIRST, minutes(2), minutes(16), minutes(1).plus(Duration.millis(1)))));
    p.run();
  }
}
