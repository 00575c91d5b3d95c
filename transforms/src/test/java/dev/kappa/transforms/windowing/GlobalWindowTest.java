package dev.kappa.transforms.windowing;

import static dev.kappa.transforms.windowing.LatenessTesting.EARLY_FIRING_DELAY;
import static dev.kappa.transforms.windowing.LatenessTesting.at;
import static dev.kappa.transforms.windowing.LatenessTesting.event;
import static dev.kappa.transforms.windowing.LatenessTesting.events;
import static dev.kappa.transforms.windowing.LatenessTesting.finalPane;
import static dev.kappa.transforms.windowing.LatenessTesting.minutes;
import static dev.kappa.transforms.windowing.LatenessTesting.pane;
import static dev.kappa.transforms.windowing.LatenessTesting.windowAndSum;
import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.ACCUMULATING_FIRED_PANES;
import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.DISCARDING_FIRED_PANES;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.transforms.windowing.LatenessTesting.Outputs;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link WindowEvents} with the global window: it never ends, so nothing is late or too late.
 * Results come from early firings and from the on-time pane at the end of the input, which is also
 * the final pane.
 */
@ExtendWith(TestPipelineExtension.class)
class GlobalWindowTest {
  private static final GlobalWindow GLOBAL = GlobalWindow.INSTANCE;

  private static Windowing windowing(AccumulationMode mode) {
    return Windowing.of(WindowSpec.global())
        .withEarlyFiringsEvery(EARLY_FIRING_DELAY)
        .withAccumulationMode(mode);
  }

  /** Three events hours apart and no processing time passing: one pane at the end of input. */
  private static TestStream<KV<String, Long>> onTimeEvents() {
    return events()
        .addElements(
            event("a", 1, minutes(1)), event("a", 10, minutes(60)), event("a", 100, minutes(600)))
        .advanceWatermarkTo(at(minutes(24 * 60)))
        .advanceWatermarkToInfinity();
  }

  @ParameterizedTest
  @EnumSource(
      value = AccumulationMode.class,
      names = {"ACCUMULATING_FIRED_PANES", "DISCARDING_FIRED_PANES"})
  void onlyTheEndOfInputFiresWithoutProcessingTime(AccumulationMode mode, TestPipeline p) {
    Outputs out = windowAndSum(p, onTimeEvents(), windowing(mode));

    PAssert.that(out.sums).inOnlyPane(GLOBAL).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.panes).containsInAnyOrder(finalPane(0, "ON_TIME", "a", 111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** Processing time passes the early-firing delay twice before the input ends. */
  private static TestStream<KV<String, Long>> speculativeEvents() {
    return events()
        .addElements(event("a", 1, minutes(1)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 10, minutes(2)))
        .advanceProcessingTime(minutes(2))
        .addElements(event("a", 100, minutes(3)))
        .advanceWatermarkTo(at(minutes(60)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void speculativeAccumulating(TestPipeline p) {
    Outputs out = windowAndSum(p, speculativeEvents(), windowing(ACCUMULATING_FIRED_PANES));

    PAssert.that(out.sums)
        .inEarlyGlobalWindowPanes()
        .containsInAnyOrder(KV.of("a", 1L), KV.of("a", 11L));
    PAssert.that(out.sums).inOnTimePane(GLOBAL).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.sums).inFinalPane(GLOBAL).containsInAnyOrder(KV.of("a", 111L));
    PAssert.that(out.panes)
        .containsInAnyOrder(
            pane(0, "EARLY", "a", 1), pane(1, "EARLY", "a", 11), finalPane(2, "ON_TIME", "a", 111));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void speculativeDiscarding(TestPipeline p) {
    Outputs out = windowAndSum(p, speculativeEvents(), windowing(DISCARDING_FIRED_PANES));

    PAssert.that(out.sums)
        .inEarlyGlobalWindowPanes()
        .containsInAnyOrder(KV.of("a", 1L), KV.of("a", 10L));
    PAssert.that(out.sums).inOnTimePane(GLOBAL).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.sums).inFinalPane(GLOBAL).containsInAnyOrder(KV.of("a", 100L));
    PAssert.that(out.panes)
        .containsInAnyOrder(
            pane(0, "EARLY", "a", 1), pane(1, "EARLY", "a", 10), finalPane(2, "ON_TIME", "a", 100));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /** An event a day behind the watermark still counts: the global window never expires. */
  @ParameterizedTest
  @EnumSource(
      value = AccumulationMode.class,
      names = {"ACCUMULATING_FIRED_PANES", "DISCARDING_FIRED_PANES"})
  void eventsFarBehindTheWatermarkAreNeverTooLate(AccumulationMode mode, TestPipeline p) {
    TestStream<KV<String, Long>> events =
        events()
            .addElements(event("a", 1, minutes(1)))
            .advanceWatermarkTo(at(minutes(24 * 60)))
            .addElements(event("a", 10, minutes(2)))
            .advanceWatermarkToInfinity();
    Outputs out = windowAndSum(p, events, windowing(mode));

    PAssert.that(out.sums).inOnlyPane(GLOBAL).containsInAnyOrder(KV.of("a", 11L));
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  @Test
  void allowedLatenessIsRejectedWhenApplied(TestPipeline p) {
    p.enableAbandonedNodeEnforcement(false);
    Windowing lateness =
        Windowing.of(WindowSpec.global())
            .withLateFiringsEvery(1)
            .withAllowedLateness(Duration.standardMinutes(10));
    TestStream<KV<String, Long>> events = events().advanceWatermarkToInfinity();

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.apply(events).apply(WindowEvents.using(lateness)));

    assertThat(
        e.getMessage(), containsString("allowed lateness is PT600S but the window is global"));
  }
}
