package dev.kappa.transforms.state;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.ReadableState;

/**
 * A bag state in memory, for tests that play the runner for one key of a stateful DoFn whose logic
 * is kept apart from Beam's annotations (AsOfJoin, AwaitKeys, bursts, interval join, ordering).
 */
public final class FakeBag<T> implements BagState<T> {
  public final String name;
  private final List<T> values = new ArrayList<>();

  public FakeBag(String name) {
    this.name = name;
  }

  /** A bag whose name nothing reports. */
  public FakeBag() {
    this("bag");
  }

  /** What the bag holds now, in the order added. */
  public List<T> values() {
    return List.copyOf(values);
  }

  @Override
  public void add(T value) {
    values.add(value);
  }

  @Override
  public Iterable<T> read() {
    return new ArrayList<>(values);
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    boolean empty = values.isEmpty();
    return new ReadableState<Boolean>() {
      @Override
      public Boolean read() {
        return empty;
      }

      @Override
      public ReadableState<Boolean> readLater() {
        return this;
      }
    };
  }

  @Override
  public BagState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    values.clear();
  }
}
