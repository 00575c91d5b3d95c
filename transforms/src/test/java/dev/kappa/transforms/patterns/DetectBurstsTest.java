package dev.kappa.transforms.patterns;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.MissedWindow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DetectBursts} on the Direct runner, one method per lateness case. Events are {@code
 * "<id>"} strings keyed by card; a burst is shown as {@code "<id> [<evidence>]"}.
 *
 * <p>To see <i>when</i> a burst came out, the bursts are windowed downstream into one-minute
 * windows that fire after every element ahead of the watermark (early panes), when the watermark
 * passes (on time) and after every late element: a burst found before the watermark reached its
 * window's end is in an early pane, one that a late event completed after the watermark had passed
 * is in a late pane.
 */
@ExtendWith(TestPipelineExtension.class)
class DetectBurstsTest {
  private static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration WITHIN = Duration.standardSeconds(60);
  private static final Duration LATENESS = Duration.standardMinutes(5);
  private static final IntervalWindow FIRST_MINUTE =
      new IntervalWindow(BASE, BASE.plus(Duration.standardMinutes(1)));

  private static Instant at(long seconds) {
    return BASE.plus(Duration.standardSeconds(seconds));
  }

  private static TimestampedValue<KV<String, String>> event(String card, String id, long second) {
    return TimestampedValue.of(KV.of(card, id), at(second));
  }

  private static TestStream.Builder<KV<String, String>> stream() {
    return TestStream.create(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .advanceWatermarkTo(BASE);
  }

  private static DetectBursts<String, String> velocity() {
    return DetectBursts.<String, String>of(3, WITHIN, id -> id).withAllowedLateness(LATENESS);
  }

  @Test
  void namesEachBadArgument() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> DetectBursts.of(1, WITHIN, id -> ""))
            .getMessage(),
        equalTo("minEvents must be at least 2, was 1"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> DetectBursts.of(3, Duration.ZERO, id -> ""))
            .getMessage(),
        equalTo("within must be positive, was PT0S"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> velocity().withAllowedLateness(Duration.millis(-1)))
            .getMessage(),
        equalTo("allowed lateness must be >= 0, was PT-0.001S"));
    assertThat(velocity().withAllowedLateness(WITHIN).allowedLateness(), equalTo(WITHIN));
  }

  /**
   * In order, the watermark following: the third event's burst comes out as it arrives, in an early
   * pane of its window, not when the watermark passes (the on-time pane has nothing new).
   */
  @Test
  void onTime(TestPipeline p) {
    TestStream<KV<String, String>> events =
        stream()
            .addElements(event("c1", "a", 0), event("c2", "x", 1))
            .advanceWatermarkTo(at(10))
            .addElements(event("c1", "b", 10))
            .advanceWatermarkTo(at(20))
            .addElements(event("c1", "c", 20), event("c2", "y", 20))
            .advanceWatermarkToInfinity();

    Out out = Out.of(p.apply(events), velocity());

    PAssert.that(out.bursts).inEarlyPane(FIRST_MINUTE).containsInAnyOrder("c [a, b]");
    PAssert.that(out.bursts).inOnTimePane(FIRST_MINUTE).empty();
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Out of order but ahead of the watermark: the earliest events arrive last and complete the
   * bursts of two later events at once, before the watermark reaches them; ties at the end of an
   * interval count, one millisecond before its start does not.
   */
  @Test
  void early(TestPipeline p) {
    TestStream<KV<String, String>> events =
        stream()
            .addElements(event("c1", "d", 61), event("c1", "c", 30))
            .addElements(TimestampedValue.of(KV.of("c1", "z"), at(1).minus(Duration.millis(1))))
            .addElements(event("c1", "a", 1))
            .addElements(event("c1", "b", 30))
            .advanceWatermarkToInfinity();

    Out out = Out.of(p.apply(events), velocity());

    // z is one millisecond outside d's interval [10:00:01, 10:01:01], a on its bound: a completes
    // c's burst and d's. b ties with c, so c counts for b.
    PAssert.that(out.bursts)
        .inEarlyPane(FIRST_MINUTE)
        .containsInAnyOrder("c [z, a]", "b [z, a, c]");
    PAssert.that(out.bursts)
        .inEarlyPane(new IntervalWindow(at(60), at(120)))
        .containsInAnyOrder("d [a, c]");
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Late but within the allowed lateness: the watermark has passed b and c when a arrives; a
   * completes c's burst at once, which comes out behind the watermark, in a late pane.
   */
  @Test
  void lateWithinTheAllowedLateness(TestPipeline p) {
    TestStream<KV<String, String>> events =
        stream()
            .addElements(event("c1", "b", 20), event("c1", "c", 40))
            .advanceWatermarkTo(at(120))
            .addElements(event("c1", "a", 15))
            .advanceWatermarkToInfinity();

    Out out = Out.of(p.apply(events), velocity());

    PAssert.that(out.bursts).inOnTimePane(FIRST_MINUTE).empty();
    PAssert.that(out.bursts).inLatePane(FIRST_MINUTE).containsInAnyOrder("c [a, b]");
    PAssert.that(out.tooLate).empty();
    p.run();
  }

  /**
   * Too late: a arrives more than the allowed lateness behind the watermark. It is reported with
   * the interval it missed and counts for nothing, so c has no burst.
   */
  @Test
  void tooLate(TestPipeline p) {
    TestStream<KV<String, String>> events =
        stream()
            .addElements(event("c1", "b", 20), event("c1", "c", 40))
            .advanceWatermarkTo(at(15).plus(LATENESS).plus(Duration.millis(7)))
            .addElements(event("c1", "a", 15))
            .advanceWatermarkToInfinity();

    Out out = Out.of(p.apply(events), velocity());

    PAssert.that(out.bursts).empty();
    PAssert.that(out.tooLate).containsInAnyOrder("a [10:00:15-60s] late by 7 ms");
    p.run();
  }

  /**
   * The order-independence property on the runner: one set of events (a fourth and fifth event,
   * ties, an event one millisecond outside) delivered in 12 random orders, each order under its own
   * card, with the watermark advanced part-way; every card has the same bursting events.
   */
  @Test
  void theSameBurstsInAnyArrivalOrder(TestPipeline p) {
    long[] millis = {0, 10_000, 10_000, 30_000, 59_999, 60_000, 70_001, 200_000, 205_000, 261_000};
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < millis.length; i++) {
      ids.add("t" + i);
    }
    Random random = new Random(11);
    TestStream.Builder<KV<String, String>> events = stream();
    List<TimestampedValue<KV<String, String>>> all = new ArrayList<>();
    for (int order = 0; order < 12; order++) {
      List<String> shuffled = new ArrayList<>(ids);
      Collections.shuffle(shuffled, random);
      for (String id : shuffled) {
        int i = Integer.parseInt(id.substring(1));
        all.add(TimestampedValue.of(KV.of("card" + order, id), BASE.plus(millis[i])));
      }
    }
    // Round-robin across cards so that each card sees its own order, in several bundles.
    for (int step = 0; step < ids.size(); step++) {
      List<TimestampedValue<KV<String, String>>> bundle = new ArrayList<>();
      for (int order = 0; order < 12; order++) {
        bundle.add(all.get(order * ids.size() + step));
      }
      events = addAll(events, bundle);
      if (step == ids.size() / 2) {
        events = events.advanceWatermarkTo(at(60));
      }
    }

    PCollectionTuple out = p.apply(events.advanceWatermarkToInfinity()).apply(velocity());
    PCollection<KV<String, String>> bursting =
        out.get(velocity().burstsTag())
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via(b -> KV.of(b.key(), b.event())));

    // By the rule: t2 (t0, t1 tie), t1 (t0, t2 tie), t3, t4, t5 (t0 at the bound), t6 (t3..t5);
    // t7..t9 are never three within 60 s (t9 - t7 = 61 s).
    List<KV<String, String>> expected = new ArrayList<>();
    for (int order = 0; order < 12; order++) {
      for (String id : List.of("t1", "t2", "t3", "t4", "t5", "t6")) {
        expected.add(KV.of("card" + order, id));
      }
    }
    PAssert.that(bursting).containsInAnyOrder(expected);
    p.run();
  }

  private static TestStream.Builder<KV<String, String>> addAll(
      TestStream.Builder<KV<String, String>> events,
      List<TimestampedValue<KV<String, String>>> bundle) {
    @SuppressWarnings("unchecked")
    TimestampedValue<KV<String, String>>[] rest =
        bundle.subList(1, bundle.size()).toArray(new TimestampedValue[0]);
    return events.addElements(bundle.get(0), rest);
  }

  /** The outputs as strings: bursts windowed to show their panes, too-late events with the gap. */
  private static final class Out {
    final PCollection<String> bursts;
    final PCollection<String> tooLate;

    private Out(PCollection<String> bursts, PCollection<String> tooLate) {
      this.bursts = bursts;
      this.tooLate = tooLate;
    }

    static Out of(PCollection<KV<String, String>> events, DetectBursts<String, String> detect) {
      PCollectionTuple out = events.apply(detect);
      PCollection<String> bursts =
          out.get(detect.burstsTag())
              .apply(
                  "ShowBurst",
                  MapElements.into(TypeDescriptors.strings())
                      .via(b -> b.event() + " " + b.evidence()))
              .apply(
                  "WindowBursts",
                  Window.<String>into(FixedWindows.of(Duration.standardMinutes(1)))
                      .triggering(
                          AfterWatermark.pastEndOfWindow()
                              .withEarlyFirings(AfterPane.elementCountAtLeast(1))
                              .withLateFirings(AfterPane.elementCountAtLeast(1)))
                      .withAllowedLateness(Duration.standardHours(1))
                      .discardingFiredPanes())
              // Panes are made by a grouping: each pane holds the bursts new since the last.
              .apply("KeyBursts", WithKeys.of("bursts"))
              .apply("GroupBursts", GroupByKey.create())
              .apply("UngroupBursts", Values.create())
              .apply("Flatten", Flatten.iterables());
      PCollection<String> tooLate =
          out.get(detect.tooLateTag())
              .apply(
                  "ShowTooLate", MapElements.into(TypeDescriptors.strings()).via(Out::showTooLate));
      return new Out(bursts, tooLate);
    }

    static String showTooLate(KV<String, MissedWindow> late) {
      MissedWindow missed = late.getValue();
      long seconds =
          (missed.getWindowEnd().toEpochMilli() - 1 - missed.getWindowStart().toEpochMilli())
              / 1000;
      return late.getKey()
          + " ["
          + missed.getEventTime().toString().substring(11, 19)
          + "-"
          + seconds
          + "s] late by "
          + missed.getLateByMillis()
          + " ms";
    }
  }
}
