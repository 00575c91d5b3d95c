package dev.kappa.transforms.carry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The carry package used as a stream-stream join would use it: two keyed inputs in a union in the
 * global window, a step there, and the results back in the first input's windows.
 */
@ExtendWith(TestPipelineExtension.class)
class KeyedUnionTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final KvCoder<String, String> KV_CODER =
      KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());

  @Test
  void resultsOfAGlobalWindowStepGoBackIntoTheirInputsWindows(TestPipeline p) {
    WindowingStrategy<?, ?> fiveMinutes =
        WindowingStrategy.of(FixedWindows.of(Duration.standardMinutes(5)));
    PCollection<KV<String, String>> orders =
        p.apply(
                "Orders",
                Create.timestamped(
                        TimestampedValue.of(KV.of("o1", "order 1"), T0.plus(minutes(1))),
                        TimestampedValue.of(KV.of("o2", "order 2"), T0.plus(minutes(7))))
                    .withCoder(KV_CODER))
            .apply("OrderWindows", Window.into(FixedWindows.of(Duration.standardMinutes(5))));
    PCollection<KV<String, String>> payments =
        p.apply(
            "Payments",
            Create.timestamped(TimestampedValue.of(KV.of("o1", "paid"), T0.plus(minutes(30))))
                .withCoder(KV_CODER));

    Coder<BoundedWindow> windowCoder = RestoreWindows.windowCoder(orders.getWindowingStrategy());
    KvCoder<String, RawUnionValue> union =
        KeyedUnion.coder(
            StringUtf8Coder.of(),
            List.of(KvCoder.of(StringUtf8Coder.of(), windowCoder), StringUtf8Coder.of()));
    PCollection<KV<String, RawUnionValue>> taggedOrders =
        orders
            .apply("TagOrders", ParDo.of(KeyedUnion.<String, String>carryingWindow(0, "TagOrder")))
            .setCoder(union)
            .apply("OrdersIntoGlobalWindow", CarriedWindows.intoGlobalWindow());
    PCollection<KV<String, RawUnionValue>> taggedPayments =
        payments
            .apply("TagPayments", ParDo.of(KeyedUnion.<String, String>tagged(1, "TagPayment")))
            .setCoder(union)
            .apply("PaymentsIntoGlobalWindow", CarriedWindows.intoGlobalWindow());
    PCollection<String> described =
        PCollectionList.of(taggedOrders)
            .and(taggedPayments)
            .apply(Flatten.pCollections())
            .apply("OrdersOnly", ParDo.of(new OrdersOnlyFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), windowCoder))
            .apply(
                "RestoreOrderWindows",
                RestoreWindows.to(orders.getWindowingStrategy(), StringUtf8Coder.of()));

    IntervalWindow first = new IntervalWindow(T0, minutes(5));
    IntervalWindow second = new IntervalWindow(T0.plus(minutes(5)), minutes(5));
    PAssert.that(described).inWindow(first).containsInAnyOrder("order 1");
    PAssert.that(described).inWindow(second).containsInAnyOrder("order 2");
    assertThat(described.getWindowingStrategy().getWindowFn(), equalTo(fiveMinutes.getWindowFn()));
    p.run().waitUntilFinish();
  }

  @Test
  void theDoFnsTakeTheGivenPrimitiveNames() {
    assertThat(
        ParDo.of(KeyedUnion.<String, String>carryingWindow(0, "CarryEventWindow"))
            .withOutputTags(new TupleTag<>(), TupleTagList.empty())
            .getName(),
        is("ParMultiDo(CarryEventWindow)"));
    assertThat(
        ParDo.of(KeyedUnion.<String, String>tagged(1, "TagChange"))
            .withOutputTags(new TupleTag<>(), TupleTagList.empty())
            .getName(),
        is("ParMultiDo(TagChange)"));
  }

  @Test
  void emptyFirstPanesAreSpuriousOtherPanesAndNonEmptyOnesAreNot() {
    EmptyFirstPanes<KV<String, Integer>> noOrders =
        EmptyFirstPanes.where(count -> count.getValue() == 0);
    PaneInfo firstEarly = PaneInfo.createPane(true, false, PaneInfo.Timing.EARLY, 0, 0);
    PaneInfo secondLate = PaneInfo.createPane(false, true, PaneInfo.Timing.LATE, 1, 1);

    assertThat(noOrders.isSpurious(KV.of("k", 0), firstEarly), is(true));
    assertThat(noOrders.isSpurious(KV.of("k", 3), firstEarly), is(false));
    assertThat(noOrders.isSpurious(KV.of("k", 0), secondLate), is(false));
    assertThat(noOrders.isSpurious(KV.of("k", 3), secondLate), is(false));
  }

  @Test
  @SuppressWarnings("unchecked")
  void carriedWindowsAreMergingExactlyWhenTheTargetIs() {
    WindowFn<Object, BoundedWindow> sessions =
        (WindowFn<Object, BoundedWindow>)
            (WindowFn<?, ?>) Sessions.withGapDuration(Duration.standardMinutes(1));
    WindowFn<Object, BoundedWindow> fixed =
        (WindowFn<Object, BoundedWindow>) (WindowFn<?, ?>) FixedWindows.of(minutes(5));

    assertThat(CarriedWindows.oneWindow(sessions).isNonMerging(), is(false));
    assertThat(CarriedWindows.oneWindow(fixed).isNonMerging(), is(true));
    assertThat(CarriedWindows.windowList(fixed).isNonMerging(), is(true));
    assertThat(CarriedWindows.oneWindow(fixed).windowCoder(), equalTo(fixed.windowCoder()));
  }

  private static Duration minutes(int n) {
    return Duration.standardMinutes(n);
  }

  /** The union's orders with their carried windows; payments only count as seen. */
  static final class OrdersOnlyFn
      extends DoFn<KV<String, RawUnionValue>, KV<String, BoundedWindow>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    @SuppressWarnings("unchecked")
    public void process(
        @Element KV<String, RawUnionValue> element, OutputReceiver<KV<String, BoundedWindow>> out) {
      if (element.getValue().getUnionTag() == 0) {
        out.output((KV<String, BoundedWindow>) element.getValue().getValue());
      }
    }
  }
}
