package dev.kappa.transforms.windowing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WindowSpecTest {
  private static final Duration FIVE_MINUTES = Duration.standardMinutes(5);
  private static final Duration TEN_MINUTES = Duration.standardMinutes(10);

  @Test
  void parsesEveryKind() {
    assertThat(WindowSpec.parse("fixed:PT5M"), equalTo(WindowSpec.fixed(FIVE_MINUTES)));
    assertThat(
        WindowSpec.parse("sliding:PT10M,PT1M"),
        equalTo(WindowSpec.sliding(TEN_MINUTES, Duration.standardMinutes(1))));
    assertThat(
        WindowSpec.parse("session:PT30M"),
        equalTo(WindowSpec.sessions(Duration.standardMinutes(30))));
    assertThat(WindowSpec.parse("global"), equalTo(WindowSpec.global()));
  }

  @Test
  void parsingIgnoresCaseSurroundingSpaceAndAPluralSessions() {
    assertThat(WindowSpec.parse("  FIXED: PT5M "), equalTo(WindowSpec.fixed(FIVE_MINUTES)));
    assertThat(
        WindowSpec.parse("Sliding:PT10M, PT5M"),
        equalTo(WindowSpec.sliding(TEN_MINUTES, FIVE_MINUTES)));
    assertThat(WindowSpec.parse("sessions:PT5M"), equalTo(WindowSpec.sessions(FIVE_MINUTES)));
    assertThat(WindowSpec.parse("GLOBAL"), equalTo(WindowSpec.global()));
  }

  @Test
  void readsEveryIso8601DurationForm() {
    assertThat(WindowSpec.parse("fixed:PT300S"), equalTo(WindowSpec.fixed(FIVE_MINUTES)));
    assertThat(WindowSpec.parse("fixed:P1D"), equalTo(WindowSpec.fixed(Duration.standardDays(1))));
    assertThat(
        WindowSpec.parse("fixed:PT1H30M"), equalTo(WindowSpec.fixed(Duration.standardMinutes(90))));
    assertThat(WindowSpec.parse("fixed:PT0.25S"), equalTo(WindowSpec.fixed(Duration.millis(250))));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fixed:PT5M",
        "fixed:PT1H30M",
        "fixed:PT0.25S",
        "sliding:PT10M,PT1M",
        "session:PT30M",
        "global"
      })
  void textFormRoundTrips(String text) {
    WindowSpec spec = WindowSpec.parse(text);

    assertThat(spec.toString(), equalTo(text));
    assertThat(WindowSpec.parse(spec.toString()), equalTo(spec));
  }

  @Test
  void everyFactoryValueRoundTripsThroughText() {
    for (WindowSpec spec :
        new WindowSpec[] {
          WindowSpec.fixed(Duration.standardDays(1)),
          WindowSpec.sliding(Duration.standardHours(1), Duration.millis(1500)),
          WindowSpec.sessions(Duration.standardSeconds(45)),
          WindowSpec.global()
        }) {
      assertThat(WindowSpec.parse(spec.toString()), equalTo(spec));
    }
  }

  @Test
  void describesTheMatchingBeamWindowFn() {
    assertThat(WindowSpec.fixed(FIVE_MINUTES).windowFn(), equalTo(FixedWindows.of(FIVE_MINUTES)));
    assertThat(
        WindowSpec.sliding(TEN_MINUTES, FIVE_MINUTES).windowFn(),
        equalTo(SlidingWindows.of(TEN_MINUTES).every(FIVE_MINUTES)));
    assertThat(
        WindowSpec.sessions(FIVE_MINUTES).windowFn(),
        equalTo(Sessions.withGapDuration(FIVE_MINUTES)));
    assertThat(WindowSpec.global().windowFn(), instanceOf(GlobalWindows.class));
  }

  @Test
  void keepsOnlyTheFieldsOfItsKind() {
    WindowSpec sliding = WindowSpec.sliding(TEN_MINUTES, FIVE_MINUTES);

    assertThat(sliding.kind(), equalTo(WindowSpec.Kind.SLIDING));
    assertThat(sliding.size(), equalTo(TEN_MINUTES));
    assertThat(sliding.period(), equalTo(FIVE_MINUTES));
    assertThat(sliding.gap(), equalTo(null));
    assertThat(WindowSpec.sessions(FIVE_MINUTES).size(), equalTo(null));
  }

  /** Each bad text and the part of the message that names what is wrong with it. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "tumbling:PT5M | unknown window kind 'tumbling'",
        "fixed | a duration is missing",
        "fixed: | a duration is missing",
        "fixed:5m | '5m' is not an ISO-8601 duration",
        "fixed:PT0S | fixed window size must be positive, was PT0S",
        "fixed:-PT5M | fixed window size must be positive, was PT-300S",
        "sliding:PT10M | a sliding window needs a size and a period",
        "sliding:PT10M,PT1M,PT1M | a sliding window needs a size and a period",
        "sliding:PT10M, | a duration is missing",
        "sliding:PT10M,soon | 'soon' is not an ISO-8601 duration",
        "sliding:PT0S,PT1M | sliding window size must be positive, was PT0S",
        "sliding:PT10M,PT0S | sliding window period must be positive, was PT0S",
        "sliding:PT5M,PT10M | sliding window period (PT600S) must not be longer than its size"
            + " (PT300S)",
        "session:PT0S | session gap must be positive, was PT0S",
        "session:thirty minutes | 'thirty minutes' is not an ISO-8601 duration",
        "global:PT5M | a global window takes no arguments",
      })
  void rejectsBadTextNamingTheBadPart(String text, String problem) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse(text));

    assertThat(e.getMessage(), startsWith("invalid window spec '" + text + "': " + problem + ";"));
    assertThat(
        e.getMessage(),
        containsString(
            "expected fixed:<size>, sliding:<size>,<period>, session:<gap> or global, with"
                + " ISO-8601 durations such as PT5M"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void rejectsBlankText(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse(text));

    assertThat(e.getMessage(), startsWith("window spec is empty; expected fixed:<size>"));
  }

  @Test
  void rejectsNullText() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse(null));

    assertThat(e.getMessage(), startsWith("window spec is empty;"));
  }

  @Test
  void factoriesNameTheBadArgument() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.fixed(null)).getMessage(),
        equalTo("fixed window size must be set"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.sliding(TEN_MINUTES, null))
            .getMessage(),
        equalTo("sliding window period must be set"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> WindowSpec.sliding(FIVE_MINUTES, TEN_MINUTES))
            .getMessage(),
        equalTo("sliding window period (PT600S) must not be longer than its size (PT300S)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.sessions(Duration.millis(-1)))
            .getMessage(),
        equalTo("session gap must be positive, was PT-0.001S"));
  }
}
