package dev.kappa.transforms.ordered;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Consumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link OrderedByEventTime} on the Direct runner, one test per lateness case: events on time but
 * out of order, at the same millisecond, late but within the allowed lateness, too late; and a
 * bounded input. Each result says which events its key had applied before it, so an assertion on
 * the results is an assertion on the order; each is shown with its timestamp.
 */
@ExtendWith(TestPipelineExtension.class)
class OrderedByEventTimeTest {
  private static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");
  private static final KvCoder<String, String> EVENT_CODER =
      KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());

  private static Instant at(int minutes) {
    return BASE.plus(Duration.standardMinutes(minutes));
  }

  /**
   * The state is the ids applied so far; each result is {@code key:id after [ids before]}. An event
   * named {@code delete} removes the key's state.
   */
  static final class RememberIdsFn implements StateFunction<String, String, String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public @Nullable String apply(
        String key, @Nullable String state, String id, Instant time, Consumer<String> results) {
      results.accept(key + ":" + id + " after [" + (state == null ? "" : state) + "]");
      if (id.equals("delete")) {
        return null;
      }
      return state == null ? id : state + "," + id;
    }
  }

  private static OrderedByEventTime<String, String, String, String> ordered() {
    return OrderedByEventTime.applying(
            new RememberIdsFn(), StringUtf8Coder.of(), StringUtf8Coder.of())
        .withTieRule(String::compareTo);
  }

  /** Each element with its timestamp, as {@code value @ HH:mm:ss.SSS}. */
  static final class ShowTimeFn<T> extends DoFn<T, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element T value, @Timestamp Instant time, OutputReceiver<String> out) {
      out.output(value + " @ " + time.toString().substring(11, 23));
    }
  }

  private static <T> PCollection<String> shown(PCollection<T> values, String name) {
    return values.apply(name, ParDo.of(new ShowTimeFn<T>()));
  }

  private static TimestampedValue<KV<String, String>> event(String key, String id, Instant time) {
    return TimestampedValue.of(KV.of(key, id), time);
  }

  @Test
  void appliesOnTimeEventsInEventTimeOrderWhateverTheirArrivalOrder(TestPipeline p) {
    TestStream<KV<String, String>> events =
        TestStream.create(EVENT_CODER)
            .addElements(event("p1", "c", at(3)), event("p1", "a", at(1)), event("p2", "x", at(2)))
            .addElements(event("p1", "b", at(2)))
            .advanceWatermarkTo(at(5))
            .addElements(event("p1", "d", at(6)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = p.apply(events).apply(ordered());

    PAssert.that(shown(out.get(ordered().resultsTag()), "ShowResults"))
        .containsInAnyOrder(
            "p1:a after [] @ 10:01:00.000",
            "p1:b after [a] @ 10:02:00.000",
            "p1:c after [a,b] @ 10:03:00.000",
            "p1:d after [a,b,c] @ 10:06:00.000",
            "p2:x after [] @ 10:02:00.000");
    PAssert.that(out.get(ordered().tooLateTag())).empty();
    p.run();
  }

  @Test
  void ordersEventsAtTheSameMillisecondByTheTieRule(TestPipeline p) {
    TestStream<KV<String, String>> events =
        TestStream.create(EVENT_CODER)
            .addElements(event("p1", "order-2", at(1)), event("p1", "order-1", at(1)))
            .addElements(event("p1", "change", at(1)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = p.apply(events).apply(ordered());

    PAssert.that(out.get(ordered().resultsTag()))
        .containsInAnyOrder(
            "p1:change after []", "p1:order-1 after [change]", "p1:order-2 after [change,order-1]");
    PAssert.that(out.get(ordered().tooLateTag())).empty();
    p.run();
  }

  /** Behind the watermark on arrival, but its release time has not passed: applied in order. */
  @Test
  void appliesALateEventWithinTheAllowedLatenessInOrder(TestPipeline p) {
    OrderedByEventTime<String, String, String, String> ordered =
        ordered().withAllowedLateness(Duration.standardMinutes(2));
    TestStream<KV<String, String>> events =
        TestStream.create(EVENT_CODER)
            .addElements(event("p1", "b", at(1)))
            .advanceWatermarkTo(at(2))
            .addElements(event("p1", "a", at(0))) // 2 min behind: released at 10:02 + ε, not yet
            .advanceWatermarkTo(at(4))
            .addElements(event("p1", "c", at(3)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = p.apply(events).apply(ordered);

    PAssert.that(shown(out.get(ordered.resultsTag()), "ShowResults"))
        .containsInAnyOrder(
            "p1:a after [] @ 10:00:00.000",
            "p1:b after [a] @ 10:01:00.000",
            "p1:c after [a,b] @ 10:03:00.000");
    PAssert.that(out.get(ordered.tooLateTag())).empty();
    p.run();
  }

  /**
   * Behind the watermark by more than the allowed lateness: events after it have been applied, so
   * it is diverted, and the key goes on without it.
   */
  @Test
  void divertsAnEventTooLateToBeAppliedInOrder(TestPipeline p) {
    OrderedByEventTime<String, String, String, String> ordered =
        ordered().withAllowedLateness(Duration.standardMinutes(1));
    TestStream<KV<String, String>> events =
        TestStream.create(EVENT_CODER)
            .addElements(event("p1", "b", at(1)), event("p2", "y", at(4)))
            .advanceWatermarkTo(at(3))
            .addElements(event("p1", "a", at(0)), event("p2", "x", at(3)))
            .addElements(event("p1", "c", at(5)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = p.apply(events).apply(ordered);

    PAssert.that(shown(out.get(ordered.resultsTag()), "ShowResults"))
        .containsInAnyOrder(
            "p1:b after [] @ 10:01:00.000",
            "p1:c after [b] @ 10:05:00.000",
            "p2:x after [] @ 10:03:00.000",
            "p2:y after [x] @ 10:04:00.000");
    PAssert.that(shown(out.get(ordered.tooLateTag()), "ShowTooLate"))
        .containsInAnyOrder("KV{p1, a} @ 10:00:00.000");
    p.run();
  }

  @Test
  void aKeyWhoseStateIsRemovedStartsAgainFromNothing(TestPipeline p) {
    TestStream<KV<String, String>> events =
        TestStream.create(EVENT_CODER)
            .addElements(event("p1", "a", at(1)), event("p1", "delete", at(2)))
            .advanceWatermarkTo(at(3))
            .addElements(event("p1", "b", at(4)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = p.apply(events).apply(ordered());

    PAssert.that(out.get(ordered().resultsTag()))
        .containsInAnyOrder("p1:a after []", "p1:delete after [a]", "p1:b after []");
    PAssert.that(out.get(ordered().tooLateTag())).empty();
    p.run();
  }

  /** A bounded input has no late events: the whole of each key is applied in order at the end. */
  @Test
  void appliesABoundedInputWhollyInOrder(TestPipeline p) {
    PCollectionTuple out =
        p.apply(
                Create.timestamped(
                        event("p1", "c", at(3)),
                        event("p1", "a", at(1)),
                        event("p1", "b", at(1)),
                        event("p2", "x", at(0)))
                    .withCoder(EVENT_CODER))
            .apply(ordered());

    PAssert.that(out.get(ordered().resultsTag()))
        .containsInAnyOrder("p1:a after []", "p1:b after [a]", "p1:c after [a,b]", "p2:x after []");
    PAssert.that(out.get(ordered().tooLateTag())).empty();
    p.run();
  }

  @Test
  void needsATieRuleAndTheGlobalWindow(TestPipeline p) {
    PCollection<KV<String, String>> events =
        p.apply(Create.timestamped(event("p1", "a", at(1))).withCoder(EVENT_CODER));
    OrderedByEventTime<String, String, String, String> noTieRule =
        OrderedByEventTime.applying(
            new RememberIdsFn(), StringUtf8Coder.of(), StringUtf8Coder.of());

    assertThat(
        assertThrows(IllegalArgumentException.class, () -> events.apply("NoTieRule", noTieRule))
            .getMessage(),
        containsString("needs withTieRule"));
    PCollection<KV<String, String>> windowed =
        events.apply("Window", Window.into(FixedWindows.of(Duration.standardMinutes(1))));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> windowed.apply("Windowed", ordered()))
            .getMessage(),
        containsString("must be in the global window"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> ordered().withAllowedLateness(Duration.millis(-1)))
            .getMessage(),
        equalTo("allowed lateness must not be negative, was PT-0.001S"));
    assertThat(ordered().allowedLateness(), equalTo(Duration.ZERO));
    p.enableAbandonedNodeEnforcement(false);
  }
}
