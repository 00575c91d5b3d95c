package dev.kappa.transforms.aggregation;

import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** How many orders a key had in a window and what they were worth, in minor currency units. */
@AutoValue
public abstract class OrderTotals implements Serializable {
  private static final long serialVersionUID = 1L;

  public abstract long orderCount();

  public abstract long revenueCents();

  public static OrderTotals of(long orderCount, long revenueCents) {
    return new AutoValue_OrderTotals(orderCount, revenueCents);
  }

  public static OrderTotals zero() {
    return of(0, 0);
  }

  /** The sum of both totals; fails rather than wrapping around on overflow. */
  public OrderTotals plus(OrderTotals other) {
    return of(
        Math.addExact(orderCount(), other.orderCount()),
        Math.addExact(revenueCents(), other.revenueCents()));
  }

  /** A compact, deterministic coder: two variable-length longs. */
  public static final class Coder extends AtomicCoder<OrderTotals> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();
    private static final VarLongCoder LONG = VarLongCoder.of();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(OrderTotals value, OutputStream out) throws IOException {
      LONG.encode(value.orderCount(), out);
      LONG.encode(value.revenueCents(), out);
    }

    @Override
    public OrderTotals decode(InputStream in) throws IOException {
      return OrderTotals.of(LONG.decode(in), LONG.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
