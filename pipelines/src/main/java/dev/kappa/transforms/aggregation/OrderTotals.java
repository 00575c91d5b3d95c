package dev.kappa.transforms.aggregation;

import java.io.Serializable;

/**
 * Only the old name of {@link dev.kappa.pipelines.orderrevenue.OrderTotals}'s coder, kept so that
 * savepoints taken before the class moved still restore.
 *
 * <p>A Flink savepoint stores each state's serializer Java-serialized, and Beam's serializer holds
 * the state's coder: the accumulator state of OrderRevenue's {@code SumRevenue} names the coder
 * {@code dev.kappa.transforms.aggregation.OrderTotals$Coder}. Without a class of that name the
 * restore fails before reading any state. {@link Coder} reads as the moved coder, whose encoding is
 * unchanged. Remove this class once no savepoint from before the move needs restoring.
 */
public final class OrderTotals {
  private OrderTotals() {}

  /** Deserializes as {@link dev.kappa.pipelines.orderrevenue.OrderTotals.Coder}. */
  static final class Coder implements Serializable {
    private static final long serialVersionUID = 1L;

    private Coder() {}

    private Object readResolve() {
      return dev.kappa.pipelines.orderrevenue.OrderTotals.Coder.of();
    }
  }
}
