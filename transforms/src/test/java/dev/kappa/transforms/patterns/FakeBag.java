package dev.kappa.transforms.patterns;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.ReadableState;

/** A bag state in memory, for tests that play the runner for one key. */
final class FakeBag<T> implements BagState<T> {
  final String name;
  private final List<T> values = new ArrayList<>();

  FakeBag(String name) {
    this.name = name;
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
