package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.function.Function;

/**
 * An option as a job part reads it: its name (as the user types it, for messages) and its getter.
 */
record OptionRef<O, T>(String name, Function<O, T> getter) {
  OptionRef {
    checkArgument(name != null && !name.isBlank(), "option name must be set");
    checkNotNull(getter, "getter of --%s must be set", name);
  }

  T read(O options) {
    return getter.apply(options);
  }
}
