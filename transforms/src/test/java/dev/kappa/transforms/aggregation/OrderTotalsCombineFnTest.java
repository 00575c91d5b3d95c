package dev.kappa.transforms.aggregation;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.OrderEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.CombineFnTester;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class OrderTotalsCombineFnTest {
  private static final OrderTotalsCombineFn FN = new OrderTotalsCombineFn();

  private static OrderEvent order(String id, int quantity, long unitPriceCents) {
    return OrderEvent.newBuilder()
        .setOrderId(id)
        .setCustomerId("c-1")
        .setProductId("p-1")
        .setQuantity(quantity)
        .setUnitPriceCents(unitPriceCents)
        .setEventTime(java.time.Instant.parse("2026-01-01T00:00:00Z"))
        .build();
  }

  @Test
  void countsOrdersAndSumsQuantityTimesUnitPrice() {
    // 2 x 1.50 + 1 x 10.00 + 5 x 0.99 = 3.00 + 10.00 + 4.95
    List<OrderEvent> orders =
        new ArrayList<>(List.of(order("o1", 2, 150), order("o2", 1, 1000), order("o3", 5, 99)));

    // CombineFnTester shuffles the list and checks every way of splitting the input into merged
    // accumulators.
    CombineFnTester.testCombineFn(FN, orders, OrderTotals.of(3, 1795));
  }

  @Test
  void noOrdersTotalZero() {
    assertThat(FN.apply(List.of()), equalTo(OrderTotals.zero()));
    assertThat(OrderTotals.zero(), equalTo(OrderTotals.of(0, 0)));
  }

  @Test
  void mergesAccumulatorsBySummingBothTotals() {
    OrderTotals merged =
        FN.mergeAccumulators(
            List.of(OrderTotals.of(1, 100), OrderTotals.zero(), OrderTotals.of(2, 250)));

    assertThat(merged, equalTo(OrderTotals.of(3, 350)));
  }

  @Test
  void revenueBeyondALongThrowsInsteadOfWrappingAround() {
    OrderEvent huge = order("o1", Integer.MAX_VALUE, Long.MAX_VALUE / 2);

    assertThrows(ArithmeticException.class, () -> FN.addInput(FN.createAccumulator(), huge));
  }

  @Test
  void aSumBeyondALongThrowsInsteadOfWrappingAround() {
    OrderEvent half = order("o1", 1, Long.MAX_VALUE / 2 + 1);
    OrderTotals once = FN.addInput(FN.createAccumulator(), half);

    assertThat(once, equalTo(OrderTotals.of(1, Long.MAX_VALUE / 2 + 1)));
    assertThrows(ArithmeticException.class, () -> FN.addInput(once, half));
    assertThrows(ArithmeticException.class, () -> FN.mergeAccumulators(List.of(once, once)));
  }

  @Test
  void coderRoundTripsAndIsDeterministic() throws Exception {
    OrderTotals.Coder coder = OrderTotals.Coder.of();
    for (OrderTotals totals :
        List.of(
            OrderTotals.zero(),
            OrderTotals.of(3, 1795),
            OrderTotals.of(Long.MAX_VALUE, Long.MAX_VALUE),
            OrderTotals.of(1, -250))) {
      CoderProperties.coderDecodeEncodeEqual(coder, totals);
      CoderProperties.coderDeterministic(
          coder, totals, OrderTotals.of(totals.orderCount(), totals.revenueCents()));
    }
    CoderProperties.coderSerializable(coder);
    coder.verifyDeterministic();
  }

  @Test
  void combinesPerKeyInAPipelineWithItsOwnCoders(TestPipeline p) {
    PCollection<KV<String, OrderEvent>> orders =
        p.apply(
            Create.of(
                    KV.of("p-1", order("o1", 2, 150)),
                    KV.of("p-1", order("o2", 1, 1000)),
                    KV.of("p-2", order("o3", 5, 99)))
                .withCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(OrderEvent.class))));

    PCollection<KV<String, OrderTotals>> totals = orders.apply(Combine.perKey(FN));

    PAssert.that(totals)
        .containsInAnyOrder(
            KV.of("p-1", OrderTotals.of(2, 1300)), KV.of("p-2", OrderTotals.of(1, 495)));
    assertThat(
        totals.getCoder(), equalTo(KvCoder.of(StringUtf8Coder.of(), OrderTotals.Coder.of())));
    p.run();
  }
}
