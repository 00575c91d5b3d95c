package dev.kappa.testing.process;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local servers' command lines: {@code <program> <subcommand> [argument ...]}, with exit codes
 * 0 done, 1 failed, 2 usage error (the usage is then printed), and any other a subcommand returns.
 *
 * <pre>{@code
 * static int run(String[] args, PrintStream out, PrintStream err) {
 *   return Subcommands.of("KafkaLocalCli", err)
 *       .add("status <data-dir>", rest -> status(rest, out))
 *       .run(args);
 * }
 * }</pre>
 */
public final class Subcommands {

  /** A subcommand: from its arguments (after its name) to its exit code. */
  @FunctionalInterface
  public interface Subcommand {
    int run(List<String> args);
  }

  private final String program;
  private final PrintStream err;
  private final Map<String, Subcommand> subcommands = new LinkedHashMap<>();
  private final List<String> synopses = new ArrayList<>();
  private String errorPrefix = "";

  private Subcommands(String program, PrintStream err) {
    this.program = program;
    this.err = err;
  }

  /** A command line named {@code program}, printing errors and its usage to {@code err}. */
  public static Subcommands of(String program, PrintStream err) {
    return new Subcommands(program, err);
  }

  /**
   * Adds a subcommand.
   *
   * @param synopsis its name, then its arguments as the usage shows them
   */
  public Subcommands add(String synopsis, Subcommand subcommand) {
    subcommands.put(synopsis.split(" ", 2)[0], subcommand);
    synopses.add(synopsis);
    return this;
  }

  /** Puts {@code prefix} before the message of a failure, so that a script's user sees whose. */
  public Subcommands withErrorPrefix(String prefix) {
    errorPrefix = prefix;
    return this;
  }

  /** {@code usage: <program> <synopsis>}, one line per subcommand. */
  public String usage() {
    StringBuilder usage = new StringBuilder();
    for (String synopsis : synopses) {
      usage.append(usage.length() == 0 ? "usage: " : "\n       ");
      usage.append(program).append(' ').append(synopsis);
    }
    return usage.toString();
  }

  /**
   * Runs the subcommand {@code args[0]} names with the other arguments; its exit code. Prints the
   * usage if there is none, it is unknown, or it returns 2; prints the message and returns 1 if it
   * throws an {@link IllegalStateException} or {@link IllegalArgumentException}.
   */
  public int run(String[] args) {
    if (args.length == 0) {
      err.println(usage());
      return 2;
    }
    Subcommand subcommand = subcommands.get(args[0]);
    if (subcommand == null) {
      err.println("unknown command: " + args[0] + "\n" + usage());
      return 2;
    }
    try {
      int code = subcommand.run(Arrays.asList(args).subList(1, args.length));
      if (code == 2) {
        err.println(usage());
      }
      return code;
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println(errorPrefix + e.getMessage());
      return 1;
    }
  }

  /**
   * {@code value} as a positive number; empty, and a message naming {@code what} on {@code err}, if
   * it is not one.
   */
  public static Optional<Integer> positive(String what, String value, PrintStream err) {
    return number(value, 1, Integer.MAX_VALUE, what + " must be a positive number", err);
  }

  /** {@code value} as a TCP port; empty, and a message on {@code err}, if it is not one. */
  public static Optional<Integer> port(String value, PrintStream err) {
    return number(value, 1, 65535, "port must be a number in 1..65535", err);
  }

  private static Optional<Integer> number(
      String value, int min, int max, String requirement, PrintStream err) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return Optional.of(parsed);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    err.println(requirement + ", got '" + value + "'");
    return Optional.empty();
  }
}
