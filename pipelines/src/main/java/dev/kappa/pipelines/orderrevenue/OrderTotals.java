package dev.kappa.pipelines.orderrevenue;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.math.BigInteger;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How many orders a key had in a window and what they were worth, in minor currency units.
 *
 * <p>The revenue is exact at any size ({@link BigInteger}): adding never fails and never wraps
 * around, so no combination of valid orders can make the aggregation throw. Whether a total fits
 * the output's {@code long} is decided where the output record is made ({@link
 * #revenueFitsLong()}). A revenue that fits a {@code long} is kept and added as one: a backfill
 * adds millions of orders, and {@link BigInteger} arithmetic for each was 7% of its profile.
 */
@AutoValue
public abstract class OrderTotals implements Serializable {
  private static final long serialVersionUID = 3L;

  /** The number of orders, never negative. */
  public abstract long orderCount();

  /** The revenue when it fits a {@code long}; else 0 and the revenue is {@link #largeRevenue()}. */
  abstract long smallRevenue();

  /** The revenue when it does not fit a {@code long}; else null. One form per value. */
  abstract @Nullable BigInteger largeRevenue();

  /** The exact sum of {@code quantity * unit_price_cents} of the orders. */
  public BigInteger revenueCents() {
    BigInteger large = largeRevenue();
    return large != null ? large : BigInteger.valueOf(smallRevenue());
  }

  public static OrderTotals of(long orderCount, long revenueCents) {
    checkArgument(orderCount >= 0, "order count must not be negative, was %s", orderCount);
    return new AutoValue_OrderTotals(orderCount, revenueCents, null);
  }

  public static OrderTotals of(long orderCount, BigInteger revenueCents) {
    checkNotNull(revenueCents, "revenue must not be null");
    if (revenueCents.bitLength() < Long.SIZE) {
      return of(orderCount, revenueCents.longValue());
    }
    checkArgument(orderCount >= 0, "order count must not be negative, was %s", orderCount);
    return new AutoValue_OrderTotals(orderCount, 0, revenueCents);
  }

  public static OrderTotals zero() {
    return of(0, 0);
  }

  /**
   * One order's totals: a count of one and {@code quantity * unitPriceCents}, exactly. Nearly every
   * order's revenue fits a {@code long} and is computed as one, without a {@link BigInteger}.
   */
  public static OrderTotals ofOrder(int quantity, long unitPriceCents) {
    long low = quantity * unitPriceCents;
    long high = Math.multiplyHigh(quantity, unitPriceCents);
    if (high == (low >> 63)) {
      return of(1, low);
    }
    return of(1, BigInteger.valueOf(quantity).multiply(BigInteger.valueOf(unitPriceCents)));
  }

  /**
   * The sum of both totals, exact. The order count saturates at {@code Long.MAX_VALUE} (more orders
   * than that cannot reach one window) rather than throw.
   */
  public OrderTotals plus(OrderTotals other) {
    long count = orderCount() + other.orderCount();
    count = count < 0 ? Long.MAX_VALUE : count;
    if (largeRevenue() == null && other.largeRevenue() == null) {
      long a = smallRevenue();
      long b = other.smallRevenue();
      long sum = a + b;
      // Overflow only if both have the same sign and the sum has the other one.
      if (((a ^ sum) & (b ^ sum)) >= 0) {
        return of(count, sum);
      }
    }
    return of(count, revenueCents().add(other.revenueCents()));
  }

  /** Whether the revenue fits a {@code long}, the type of the result records' revenue. */
  public boolean revenueFitsLong() {
    return largeRevenue() == null;
  }

  @Override
  public final String toString() {
    return "OrderTotals{orderCount=" + orderCount() + ", revenueCents=" + revenueCents() + "}";
  }

  /**
   * A compact, deterministic coder, backward compatible with the two-long form it replaced.
   *
   * <p>A revenue that fits a {@code long} is encoded exactly as before: the order count and the
   * revenue as two variable-length longs, so accumulators in existing savepoints and checkpoints
   * decode unchanged, and this form is still what nearly every accumulator writes. A larger revenue
   * writes the order count as {@code -1 - count} (old data never has a negative count), then the
   * revenue's two's-complement bytes, length first. Each value has exactly one encoding.
   *
   * <p>Savepoints taken before this class moved here name the coder {@code
   * dev.kappa.transforms.aggregation.OrderTotals$Coder}; that class reads as this one.
   */
  public static final class Coder extends AtomicCoder<OrderTotals> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final VarIntCoder INT = VarIntCoder.of();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(OrderTotals value, OutputStream out) throws IOException {
      if (value.revenueFitsLong()) {
        LONG.encode(value.orderCount(), out);
        LONG.encode(value.smallRevenue(), out);
        return;
      }
      LONG.encode(-1 - value.orderCount(), out);
      byte[] revenue = value.revenueCents().toByteArray();
      INT.encode(revenue.length, out);
      out.write(revenue);
    }

    @Override
    public OrderTotals decode(InputStream in) throws IOException {
      long count = LONG.decode(in);
      if (count >= 0) {
        return OrderTotals.of(count, LONG.decode(in));
      }
      int length = INT.decode(in);
      if (length <= 0 || length > 1 << 20) {
        throw new CoderException("bad OrderTotals revenue length " + length);
      }
      byte[] revenue = new byte[length];
      new DataInputStream(in).readFully(revenue);
      return OrderTotals.of(-1 - count, new BigInteger(revenue));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
