package dev.kappa.transforms.join;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * One left element of an {@link IntervalJoin} with every right element of its key whose time lay in
 * its interval, ordered by time (ties in arrival order). {@link #update()} is true when a right
 * element arrived after the left's result had been emitted (within the allowed lateness): this
 * result then replaces the earlier one.
 *
 * @param <L> the left element
 * @param <R> the right element
 */
public final class IntervalMatch<L, R> {
  private final L left;
  private final Instant leftTime;
  private final List<TimestampedValue<R>> rights;
  private final boolean update;

  public IntervalMatch(L left, Instant leftTime, List<TimestampedValue<R>> rights, boolean update) {
    this.left = checkNotNull(left, "left");
    this.leftTime = checkNotNull(leftTime, "leftTime");
    this.rights = List.copyOf(rights);
    this.update = update;
  }

  public L left() {
    return left;
  }

  public Instant leftTime() {
    return leftTime;
  }

  /** The right elements in the left's interval, each with its event time, earliest first. */
  public List<TimestampedValue<R>> rights() {
    return rights;
  }

  /** True if this result replaces one emitted earlier for the same left element. */
  public boolean update() {
    return update;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IntervalMatch<?, ?> that
        && left.equals(that.left)
        && leftTime.equals(that.leftTime)
        && rights.equals(that.rights)
        && update == that.update;
  }

  @Override
  public int hashCode() {
    return Objects.hash(left, leftTime, rights, update);
  }

  @Override
  public String toString() {
    return (update ? "update " : "") + left + "@" + leftTime + " " + rights;
  }

  /** The coder of matches, from the coders of the left and right elements. */
  public static <L, R> Coder<IntervalMatch<L, R>> coder(Coder<L> leftCoder, Coder<R> rightCoder) {
    return new MatchCoder<>(leftCoder, rightCoder);
  }

  private static final class MatchCoder<L, R> extends StructuredCoder<IntervalMatch<L, R>> {
    private static final long serialVersionUID = 1L;
    private final Coder<L> leftCoder;
    private final Coder<R> rightCoder;
    private final ListCoder<TimestampedValue<R>> rightsCoder;

    MatchCoder(Coder<L> leftCoder, Coder<R> rightCoder) {
      this.leftCoder = leftCoder;
      this.rightCoder = rightCoder;
      this.rightsCoder = ListCoder.of(TimestampedValue.TimestampedValueCoder.of(rightCoder));
    }

    @Override
    public void encode(IntervalMatch<L, R> value, OutputStream out) throws IOException {
      leftCoder.encode(value.left, out);
      InstantCoder.of().encode(value.leftTime, out);
      rightsCoder.encode(value.rights, out);
      BooleanCoder.of().encode(value.update, out);
    }

    @Override
    public IntervalMatch<L, R> decode(InputStream in) throws IOException {
      L left = leftCoder.decode(in);
      Instant time = InstantCoder.of().decode(in);
      List<TimestampedValue<R>> rights = rightsCoder.decode(in);
      boolean update = BooleanCoder.of().decode(in);
      return new IntervalMatch<>(left, time, rights, update);
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(leftCoder, rightCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "left coder must be deterministic", leftCoder);
      verifyDeterministic(this, "right coder must be deterministic", rightCoder);
    }
  }
}
