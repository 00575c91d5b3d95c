package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.OrderEvent;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.translation.types.CoderTypeSerializer;
import org.apache.beam.runners.flink.translation.types.UnversionedTypeSerializerSnapshot;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.CombineFnTester;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
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
  void oneOrderWorthMoreThanALongIsExact() {
    OrderEvent huge = order("o1", Integer.MAX_VALUE, Long.MAX_VALUE);

    OrderTotals totals = FN.addInput(FN.createAccumulator(), huge);

    // Checked against an independent computation: (2^31 - 1) * (2^63 - 1).
    BigInteger expected =
        BigInteger.TWO
            .pow(31)
            .subtract(BigInteger.ONE)
            .multiply(BigInteger.TWO.pow(63).subtract(BigInteger.ONE));
    assertThat(totals, equalTo(OrderTotals.of(1, expected)));
    assertThat(totals.revenueFitsLong(), is(false));
  }

  @Test
  void aSumBeyondALongIsExactInEveryMergeOrder() {
    List<OrderEvent> orders =
        new ArrayList<>(
            List.of(
                order("o1", 1, Long.MAX_VALUE / 2 + 1),
                order("o2", 1, Long.MAX_VALUE / 2 + 1),
                order("o3", 3, 7)));

    // 2 * (2^62) + 21 = 2^63 + 21: one past Long.MAX_VALUE plus 21.
    OrderTotals expected = OrderTotals.of(3, BigInteger.TWO.pow(63).add(BigInteger.valueOf(21)));
    CombineFnTester.testCombineFn(FN, orders, expected);
    assertThat(expected.revenueFitsLong(), is(false));
  }

  @Test
  void aSumThatOverflowsAndComesBackIsExactAndFits() {
    OrderTotals big = OrderTotals.of(1, Long.MAX_VALUE);
    OrderTotals beyond = big.plus(big);
    OrderTotals back = beyond.plus(OrderTotals.of(0, -Long.MAX_VALUE));

    assertThat(beyond.revenueFitsLong(), is(false));
    assertThat(back, equalTo(OrderTotals.of(2, Long.MAX_VALUE)));
    assertThat(back.revenueFitsLong(), is(true));
    assertThat(OrderTotals.of(0, Long.MIN_VALUE).revenueFitsLong(), is(true));
    assertThat(
        OrderTotals.of(0, BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE))
            .revenueFitsLong(),
        is(false));
  }

  @Test
  void productsAndSumsAtTheEdgesOfALongAgreeWithBigIntegerArithmetic() {
    int[] quantities = {Integer.MIN_VALUE, -2, -1, 0, 1, 2, 3, Integer.MAX_VALUE};
    long[] prices = {
      Long.MIN_VALUE,
      Long.MIN_VALUE + 1,
      -(1L << 32),
      -1,
      0,
      1,
      1L << 32,
      Long.MAX_VALUE / 2,
      Long.MAX_VALUE
    };
    List<OrderTotals> orders = new ArrayList<>();
    for (int quantity : quantities) {
      for (long price : prices) {
        BigInteger exact = BigInteger.valueOf(quantity).multiply(BigInteger.valueOf(price));
        OrderTotals order = OrderTotals.ofOrder(quantity, price);
        assertThat(order.revenueCents(), equalTo(exact));
        assertThat(order.revenueFitsLong(), is(exact.bitLength() < 64));
        assertThat(order, equalTo(OrderTotals.of(1, exact)));
        orders.add(order);
      }
    }
    for (OrderTotals a : orders) {
      for (OrderTotals b : orders) {
        BigInteger exact = a.revenueCents().add(b.revenueCents());
        OrderTotals sum = a.plus(b);
        assertThat(sum.revenueCents(), equalTo(exact));
        assertThat(sum.revenueFitsLong(), is(exact.bitLength() < 64));
        assertThat(sum, equalTo(OrderTotals.of(2, exact)));
      }
    }
  }

  @Test
  void aNegativeOrderCountIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> OrderTotals.of(-1, 0));
  }

  @Test
  void coderRoundTripsAndIsDeterministic() throws Exception {
    OrderTotals.Coder coder = OrderTotals.Coder.of();
    for (OrderTotals totals :
        List.of(
            OrderTotals.zero(),
            OrderTotals.of(3, 1795),
            OrderTotals.of(Long.MAX_VALUE, Long.MAX_VALUE),
            OrderTotals.of(1, -250),
            OrderTotals.of(2, BigInteger.TWO.pow(63)),
            OrderTotals.of(0, BigInteger.TWO.pow(200).negate()),
            OrderTotals.of(Long.MAX_VALUE, BigInteger.TWO.pow(64)))) {
      CoderProperties.coderDecodeEncodeEqual(coder, totals);
      CoderProperties.coderDeterministic(
          coder, totals, OrderTotals.of(totals.orderCount(), totals.revenueCents()));
    }
    CoderProperties.coderSerializable(coder);
    coder.verifyDeterministic();
  }

  @Test
  void coderReadsTheTwoLongFormOfOlderStateAndWritesItForTotalsThatFit() throws Exception {
    // What the coder wrote before totals were exact: two variable-length longs, written here with
    // Beam's own VarLongCoder. Savepoints and checkpoints hold accumulators in this form.
    for (long[] old :
        new long[][] {{0, 0}, {3, 1795}, {1, -250}, {Long.MAX_VALUE, Long.MIN_VALUE}}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      VarLongCoder.of().encode(old[0], bytes);
      VarLongCoder.of().encode(old[1], bytes);
      byte[] oldForm = bytes.toByteArray();

      OrderTotals decoded = CoderUtils.decodeFromByteArray(OrderTotals.Coder.of(), oldForm);

      assertThat(decoded, equalTo(OrderTotals.of(old[0], old[1])));
      assertThat(CoderUtils.encodeToByteArray(OrderTotals.Coder.of(), decoded), equalTo(oldForm));
    }
  }

  @Test
  void coderKeepsWhatFollowsAWideTotalInAKv() throws Exception {
    KvCoder<OrderTotals, String> kv = KvCoder.of(OrderTotals.Coder.of(), StringUtf8Coder.of());
    KV<OrderTotals, String> value =
        KV.of(OrderTotals.of(5, BigInteger.TWO.pow(100).add(BigInteger.ONE)), "after");

    assertThat(
        CoderUtils.decodeFromByteArray(kv, CoderUtils.encodeToByteArray(kv, value)),
        equalTo(value));
  }

  /**
   * A savepoint taken before OrderTotals moved here names its coder by the old class name in the
   * Flink serializer snapshot of SumRevenue's accumulator state. The checked-in bytes are that
   * snapshot, written by the old code; it must restore, as the moved coder, and read old state.
   */
  @Test
  void aSerializerSnapshotFromBeforeTheMoveRestoresAsTheMovedCoder() throws Exception {
    byte[] snapshot;
    try (InputStream in =
        getClass().getResourceAsStream("/savepoint/order-totals-coder-before-move.bin")) {
      snapshot = in.readAllBytes();
    }
    UnversionedTypeSerializerSnapshot<OrderTotals> restored =
        new UnversionedTypeSerializerSnapshot<>();
    restored.readSnapshot(1, new DataInputDeserializer(snapshot), getClass().getClassLoader());

    TypeSerializer<OrderTotals> serializer = restored.restoreSerializer();
    assertThat(serializer, equalTo(new CoderTypeSerializer<>(OrderTotals.Coder.of(), false)));
    ByteArrayOutputStream oldState = new ByteArrayOutputStream();
    VarLongCoder.of().encode(4L, oldState);
    VarLongCoder.of().encode(1999L, oldState);
    assertThat(
        serializer.deserialize(new DataInputDeserializer(oldState.toByteArray())),
        equalTo(OrderTotals.of(4, 1999)));
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
