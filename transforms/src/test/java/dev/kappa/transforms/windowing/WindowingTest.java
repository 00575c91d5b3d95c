package dev.kappa.transforms.windowing;

import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.ACCUMULATING_FIRED_PANES;
import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.DISCARDING_FIRED_PANES;
import static org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode.RETRACTING_FIRED_PANES;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.transforms.windowing.Window.OnTimeBehavior;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class WindowingTest {
  private static final WindowSpec FIXED = WindowSpec.fixed(Duration.standardMinutes(5));
  private static final Duration THIRTY_SECONDS = Duration.standardSeconds(30);
  private static final Duration ONE_HOUR = Duration.standardHours(1);

  @Test
  void defaultsFireOnceAtTheWatermarkWithNoLateness() {
    Windowing windowing = Windowing.of(FIXED);

    assertThat(windowing.window(), equalTo(FIXED));
    assertThat(windowing.earlyFiringDelay(), nullValue());
    assertThat(windowing.lateFiringCount(), equalTo(0));
    assertThat(windowing.allowedLateness(), equalTo(Duration.ZERO));
    assertThat(windowing.accumulationMode(), equalTo(DISCARDING_FIRED_PANES));
    assertThat(windowing.closingBehavior(), equalTo(ClosingBehavior.FIRE_ALWAYS));
    assertThat(windowing.onTimeBehavior(), equalTo(OnTimeBehavior.FIRE_ALWAYS));
    assertThat(windowing.trigger(), equalTo(AfterWatermark.pastEndOfWindow()));
  }

  @Test
  void withMethodsGiveTheSameValueInAnyOrder() {
    Windowing base = Windowing.of(FIXED);
    Windowing forwards =
        base.withEarlyFiringsEvery(THIRTY_SECONDS)
            .withLateFiringsEvery(2)
            .withAllowedLateness(ONE_HOUR)
            .withAccumulationMode(ACCUMULATING_FIRED_PANES)
            .withClosingBehavior(ClosingBehavior.FIRE_IF_NON_EMPTY)
            .withOnTimeBehavior(OnTimeBehavior.FIRE_IF_NON_EMPTY);
    Windowing backwards =
        base.withOnTimeBehavior(OnTimeBehavior.FIRE_IF_NON_EMPTY)
            .withClosingBehavior(ClosingBehavior.FIRE_IF_NON_EMPTY)
            .withAccumulationMode(ACCUMULATING_FIRED_PANES)
            .withAllowedLateness(ONE_HOUR)
            .withLateFiringsEvery(2)
            .withEarlyFiringsEvery(THIRTY_SECONDS);

    assertThat(forwards, equalTo(backwards));
    assertThat(forwards.earlyFiringDelay(), equalTo(THIRTY_SECONDS));
    assertThat(forwards.lateFiringCount(), equalTo(2));
    assertThat(forwards.allowedLateness(), equalTo(ONE_HOUR));
    assertThat(forwards.accumulationMode(), equalTo(ACCUMULATING_FIRED_PANES));
    assertThat(forwards.closingBehavior(), equalTo(ClosingBehavior.FIRE_IF_NON_EMPTY));
    assertThat(forwards.onTimeBehavior(), equalTo(OnTimeBehavior.FIRE_IF_NON_EMPTY));
    assertThat("the original is unchanged", base, equalTo(Windowing.of(FIXED)));
  }

  @Test
  void withoutEarlyFiringsRemovesThem() {
    Windowing windowing = Windowing.of(FIXED).withEarlyFiringsEvery(THIRTY_SECONDS);

    assertThat(windowing.withoutEarlyFirings(), equalTo(Windowing.of(FIXED)));
  }

  @Test
  void eachWithMethodNamesItsBadArgument() {
    Windowing windowing = Windowing.of(FIXED);

    assertMessage(NullPointerException.class, () -> Windowing.of(null), "window spec must be set");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withEarlyFiringsEvery(null),
        "early firing delay must be set");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withEarlyFiringsEvery(Duration.ZERO),
        "early firing delay must be positive, was PT0S");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withLateFiringsEvery(0),
        "late firing count must be positive, was 0");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withAllowedLateness(null),
        "allowed lateness must be set");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withAllowedLateness(Duration.standardSeconds(-1)),
        "allowed lateness must be >= 0, was PT-1S");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withAccumulationMode(RETRACTING_FIRED_PANES),
        "accumulation mode must be ACCUMULATING_FIRED_PANES or DISCARDING_FIRED_PANES, was"
            + " RETRACTING_FIRED_PANES");
    assertMessage(
        IllegalArgumentException.class,
        () -> windowing.withAccumulationMode(null),
        "accumulation mode must be ACCUMULATING_FIRED_PANES or DISCARDING_FIRED_PANES, was null");
    assertMessage(
        NullPointerException.class,
        () -> windowing.withClosingBehavior(null),
        "closing behavior must be set");
    assertMessage(
        NullPointerException.class,
        () -> windowing.withOnTimeBehavior(null),
        "on-time behavior must be set");
  }

  @Test
  void validateRejectsLatenessThatLateFiringsWouldNeverReport() {
    Windowing windowing = Windowing.of(FIXED).withAllowedLateness(ONE_HOUR);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, windowing::validate);

    assertThat(
        e.getMessage(),
        allOf(
            containsString("allowed lateness is PT3600S but late firings are off"),
            containsString("Beam would drop every late record"),
            containsString("withLateFiringsEvery(n)"),
            containsString("allowed lateness PT0S")));
  }

  @Test
  void validateRejectsLatenessOnTheGlobalWindow() {
    Windowing windowing =
        Windowing.of(WindowSpec.global()).withLateFiringsEvery(1).withAllowedLateness(ONE_HOUR);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, windowing::validate);

    assertThat(
        e.getMessage(),
        allOf(
            containsString("allowed lateness is PT3600S but the window is global"),
            containsString("set allowed lateness PT0S")));
  }

  @Test
  void validateAcceptsConsistentSettings() {
    assertDoesNotThrow(Windowing.of(FIXED)::validate);
    assertDoesNotThrow(
        Windowing.of(FIXED).withLateFiringsEvery(1).withAllowedLateness(ONE_HOUR)::validate);
    assertDoesNotThrow(
        Windowing.of(WindowSpec.global()).withEarlyFiringsEvery(THIRTY_SECONDS)::validate);
    assertDoesNotThrow(
        Windowing.of(WindowSpec.global()).withLateFiringsEvery(1)::validate,
        "late firings without lateness are harmless: nothing is ever late");
  }

  @Test
  void triggerWithoutEarlyOrLateFiringsFiresOnceAtTheWatermark() {
    Trigger trigger = Windowing.of(FIXED).trigger();

    assertThat(trigger, equalTo(AfterWatermark.pastEndOfWindow()));
    assertThat("finishes after the on-time pane", trigger.mayFinish(), is(true));
  }

  @Test
  void triggerWithEarlyFiringsOnly() {
    Trigger trigger = Windowing.of(FIXED).withEarlyFiringsEvery(THIRTY_SECONDS).trigger();

    assertThat(
        trigger,
        equalTo(
            AfterWatermark.pastEndOfWindow()
                .withEarlyFirings(
                    AfterProcessingTime.pastFirstElementInPane().plusDelayOf(THIRTY_SECONDS))));
    assertThat(trigger.mayFinish(), is(true));
  }

  @Test
  void triggerWithLateFiringsOnly() {
    Trigger trigger =
        Windowing.of(FIXED).withLateFiringsEvery(3).withAllowedLateness(ONE_HOUR).trigger();

    assertThat(
        trigger,
        equalTo(
            AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(3))));
    assertThat(
        trigger,
        not(
            equalTo(
                AfterWatermark.pastEndOfWindow()
                    .withLateFirings(AfterPane.elementCountAtLeast(1)))));
    assertThat("keeps firing for late records", trigger.mayFinish(), is(false));
  }

  @Test
  void triggerWithEarlyAndLateFirings() {
    Trigger trigger =
        Windowing.of(FIXED)
            .withEarlyFiringsEvery(THIRTY_SECONDS)
            .withLateFiringsEvery(1)
            .withAllowedLateness(ONE_HOUR)
            .trigger();

    assertThat(
        trigger,
        equalTo(
            AfterWatermark.pastEndOfWindow()
                .withEarlyFirings(
                    AfterProcessingTime.pastFirstElementInPane().plusDelayOf(THIRTY_SECONDS))
                .withLateFirings(AfterPane.elementCountAtLeast(1))));
    assertThat(
        trigger.toString(),
        equalTo(
            "AfterWatermark.pastEndOfWindow()"
                + ".withEarlyFirings(AfterProcessingTime.pastFirstElementInPane()"
                + ".plusDelayOf(30 seconds))"
                + ".withLateFirings(AfterPane.elementCountAtLeast(1))"));
    assertThat(trigger.mayFinish(), is(false));
  }

  @Test
  void triggerDoesNotDependOnAccumulationOrLateness() {
    Windowing windowing = Windowing.of(FIXED).withEarlyFiringsEvery(THIRTY_SECONDS);

    assertThat(
        windowing.withAccumulationMode(ACCUMULATING_FIRED_PANES).trigger(),
        equalTo(windowing.trigger()));
    assertThat(
        windowing.withLateFiringsEvery(1).withAllowedLateness(ONE_HOUR).trigger(),
        equalTo(windowing.withLateFiringsEvery(1).trigger()));
  }

  @Test
  void lateFiringsAfterADelayAreAProcessingTimeTrigger() {
    Windowing windowing =
        Windowing.of(FIXED).withLateFiringsAfter(THIRTY_SECONDS).withAllowedLateness(ONE_HOUR);

    assertDoesNotThrow(windowing::validate);
    assertThat(
        windowing.trigger(),
        equalTo(
            AfterWatermark.pastEndOfWindow()
                .withLateFirings(
                    AfterProcessingTime.pastFirstElementInPane().plusDelayOf(THIRTY_SECONDS))));
  }

  @Test
  void lateFiringsPerCountAndAfterADelayFireOnTheFirst() {
    Windowing windowing =
        Windowing.of(FIXED)
            .withLateFiringsEvery(10)
            .withLateFiringsAfter(THIRTY_SECONDS)
            .withAllowedLateness(ONE_HOUR);

    assertThat(
        windowing.trigger(),
        equalTo(
            AfterWatermark.pastEndOfWindow()
                .withLateFirings(
                    AfterFirst.of(
                        AfterPane.elementCountAtLeast(10),
                        AfterProcessingTime.pastFirstElementInPane()
                            .plusDelayOf(THIRTY_SECONDS)))));
    assertThat(windowing.withoutLateFirings().firesLate(), is(false));
  }

  @Test
  void lateFiringDelayMustBePositive() {
    assertMessage(
        IllegalArgumentException.class,
        () -> Windowing.of(FIXED).withLateFiringsAfter(Duration.ZERO),
        "late firing delay must be positive, was PT0S");
  }

  @Test
  void finalOnlyNeverFiresBeforeTheWindowCloses() {
    Windowing windowing = Windowing.of(FIXED).withAllowedLateness(ONE_HOUR).emittingFinalOnly();

    assertDoesNotThrow(windowing::validate);
    assertThat(windowing.emit(), equalTo(Windowing.Emit.FINAL_ONLY));
    assertThat(windowing.trigger(), equalTo(Never.ever()));
    assertThat(Windowing.of(FIXED).emit(), equalTo(Windowing.Emit.EVERY_PANE));
  }

  @Test
  void validateRejectsFinalOnlyWithEarlyOrLateFirings() {
    Windowing windowing =
        Windowing.of(FIXED)
            .withEarlyFiringsEvery(THIRTY_SECONDS)
            .withLateFiringsEvery(1)
            .emittingFinalOnly();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, windowing::validate);

    assertThat(
        e.getMessage(),
        allOf(
            containsString("final-only emission gives one pane per window"),
            containsString("early firings (PT30S) and late firings are set"),
            containsString("withoutEarlyFirings(), withoutLateFirings()")));
  }

  @Test
  void validateRejectsFinalOnlyOnTheGlobalWindow() {
    Windowing windowing = Windowing.of(WindowSpec.global()).emittingFinalOnly();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, windowing::validate);

    assertThat(e.getMessage(), containsString("the global window never closes"));
  }

  private static void assertMessage(
      Class<? extends RuntimeException> type, Executable call, String message) {
    assertThat(assertThrows(type, call).getMessage(), equalTo(message));
  }
}
