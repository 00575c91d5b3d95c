package dev.kappa.transforms.state;

import org.apache.beam.sdk.state.ValueState;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A value state in memory, for tests that play the runner for one key. */
public final class FakeValue<T> implements ValueState<T> {
  public final String name;
  private @Nullable T value;

  public FakeValue(String name) {
    this.name = name;
  }

  /** A value whose name nothing reports. */
  public FakeValue() {
    this("value");
  }

  @Override
  public void write(T input) {
    value = input;
  }

  @Override
  public @Nullable T read() {
    return value;
  }

  @Override
  public ValueState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    value = null;
  }
}
