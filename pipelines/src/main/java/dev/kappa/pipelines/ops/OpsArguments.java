package dev.kappa.pipelines.ops;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of an operations command: positional arguments, {@code --flag}s and {@code
 * --name=value} options, each checked against what the command accepts.
 */
final class OpsArguments {

  private final List<String> positional;
  private final Set<String> flags;
  private final Map<String, String> options;

  private OpsArguments(List<String> positional, Set<String> flags, Map<String, String> options) {
    this.positional = positional;
    this.flags = flags;
    this.options = options;
  }

  /**
   * Parses {@code args}.
   *
   * @throws UsageException for an option or flag the command does not take, a flag given a value or
   *     an option given none
   */
  static OpsArguments parse(String[] args, Set<String> allowedFlags, Set<String> allowedOptions) {
    List<String> positional = new ArrayList<>();
    Set<String> flags = new TreeSet<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      int equals = arg.indexOf('=');
      String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
      if (allowedFlags.contains(name)) {
        if (equals >= 0) {
          throw new UsageException("--" + name + " takes no value, got '" + arg + "'");
        }
        flags.add(name);
      } else if (allowedOptions.contains(name)) {
        if (equals < 0 || equals == arg.length() - 1) {
          throw new UsageException("--" + name + " needs a value: --" + name + "=<value>");
        }
        options.put(name, arg.substring(equals + 1));
      } else {
        Set<String> known = new TreeSet<>(allowedFlags);
        known.addAll(allowedOptions);
        throw new UsageException(
            "unknown option '" + arg + "'; known: --" + String.join(", --", known));
      }
    }
    return new OpsArguments(List.copyOf(positional), flags, options);
  }

  List<String> positional() {
    return positional;
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  String option(String name, String otherwise) {
    return options.getOrDefault(name, otherwise);
  }

  /** An ISO-8601 duration option such as {@code --timeout=PT10M}. */
  Duration duration(String name, Duration otherwise) {
    String text = options.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      Duration value = Duration.parse(text);
      if (value.isNegative() || value.isZero()) {
        throw new UsageException("--" + name + " must be positive, was " + text);
      }
      return value;
    } catch (DateTimeParseException e) {
      throw new UsageException(
          "--" + name + " must be an ISO-8601 duration such as PT10M, was '" + text + "'");
    }
  }

  /** A wrong command line: the command prints the message and exits with 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
