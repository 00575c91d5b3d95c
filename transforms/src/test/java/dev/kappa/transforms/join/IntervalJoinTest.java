package dev.kappa.transforms.join;

import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link IntervalJoin} on the Direct runner, one method per lateness case, every output asserted.
 * One TestStream of lines carries both inputs ({@code "L key value"}, {@code "R key value"}), so
 * the join's input watermark is the script's. The interval is {@code [tL - 1 min, tL + 15 min]}.
 * State cleanup is checked in {@link KeyJoinTest}.
 */
@ExtendWith(TestPipelineExtension.class)
class IntervalJoinTest {
  private static final Duration LOWER = Duration.standardMinutes(-1);
  private static final Duration UPPER = Duration.standardMinutes(15);

  @Test
  void onTimeElementsMatchTimeOutAndAreOrphaned(TestPipeline p) {
    TestStream<String> script =
        TestStream.create(StringUtf8Coder.of())
            .addElements(
                line("R o1 p0", at(-1)), // before its left, at the lower bound
                line("L o1 o1", at(0)),
                line("L o3 o3", at(0)),
                line("R o2 p9", at(3)))
            .advanceWatermarkTo(at(5))
            .addElements(line("R o1 p1", at(15)), line("R o3 p3", at(15).plus(Duration.millis(1))))
            .advanceWatermarkTo(at(20))
            .advanceWatermarkToInfinity();
    Outputs out = join(p, script, Duration.ZERO);

    PAssert.that(out.matches)
        .containsInAnyOrder(
            List.of(
                KV.of(
                    "o1",
                    match("o1", at(0), false, List.of(right("p0", at(-1)), right("p1", at(15)))))));
    // The timeout comes when the watermark passes 10:15 (the timer fires 1 ms later), not before.
    PAssert.that(out.timeouts.apply("ReifyTimeouts", Reify.timestamps()))
        .containsInAnyOrder(
            List.of(TimestampedValue.of(KV.of("o3", "o3"), at(15).plus(Duration.millis(1)))));
    PAssert.that(out.orphans).containsInAnyOrder(List.of(KV.of("o2", "p9"), KV.of("o3", "p3")));
    PAssert.that(out.tooLateLefts).empty();
    PAssert.that(out.tooLateRights).empty();
    p.run();
  }

  @Test
  void lateElementsWithinTheLatenessAreJoinedAndUpdateWhatWasEmitted(TestPipeline p) {
    TestStream<String> script =
        TestStream.create(StringUtf8Coder.of())
            .addElements(line("L o1 o1", at(0)), line("R o4 q1", at(2)))
            .advanceWatermarkTo(at(16)) // o1 times out; q1 is an orphan
            .addElements(
                line("R o1 p1", at(12)), // late: o1's result is emitted again with p1
                line("L o4 o4", at(0))) // late: joined at once, with the orphan q1
            .advanceWatermarkToInfinity();
    Outputs out = join(p, script, Duration.standardMinutes(5));

    PAssert.that(out.matches)
        .containsInAnyOrder(
            List.of(
                KV.of("o1", match("o1", at(0), true, List.of(right("p1", at(12))))),
                KV.of("o4", match("o4", at(0), false, List.of(right("q1", at(2)))))));
    PAssert.that(out.timeouts).containsInAnyOrder(List.of(KV.of("o1", "o1")));
    // An orphan reported on time stays reported when a late left claims it.
    PAssert.that(out.orphans).containsInAnyOrder(List.of(KV.of("o4", "q1")));
    PAssert.that(out.tooLateLefts).empty();
    PAssert.that(out.tooLateRights).empty();
    p.run();
  }

  @Test
  void elementsBeyondTheLatenessGoToTheTooLateOutputs(TestPipeline p) {
    TestStream<String> script =
        TestStream.create(StringUtf8Coder.of())
            .addElements(line("L o1 o1", at(20)))
            .advanceWatermarkTo(at(30))
            .addElements(
                line("L o5 o5", at(9)), // decided at 10:24, lateness to 10:29
                line("R o6 p6", at(23)), // checked at 10:24, lateness to 10:29
                line("R o1 p1", at(19))) // in o1's interval, which is open: on time for o1
            .advanceWatermarkToInfinity();
    Outputs out = join(p, script, Duration.standardMinutes(5));

    PAssert.that(out.matches)
        .containsInAnyOrder(
            List.of(KV.of("o1", match("o1", at(20), false, List.of(right("p1", at(19)))))));
    PAssert.that(out.timeouts).empty();
    PAssert.that(out.orphans).empty();
    PAssert.that(out.tooLateLefts).containsInAnyOrder(List.of(KV.of("o5", "o5")));
    PAssert.that(out.tooLateRights).containsInAnyOrder(List.of(KV.of("o6", "p6")));
    p.run();
  }

  @Test
  void aBoundedRunGivesTheFinalAnswer(TestPipeline p) {
    PCollection<String> lines =
        p.apply(
            Create.timestamped(
                    line("L o1 o1", at(0)),
                    line("R o1 p1", at(3)),
                    line("R o1 p2", at(16)),
                    line("L o2 o2", at(0)))
                .withCoder(StringUtf8Coder.of()));
    Outputs out = join(lines, Duration.ZERO);

    PAssert.that(out.matches)
        .containsInAnyOrder(
            List.of(KV.of("o1", match("o1", at(0), false, List.of(right("p1", at(3)))))));
    PAssert.that(out.timeouts).containsInAnyOrder(List.of(KV.of("o2", "o2")));
    PAssert.that(out.orphans).containsInAnyOrder(List.of(KV.of("o1", "p2")));
    PAssert.that(out.tooLateLefts).empty();
    PAssert.that(out.tooLateRights).empty();
    p.run();
  }

  // ------------------------------------------------------------------------------ helpers

  private static final TupleTag<KV<String, String>> LEFTS = new TupleTag<>("lefts") {};
  private static final TupleTag<KV<String, String>> RIGHTS = new TupleTag<>("rights") {};

  private static Outputs join(TestPipeline p, TestStream<String> script, Duration lateness) {
    return join(p.apply("Script", script), lateness);
  }

  private static Outputs join(PCollection<String> lines, Duration lateness) {
    KvCoder<String, String> coder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollectionTuple split =
        lines.apply(
            "Split", ParDo.of(new SplitFn()).withOutputTags(LEFTS, TupleTagList.of(RIGHTS)));
    IntervalJoin<String, String, String> join =
        IntervalJoin.<String, String, String>with(split.get(RIGHTS).setCoder(coder))
            .withBounds(LOWER, UPPER)
            .withAllowedLateness(lateness);
    PCollectionTuple out = split.get(LEFTS).setCoder(coder).apply("Join", join);
    return new Outputs(
        out.get(join.matchesTag()),
        out.get(join.leftTimeoutsTag()),
        out.get(join.rightOrphansTag()),
        out.get(join.tooLateLeftsTag()),
        out.get(join.tooLateRightsTag()));
  }

  private record Outputs(
      PCollection<KV<String, IntervalMatch<String, String>>> matches,
      PCollection<KV<String, String>> timeouts,
      PCollection<KV<String, String>> orphans,
      PCollection<KV<String, String>> tooLateLefts,
      PCollection<KV<String, String>> tooLateRights) {}

  /** {@code "L key value"} to the lefts, {@code "R key value"} to the rights. */
  static final class SplitFn extends DoFn<String, KV<String, String>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      String[] words = line.split(" ");
      out.get(words[0].equals("L") ? LEFTS : RIGHTS).output(KV.of(words[1], words[2]));
    }
  }

  private static IntervalMatch<String, String> match(
      String left, Instant time, boolean update, List<TimestampedValue<String>> rights) {
    return new IntervalMatch<>(left, time, rights, update);
  }

  private static TimestampedValue<String> right(String value, Instant time) {
    return TimestampedValue.of(value, time);
  }

  private static TimestampedValue<String> line(String line, Instant time) {
    return TimestampedValue.of(line, time);
  }

  private static Instant at(int minutes) {
    return Instant.parse("2026-03-01T10:00:00Z").plus(Duration.standardMinutes(minutes));
  }
}
