package dev.kappa.transforms.lateness;

import dev.kappa.schemas.common.MissedWindow;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DivertTooLateEvents}' decisions survive a restore. Flink restores a job's state and timers
 * but not its watermarks: after a restore an element can reach the diverting step while its input
 * watermark is back at the beginning of time. Here every element meets such a step ({@link
 * RestoredFn}, the step as it runs after a restore: its element-side watermark forgotten, its state
 * and timers as they were), and its decisions must be those of the step that never failed, run on
 * the same input beside it: what was too late before the restore stays too late, also when the
 * watermark advanced without any element on the shard.
 */
@ExtendWith(TestPipelineExtension.class)
class DivertTooLateEventsRestoreTest {
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration FIVE_MINUTES = Duration.standardMinutes(5);

  private static Instant at(int minutes) {
    return BASE.plus(Duration.standardMinutes(minutes));
  }

  private static TimestampedValue<KV<Integer, String>> order(int shard, String id, int minute) {
    return TimestampedValue.of(KV.of(shard, id), at(minute));
  }

  @Test
  void aWindowClosedByAnAdvanceWithoutOrdersOnTheShardStaysClosed(TestPipeline pipeline) {
    TestStream<KV<Integer, String>> stream =
        stream()
            .addElements(order(0, "a", 1))
            // The window [00:00, 00:05) closes while no order reaches shard 0.
            .advanceWatermarkTo(at(20))
            .addElements(order(0, "late", 2), order(0, "current", 21))
            .advanceWatermarkToInfinity();

    for (Outputs out : bothSteps(pipeline, stream, FixedWindows.of(FIVE_MINUTES), Duration.ZERO)) {
      PAssert.that(out.liveIds()).containsInAnyOrder("a", "current");
      PAssert.that(out.tooLate())
          .containsInAnyOrder(List.of(missed("late", 0, 2, 20, Duration.ZERO)));
    }
    pipeline.run();
  }

  @Test
  void theRecordedWatermarkFollowsEveryAdvance(TestPipeline pipeline) {
    TestStream<KV<Integer, String>> stream =
        stream()
            .addElements(order(0, "a", 1))
            .advanceWatermarkTo(at(7))
            .advanceWatermarkTo(at(12))
            .advanceWatermarkTo(at(20))
            // Too late for [00:10, 00:15), which only the last advance closed.
            .addElements(order(0, "late", 11))
            .advanceWatermarkToInfinity();

    for (Outputs out : bothSteps(pipeline, stream, FixedWindows.of(FIVE_MINUTES), Duration.ZERO)) {
      PAssert.that(out.liveIds()).containsInAnyOrder("a");
      PAssert.that(out.tooLate())
          .containsInAnyOrder(List.of(missed("late", 10, 11, 20, Duration.ZERO)));
    }
    pipeline.run();
  }

  @Test
  void everyShardKeepsItsOwnRecord(TestPipeline pipeline) {
    TestStream<KV<Integer, String>> stream =
        stream()
            .addElements(order(0, "a", 1), order(1, "b", 2), order(2, "c", 3))
            .advanceWatermarkTo(at(9))
            .addElements(order(2, "d", 9))
            .advanceWatermarkTo(at(30))
            .addElements(order(0, "late0", 4), order(1, "late1", 6), order(2, "late2", 12))
            .advanceWatermarkToInfinity();

    for (Outputs out : bothSteps(pipeline, stream, FixedWindows.of(FIVE_MINUTES), Duration.ZERO)) {
      PAssert.that(out.liveIds()).containsInAnyOrder("a", "b", "c", "d");
      PAssert.that(out.tooLate())
          .containsInAnyOrder(
              List.of(
                  missed("late0", 0, 4, 30, Duration.ZERO),
                  missed("late1", 5, 6, 30, Duration.ZERO),
                  missed("late2", 10, 12, 30, Duration.ZERO)));
    }
    pipeline.run();
  }

  @Test
  void aLateOrderWithinTheAllowedLatenessIsStillAccepted(TestPipeline pipeline) {
    Duration lateness = Duration.standardMinutes(20);
    TestStream<KV<Integer, String>> stream =
        stream()
            .addElements(order(0, "a", 1))
            .advanceWatermarkTo(at(22))
            // [00:00, 00:05) expires at 00:25: still open; [00:05, 00:10) too.
            .addElements(order(0, "late-ok", 2), order(0, "later-ok", 7))
            .advanceWatermarkTo(at(27))
            // Now [00:00, 00:05) has expired, [00:05, 00:10) has not.
            .addElements(order(0, "too-late", 3), order(0, "still-ok", 8))
            .advanceWatermarkToInfinity();

    for (Outputs out : bothSteps(pipeline, stream, FixedWindows.of(FIVE_MINUTES), lateness)) {
      PAssert.that(out.liveIds()).containsInAnyOrder("a", "late-ok", "later-ok", "still-ok");
      PAssert.that(out.tooLate())
          .containsInAnyOrder(List.of(missed("too-late", 0, 3, 27, lateness)));
    }
    pipeline.run();
  }

  @Test
  void onlyTheClosedSlidingWindowsAreDiverted(TestPipeline pipeline) {
    TestStream<KV<Integer, String>> stream =
        stream()
            .addElements(order(0, "a", 1))
            .advanceWatermarkTo(at(12))
            // In [00:05, 00:15) (open) and [00:00, 00:10) (closed).
            .addElements(order(0, "half", 7))
            .advanceWatermarkToInfinity();
    SlidingWindows sliding = SlidingWindows.of(Duration.standardMinutes(10)).every(FIVE_MINUTES);

    for (Outputs out : bothSteps(pipeline, stream, sliding, Duration.ZERO)) {
      PAssert.that(out.live())
          .containsInAnyOrder(
              List.of(
                  KV.of("a", List.of(window(0, 10), window(-5, 5))),
                  KV.of("half", List.of(window(5, 15)))));
      PAssert.that(out.tooLate())
          .containsInAnyOrder(
              List.of(
                  KV.of(
                      "half",
                      MissedWindow.newBuilder()
                          .setWindowStart(java.time.Instant.ofEpochMilli(at(0).getMillis()))
                          .setWindowEnd(java.time.Instant.ofEpochMilli(at(10).getMillis()))
                          .setEventTime(java.time.Instant.ofEpochMilli(at(7).getMillis()))
                          .setWatermark(java.time.Instant.ofEpochMilli(at(12).getMillis()))
                          .setAllowedLatenessMillis(0)
                          .setLateByMillis(Duration.standardMinutes(2).getMillis() + 1)
                          .build())));
    }
    pipeline.run();
  }

  // ---- The two steps side by side -------------------------------------------------------------

  /**
   * The diverting step as it runs after a restore: state and timers restored, but the watermark an
   * element sees back at the beginning of time, as on Flink until the sources publish theirs. Every
   * element here meets it so, the worst case.
   */
  static final class RestoredFn<T> extends DivertTooLateEvents.DivertExpiredWindowsFn<T> {
    private static final long serialVersionUID = 1L;

    RestoredFn(
        WindowFn<Object, ? extends BoundedWindow> windowFn,
        Duration allowedLateness,
        TupleTag<KV<T, List<BoundedWindow>>> liveTag,
        TupleTag<KV<T, MissedWindow>> tooLateTag) {
      super(windowFn, allowedLateness, liveTag, tooLateTag);
    }

    @Override
    Instant elementWatermark(Timer probe) {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
  }

  /** The outputs of one of the two steps. */
  record Outputs(
      PCollection<KV<String, List<BoundedWindow>>> live,
      PCollection<KV<String, MissedWindow>> tooLate) {
    PCollection<String> liveIds() {
      return live.apply(
          "LiveIds" + live.getName().hashCode(),
          MapElements.into(TypeDescriptors.strings()).via(KV::getKey));
    }
  }

  /** The step that never failed and the restored one, each on {@code stream}. */
  private static List<Outputs> bothSteps(
      TestPipeline pipeline,
      TestStream<KV<Integer, String>> stream,
      WindowFn<Object, ? extends BoundedWindow> windowFn,
      Duration lateness) {
    PCollection<KV<Integer, String>> input = pipeline.apply(stream);
    TupleTag<KV<String, List<BoundedWindow>>> genuineLive = new TupleTag<>("genuineLive") {};
    TupleTag<KV<String, MissedWindow>> genuineTooLate = new TupleTag<>("genuineTooLate") {};
    TupleTag<KV<String, List<BoundedWindow>>> restoredLive = new TupleTag<>("restoredLive") {};
    TupleTag<KV<String, MissedWindow>> restoredTooLate = new TupleTag<>("restoredTooLate") {};
    return List.of(
        outputs(
            input.apply(
                "Genuine",
                ParDo.of(
                        new DivertTooLateEvents.DivertExpiredWindowsFn<String>(
                            windowFn, lateness, genuineLive, genuineTooLate))
                    .withOutputTags(genuineLive, TupleTagList.of(genuineTooLate))),
            genuineLive,
            genuineTooLate,
            windowFn),
        outputs(
            input.apply(
                "Restored",
                ParDo.of(new RestoredFn<String>(windowFn, lateness, restoredLive, restoredTooLate))
                    .withOutputTags(restoredLive, TupleTagList.of(restoredTooLate))),
            restoredLive,
            restoredTooLate,
            windowFn));
  }

  @SuppressWarnings("unchecked")
  private static Outputs outputs(
      PCollectionTuple split,
      TupleTag<KV<String, List<BoundedWindow>>> live,
      TupleTag<KV<String, MissedWindow>> tooLate,
      WindowFn<Object, ? extends BoundedWindow> windowFn) {
    return new Outputs(
        split
            .get(live)
            .setCoder(
                KvCoder.of(
                    StringUtf8Coder.of(),
                    ListCoder.of(
                        (org.apache.beam.sdk.coders.Coder<BoundedWindow>)
                            (org.apache.beam.sdk.coders.Coder<?>) windowFn.windowCoder()))),
        split
            .get(tooLate)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(MissedWindow.class))));
  }

  private static TestStream.Builder<KV<Integer, String>> stream() {
    return TestStream.create(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()));
  }

  private static IntervalWindow window(int startMinute, int endMinute) {
    return new IntervalWindow(at(startMinute), at(endMinute));
  }

  /** What {@code id} at {@code minute} missed: the five-minute window from {@code start}. */
  private static KV<String, MissedWindow> missed(
      String id, int start, int minute, int watermark, Duration lateness) {
    Instant expiry = at(start + 5).minus(Duration.millis(1)).plus(lateness);
    return KV.of(
        id,
        MissedWindow.newBuilder()
            .setWindowStart(java.time.Instant.ofEpochMilli(at(start).getMillis()))
            .setWindowEnd(java.time.Instant.ofEpochMilli(at(start + 5).getMillis()))
            .setEventTime(java.time.Instant.ofEpochMilli(at(minute).getMillis()))
            .setWatermark(java.time.Instant.ofEpochMilli(at(watermark).getMillis()))
            .setAllowedLatenessMillis(lateness.getMillis())
            .setLateByMillis(at(watermark).getMillis() - expiry.getMillis())
            .build());
  }
}
