package dev.kappa.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.transforms.windowing.EventTimeBounds;
import dev.kappa.transforms.windowing.WindowSpec;
import dev.kappa.transforms.windowing.Windowing;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class OptionValuesTest {

  public interface JobOptions extends WindowingOptions, LatenessOptions {}

  private static JobOptions parse(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(JobOptions.class);
  }

  @Test
  void defaultsGiveFiveMinuteWindowsWithEarlyAndLateFirings() {
    Windowing windowing = OptionValues.windowing(parse());

    assertThat(windowing.window(), equalTo(WindowSpec.fixed(Duration.standardMinutes(5))));
    assertThat(windowing.earlyFiringDelay(), equalTo(Duration.standardSeconds(30)));
    assertThat(windowing.lateFiringCount(), equalTo(1));
    assertThat(windowing.allowedLateness(), equalTo(Duration.standardHours(1)));
    assertThat(windowing.accumulationMode(), equalTo(AccumulationMode.ACCUMULATING_FIRED_PANES));
    assertThat(windowing.closingBehavior(), equalTo(ClosingBehavior.FIRE_ALWAYS));
  }

  @Test
  void everyWindowingOptionIsApplied() {
    Windowing windowing =
        OptionValues.windowing(
            parse(
                "--window=sliding:PT10M,PT1M",
                "--earlyFirings=none",
                "--accumulation=DISCARDING",
                "--allowedLateness=PT2M",
                "--lateFiringCount=3",
                "--closingBehavior=FIRE_IF_NON_EMPTY"));

    assertThat(
        windowing.window(),
        equalTo(WindowSpec.sliding(Duration.standardMinutes(10), Duration.standardMinutes(1))));
    assertThat(windowing.earlyFiringDelay(), nullValue());
    assertThat(windowing.accumulationMode(), equalTo(AccumulationMode.DISCARDING_FIRED_PANES));
    assertThat(windowing.allowedLateness(), equalTo(Duration.standardMinutes(2)));
    assertThat(windowing.lateFiringCount(), equalTo(3));
    assertThat(windowing.closingBehavior(), equalTo(ClosingBehavior.FIRE_IF_NON_EMPTY));
  }

  @Test
  void connectTimeoutDefaultsToThirtySecondsAndParsesIsoDurations() {
    ConnectionOptions defaults = PipelineOptionsFactory.fromArgs().as(ConnectionOptions.class);
    ConnectionOptions five =
        PipelineOptionsFactory.fromArgs("--connectTimeout=PT5S").as(ConnectionOptions.class);

    assertThat(
        OptionValues.connectTimeout("connectTimeout", defaults.getConnectTimeout()),
        equalTo(java.time.Duration.ofSeconds(30)));
    assertThat(
        OptionValues.connectTimeout("connectTimeout", five.getConnectTimeout()),
        equalTo(java.time.Duration.ofSeconds(5)));
  }

  @Test
  void connectTimeoutMustBePositiveAndAtMostAnHour() {
    for (String bad : new String[] {"PT0S", "PT2H", "30s"}) {
      InvalidOptionException e =
          assertThrows(
              InvalidOptionException.class,
              () -> OptionValues.connectTimeout("connectTimeout", bad));

      assertThat(e.option(), equalTo("connectTimeout"));
    }
  }

  @Test
  void badWindowNamesTheWindowOption() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class, () -> OptionValues.windowing(parse("--window=hourly")));

    assertThat(e.option(), equalTo("window"));
    assertThat(e.getMessage(), startsWith("--window: "));
    assertThat(e.getMessage(), containsString("unknown window kind 'hourly'"));
  }

  @Test
  void badDurationNamesItsOption() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.windowing(parse("--allowedLateness=1h")));

    assertThat(e.getMessage(), startsWith("--allowedLateness: '1h' is not an ISO-8601 duration"));
  }

  @Test
  void negativeDurationIsRejected() {
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> OptionValues.duration("lag", "PT-5S"));

    assertThat(e.getMessage(), equalTo("--lag: must not be negative, was PT-5S"));
  }

  @Test
  void zeroEarlyFiringDelayIsRejected() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.windowing(parse("--earlyFirings=PT0S")));

    assertThat(e.getMessage(), equalTo("--earlyFirings: must be positive, or 'none', was PT0S"));
  }

  @Test
  void lateFiringCountZeroNeedsADelayWhenLatenessIsAllowed() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.windowing(parse("--lateFiringCount=0")));

    assertThat(e.option(), equalTo("lateFiringCount"));
    assertThat(
        e.getMessage(),
        containsString("is 0 and --lateFiringDelay is none, but --allowedLateness is PT1H"));
  }

  @Test
  void lateFiringCountMustNotBeNegative() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.windowing(parse("--lateFiringCount=-1")));

    assertThat(e.getMessage(), equalTo("--lateFiringCount: must be 0 (none) or more, was -1"));
  }

  @Test
  void lateFiringDelayAloneOrWithACount() {
    Windowing delayOnly =
        OptionValues.windowing(parse("--lateFiringCount=0", "--lateFiringDelay=PT10M"));
    Windowing both = OptionValues.windowing(parse("--lateFiringDelay=PT10M"));

    assertThat(delayOnly.lateFiringCount(), equalTo(0));
    assertThat(delayOnly.lateFiringDelay(), equalTo(Duration.standardMinutes(10)));
    assertThat(both.lateFiringCount(), equalTo(1));
    assertThat(both.lateFiringDelay(), equalTo(Duration.standardMinutes(10)));
    assertThat(OptionValues.windowing(parse()).lateFiringDelay(), nullValue());
  }

  @Test
  void lateFiringDelayMustBePositive() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.windowing(parse("--lateFiringDelay=PT0S")));

    assertThat(e.getMessage(), equalTo("--lateFiringDelay: must be positive, or 'none', was PT0S"));
  }

  @Test
  void finalOnlyLeavesEarlyAndLateFiringsOut() {
    Windowing windowing =
        OptionValues.windowing(parse("--emit=FINAL_ONLY", "--allowedLateness=PT10M"));

    assertThat(windowing.emit(), equalTo(Windowing.Emit.FINAL_ONLY));
    assertThat(windowing.earlyFiringDelay(), nullValue());
    assertThat(windowing.firesLate(), equalTo(false));
    assertThat(windowing.allowedLateness(), equalTo(Duration.standardMinutes(10)));
  }

  @Test
  void finalOnlyStillChecksTheFiringOptions() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.windowing(parse("--emit=FINAL_ONLY", "--lateFiringDelay=soon")));

    assertThat(e.option(), equalTo("lateFiringDelay"));
  }

  @Test
  void globalWindowRejectsAllowedLateness() {
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class, () -> OptionValues.windowing(parse("--window=global")));

    assertThat(e.option(), equalTo("allowedLateness"));
    assertThat(e.getMessage(), containsString("--window=global"));
  }

  @Test
  void globalWindowWithoutLatenessIsAccepted() {
    Windowing windowing =
        OptionValues.windowing(parse("--window=global", "--allowedLateness=PT0S"));

    assertThat(windowing.window(), equalTo(WindowSpec.global()));
  }

  @Test
  void speedUpAcceptsNumbersAndMax() {
    assertThat(OptionValues.speedUp("replaySpeedUp", "120"), equalTo(120.0));
    assertThat(OptionValues.speedUp("replaySpeedUp", "MAX"), equalTo(Double.POSITIVE_INFINITY));
    InvalidOptionException e =
        assertThrows(
            InvalidOptionException.class, () -> OptionValues.speedUp("replaySpeedUp", "-2"));
    assertThat(
        e.getMessage(), equalTo("--replaySpeedUp: must be a positive number or 'max', was -2"));
  }

  @Test
  void requiredRejectsBlank() {
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> OptionValues.required("input", " "));

    assertThat(e.getMessage(), equalTo("--input: is required"));
  }

  public interface SourceJobOptions extends SourceOptions {}

  private static SourceJobOptions source(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(SourceJobOptions.class);
  }

  @Test
  void eventTimeBoundsDefaultToOneHourAheadAndTheYear2000() {
    EventTimeBounds bounds = OptionValues.eventTimeBounds(source());

    assertThat(bounds.maxAhead(), equalTo(Duration.standardHours(1)));
    assertThat(bounds.floor(), equalTo(Instant.parse("2000-01-01T00:00:00Z")));
  }

  @Test
  void eventTimeBoundsTakeTheOptionsOrNone() {
    EventTimeBounds bounds =
        OptionValues.eventTimeBounds(
            source("--maxEventTimeAhead=PT10M", "--minEventTime=2020-06-01T00:00:00Z"));
    assertThat(bounds.maxAhead(), equalTo(Duration.standardMinutes(10)));
    assertThat(bounds.floor(), equalTo(Instant.parse("2020-06-01T00:00:00Z")));

    EventTimeBounds none =
        OptionValues.eventTimeBounds(source("--maxEventTimeAhead=none", "--minEventTime=NONE"));
    assertThat(none.isNone(), equalTo(true));
  }

  @Test
  void badEventTimeBoundsNameTheirOption() {
    InvalidOptionException ahead =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.eventTimeBounds(source("--maxEventTimeAhead=1h")));
    assertThat(ahead.option(), equalTo("maxEventTimeAhead"));
    assertThat(ahead.getMessage(), startsWith("--maxEventTimeAhead: '1h' is not an ISO-8601"));

    InvalidOptionException negative =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.eventTimeBounds(source("--maxEventTimeAhead=PT-1H")));
    assertThat(negative.option(), equalTo("maxEventTimeAhead"));

    InvalidOptionException floor =
        assertThrows(
            InvalidOptionException.class,
            () -> OptionValues.eventTimeBounds(source("--minEventTime=2000-01-01")));
    assertThat(floor.option(), equalTo("minEventTime"));
    assertThat(floor.getMessage(), startsWith("--minEventTime: '2000-01-01' is not an ISO-8601"));
  }
}
