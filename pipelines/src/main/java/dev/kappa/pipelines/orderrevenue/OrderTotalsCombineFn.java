package dev.kappa.pipelines.orderrevenue;

import dev.kappa.schemas.events.OrderEvent;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * Counts orders and sums their revenue ({@code quantity * unit_price_cents}) per key and window.
 *
 * <p>A CombineFn rather than a GroupByKey and a loop, so runners combine partial sums before the
 * shuffle and keep one small accumulator per key and window instead of every order. Arithmetic is
 * exact at any size (see {@link OrderTotals}): no input makes it throw or wrap around; whoever
 * turns the total into a record with a bounded type decides what to do with one that does not fit.
 *
 * <pre>{@code
 * PCollection<KV<String, OrderTotals>> totals =
 *     ordersByProduct.apply("SumRevenue", Combine.perKey(new OrderTotalsCombineFn()));
 * }</pre>
 */
public final class OrderTotalsCombineFn extends CombineFn<OrderEvent, OrderTotals, OrderTotals> {
  private static final long serialVersionUID = 1L;

  @Override
  public OrderTotals createAccumulator() {
    return OrderTotals.zero();
  }

  @Override
  public OrderTotals addInput(OrderTotals accumulator, OrderEvent order) {
    return accumulator.plus(OrderTotals.ofOrder(order.getQuantity(), order.getUnitPriceCents()));
  }

  @Override
  public OrderTotals mergeAccumulators(Iterable<OrderTotals> accumulators) {
    OrderTotals sum = OrderTotals.zero();
    for (OrderTotals accumulator : accumulators) {
      sum = sum.plus(accumulator);
    }
    return sum;
  }

  @Override
  public OrderTotals extractOutput(OrderTotals accumulator) {
    return accumulator;
  }

  @Override
  public org.apache.beam.sdk.coders.Coder<OrderTotals> getAccumulatorCoder(
      CoderRegistry registry, org.apache.beam.sdk.coders.Coder<OrderEvent> inputCoder) {
    return OrderTotals.Coder.of();
  }

  @Override
  public org.apache.beam.sdk.coders.Coder<OrderTotals> getDefaultOutputCoder(
      CoderRegistry registry, org.apache.beam.sdk.coders.Coder<OrderEvent> inputCoder) {
    return OrderTotals.Coder.of();
  }
}
