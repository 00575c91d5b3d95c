package dev.kappa.transforms.windowing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link AssignEventTime} with events whose value is their event time in epoch milliseconds. */
@ExtendWith(TestPipelineExtension.class)
class AssignEventTimeTest {
  private static final KvCoder<String, Long> CODER =
      KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
  private static final Instant NOON = Instant.parse("2026-01-01T12:00:00Z");
  private static final Instant ONE_PM = NOON.plus(Duration.standardHours(1));

  private static AssignEventTime<KV<String, Long>> byValue() {
    return AssignEventTime.by(event -> new Instant(event.getValue()));
  }

  private static KV<String, Long> eventAt(String name, Instant eventTime) {
    return KV.of(name, eventTime.getMillis());
  }

  @Test
  void stampsEachElementWithItsEventTime(TestPipeline p) {
    PCollection<KV<String, Long>> stamped =
        p.apply(Create.of(eventAt("noon", NOON), eventAt("one", ONE_PM)).withCoder(CODER))
            .apply(byValue());

    PAssert.that(stamped.apply(Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(eventAt("noon", NOON), NOON),
            TimestampedValue.of(eventAt("one", ONE_PM), ONE_PM));
    assertThat(stamped.getCoder(), equalTo(CODER));
    p.run();
  }

  @Test
  void keepsATimestampThatIsAlreadyTheEventTimeAndMovesOthersForward(TestPipeline p) {
    PCollection<KV<String, Long>> stamped =
        p.apply(
                Create.timestamped(
                        TimestampedValue.of(eventAt("same", NOON), NOON),
                        TimestampedValue.of(eventAt("later", ONE_PM), NOON))
                    .withCoder(CODER))
            .apply(byValue());

    PAssert.that(stamped.apply(Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(eventAt("same", NOON), NOON),
            TimestampedValue.of(eventAt("later", ONE_PM), ONE_PM));
    p.run();
  }

  @Test
  void refusesToMoveATimestampBackwards(TestPipeline p) {
    p.apply(
            Create.timestamped(TimestampedValue.of(eventAt("early", NOON), ONE_PM))
                .withCoder(CODER))
        .apply(byValue());

    PipelineExecutionException e = assertThrows(PipelineExecutionException.class, p::run);

    assertThat(e.getCause(), instanceOf(IllegalStateException.class));
    assertThat(
        e.getCause().getMessage(),
        equalTo(
            "event time 2026-01-01T12:00:00.000Z is before the timestamp"
                + " 2026-01-01T13:00:00.000Z the source gave this element; the source must stamp"
                + " event time itself"));
  }

  @Test
  void needsAnEventTimeFunction() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> AssignEventTime.by(null));

    assertThat(e.getMessage(), equalTo("eventTime must be set"));
  }
}
