package dev.kappa.transforms.patterns;

import org.apache.beam.sdk.state.ValueState;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A value state in memory, for tests that play the runner for one key. */
final class FakeValue<T> implements ValueState<T> {
  final String name;
  private @Nullable T value;

  FakeValue(String name) {
    this.name = name;
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
