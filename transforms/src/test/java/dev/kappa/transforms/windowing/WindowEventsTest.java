package dev.kappa.transforms.windowing;

import static dev.kappa.transforms.windowing.LatenessTesting.at;
import static dev.kappa.transforms.windowing.LatenessTesting.event;
import static dev.kappa.transforms.windowing.LatenessTesting.events;
import static dev.kappa.transforms.windowing.LatenessTesting.minutes;
import static dev.kappa.transforms.windowing.LatenessTesting.window;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.MissedWindow;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.transforms.windowing.Window.OnTimeBehavior;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@link WindowEvents} sets up, whatever the lateness case: the windowing of its outputs, the
 * checks it runs when applied, and bounded input. The lateness cases are in {@code *LatenessTest}
 * and {@link GlobalWindowTest}.
 */
@ExtendWith(TestPipelineExtension.class)
class WindowEventsTest {
  private static final KvCoder<String, Long> EVENT_CODER =
      KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());

  private static final Windowing EVERY_SETTING =
      Windowing.of(WindowSpec.fixed(minutes(5)))
          .withEarlyFiringsEvery(Duration.standardSeconds(30))
          .withLateFiringsEvery(2)
          .withAllowedLateness(minutes(10))
          .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES)
          .withClosingBehavior(ClosingBehavior.FIRE_IF_NON_EMPTY)
          .withOnTimeBehavior(OnTimeBehavior.FIRE_IF_NON_EMPTY);

  @Test
  void windowedOutputCarriesTheWholeWindowing(TestPipeline p) {
    p.enableAbandonedNodeEnforcement(false);
    WindowEvents<KV<String, Long>> windowEvents = WindowEvents.using(EVERY_SETTING);

    PCollectionTuple split =
        p.apply(events().addElements(event("a", 1, minutes(1))).advanceWatermarkToInfinity())
            .apply(windowEvents);

    assertCarriesEverySetting(split, windowEvents);
  }

  /** The bounded branch, without the diverter, windows exactly as the unbounded one. */
  @Test
  void boundedWindowedOutputCarriesTheWholeWindowing(TestPipeline p) {
    p.enableAbandonedNodeEnforcement(false);
    WindowEvents<KV<String, Long>> windowEvents = WindowEvents.using(EVERY_SETTING);

    PCollectionTuple split =
        p.apply(Create.of(KV.of("a", 1L)).withCoder(EVENT_CODER)).apply(windowEvents);

    assertCarriesEverySetting(split, windowEvents);
  }

  private static void assertCarriesEverySetting(
      PCollectionTuple split, WindowEvents<KV<String, Long>> windowEvents) {
    WindowingStrategy<?, ?> strategy = split.get(windowEvents.windowedTag()).getWindowingStrategy();
    // The windows are the fixed windows' (how they are assigned is DivertTooLateEvents' business).
    assertThat(
        strategy.getWindowFn().windowCoder(), equalTo(FixedWindows.of(minutes(5)).windowCoder()));
    assertThat(strategy.getWindowFn().isNonMerging(), equalTo(true));
    assertThat(strategy.getTrigger(), equalTo(EVERY_SETTING.trigger()));
    assertThat(strategy.getAllowedLateness(), equalTo(minutes(10)));
    assertThat(strategy.getMode(), equalTo(AccumulationMode.ACCUMULATING_FIRED_PANES));
    assertThat(strategy.getClosingBehavior(), equalTo(ClosingBehavior.FIRE_IF_NON_EMPTY));
    assertThat(strategy.getOnTimeBehavior(), equalTo(OnTimeBehavior.FIRE_IF_NON_EMPTY));
    assertThat(split.get(windowEvents.windowedTag()).getCoder(), equalTo(EVENT_CODER));
    assertThat(
        split.get(windowEvents.tooLateTag()).getCoder(),
        equalTo(KvCoder.of(EVENT_CODER, SpecificRecordCoder.of(MissedWindow.class))));
    assertThat(
        split.get(windowEvents.tooLateTag()).getWindowingStrategy().getWindowFn(),
        instanceOf(GlobalWindows.class));
  }

  /**
   * Bounded input is windowed without the diverter's shuffle and stateful step; unbounded input
   * keeps the diverter under the step names its Flink operator uids come from.
   */
  @Test
  void onlyUnboundedInputTakesTheDiverter(TestPipeline p) {
    p.enableAbandonedNodeEnforcement(false);
    WindowEvents<KV<String, Long>> windowEvents =
        WindowEvents.using(Windowing.of(WindowSpec.fixed(minutes(5))));

    p.apply("Bounded", Create.of(KV.of("a", 1L)).withCoder(EVENT_CODER))
        .apply("WindowBounded", windowEvents);
    p.apply("Unbounded", events().advanceWatermarkToInfinity())
        .apply("WindowUnbounded", windowEvents);

    List<String> steps = stepNames(p);
    assertThat(
        steps,
        hasItems(
            "WindowBounded/AssignWindows/Window.Assign",
            "WindowBounded/NoTooLateEvents",
            "WindowUnbounded/DivertTooLate/DivertExpiredWindows",
            "WindowUnbounded/SetTrigger"));
    assertThat(steps, not(hasItem(startsWith("WindowBounded/DivertTooLate"))));
    assertThat(steps, not(hasItem(startsWith("WindowUnbounded/AssignWindows"))));
    assertThat(steps, not(hasItem(startsWith("WindowUnbounded/NoTooLateEvents"))));
  }

  private static List<String> stepNames(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              names.add(node.getFullName());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names;
  }

  @Test
  void latenessWithoutLateFiringsIsRejectedWhenApplied(TestPipeline p) {
    p.enableAbandonedNodeEnforcement(false);
    Windowing windowing =
        Windowing.of(WindowSpec.fixed(minutes(5))).withAllowedLateness(minutes(10));
    PCollection<KV<String, Long>> input = p.apply(Create.of(KV.of("a", 1L)).withCoder(EVENT_CODER));

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> input.apply(WindowEvents.using(windowing)));

    assertThat(
        e.getMessage(), containsString("allowed lateness is PT600S but late firings are off"));
  }

  /**
   * A backfill reads bounded input: the watermark stays back until all of it is read, so events
   * days apart all count, even with no allowed lateness.
   */
  @Test
  void boundedInputDivertsNothing(TestPipeline p) {
    Windowing windowing = Windowing.of(WindowSpec.fixed(minutes(5)));
    WindowEvents<KV<String, Long>> windowEvents = WindowEvents.using(windowing);
    PCollection<KV<String, Long>> events =
        p.apply(
            Create.timestamped(
                    event("a", 1, minutes(2 * 24 * 60 + 1)),
                    event("a", 10, minutes(1)),
                    event("a", 100, minutes(3)),
                    event("a", 1000, minutes(24 * 60 + 1)))
                .withCoder(EVENT_CODER));

    PCollectionTuple split = events.apply(windowEvents);
    PCollection<KV<String, Long>> sums =
        split.get(windowEvents.windowedTag()).apply(Sum.longsPerKey());

    PAssert.that(sums)
        .inOnlyPane(window(minutes(0), minutes(5)))
        .containsInAnyOrder(KV.of("a", 110L));
    PAssert.that(sums)
        .inOnlyPane(window(minutes(24 * 60), minutes(24 * 60 + 5)))
        .containsInAnyOrder(KV.of("a", 1000L));
    PAssert.that(sums)
        .inOnlyPane(window(minutes(2 * 24 * 60), minutes(2 * 24 * 60 + 5)))
        .containsInAnyOrder(KV.of("a", 1L));
    PAssert.that(split.get(windowEvents.tooLateTag())).empty();
    p.run();
  }

  /**
   * With allowed lateness and late firings, as a job's backfill windows, bounded input still gives
   * one on-time pane per window, which is final, whatever the order of the input.
   */
  @Test
  void boundedInputWithLatenessGivesOneFinalOnTimePanePerWindow(TestPipeline p) {
    Windowing windowing =
        Windowing.of(WindowSpec.fixed(minutes(5)))
            .withLateFiringsEvery(1)
            .withAllowedLateness(minutes(60))
            .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES);
    WindowEvents<KV<String, Long>> windowEvents = WindowEvents.using(windowing);
    PCollection<KV<String, Long>> events =
        p.apply(
            Create.timestamped(
                    event("a", 1, minutes(24 * 60 + 2)),
                    event("b", 2, minutes(4)),
                    event("a", 10, minutes(1)),
                    event("a", 100, minutes(24 * 60 + 4)),
                    event("a", 1000, minutes(3)))
                .withCoder(EVENT_CODER));

    PCollectionTuple split = events.apply(windowEvents);
    PCollection<KV<String, Long>> sums =
        split.get(windowEvents.windowedTag()).apply(Sum.longsPerKey());

    PAssert.that(sums)
        .inOnTimePane(window(minutes(0), minutes(5)))
        .containsInAnyOrder(KV.of("a", 1010L), KV.of("b", 2L));
    PAssert.that(sums)
        .inFinalPane(window(minutes(0), minutes(5)))
        .containsInAnyOrder(KV.of("a", 1010L), KV.of("b", 2L));
    PAssert.that(sums)
        .inOnlyPane(window(minutes(24 * 60), minutes(24 * 60 + 5)))
        .containsInAnyOrder(KV.of("a", 101L));
    PAssert.that(split.get(windowEvents.tooLateTag())).empty();
    p.run();
  }

  /**
   * Too-late records leave in the global window with their event time as timestamp, so a sink can
   * window them again however it likes.
   */
  @Test
  void tooLateRecordsKeepTheirEventTimeInTheGlobalWindow(TestPipeline p) {
    TestStream<KV<String, Long>> stream =
        events()
            .advanceWatermarkTo(at(minutes(30)))
            .addElements(event("a", 1, minutes(2)))
            .advanceWatermarkToInfinity();
    WindowEvents<KV<String, Long>> windowEvents =
        WindowEvents.using(Windowing.of(WindowSpec.fixed(minutes(5))));

    PCollection<String> tooLate =
        p.apply(stream)
            .apply(windowEvents)
            .get(windowEvents.tooLateTag())
            .apply(ParDo.of(new DescribeTimestampFn()));

    PAssert.that(tooLate)
        .inWindow(GlobalWindow.INSTANCE)
        .containsInAnyOrder("a=1 at " + at(minutes(2)) + " in " + GlobalWindow.INSTANCE);
    p.run();
  }

  private static final class DescribeTimestampFn
      extends DoFn<KV<KV<String, Long>, MissedWindow>, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<KV<String, Long>, MissedWindow> record,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        OutputReceiver<String> out) {
      KV<String, Long> event = record.getKey();
      out.output(event.getKey() + "=" + event.getValue() + " at " + timestamp + " in " + window);
    }
  }
}
