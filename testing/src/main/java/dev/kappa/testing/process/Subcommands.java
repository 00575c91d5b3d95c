package dev.kappa.testing.process;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The dispatch of the local servers' command lines: {@code <subcommand> [argument ...]}, exit codes
 * 0 done, 1 failed, 2 usage error.
 */
public final class Subcommands {
  private Subcommands() {}

  /** A subcommand: from its arguments (after its name) to its exit code. */
  @FunctionalInterface
  public interface Subcommand {
    int run(List<String> args);
  }

  /**
   * Runs the subcommand {@code args[0]} names with the other arguments. Prints {@code usage} to
   * {@code err} and returns 2 if there is none or it is unknown; prints the message and returns 1
   * if it throws an {@link IllegalStateException}.
   */
  public static int run(
      String[] args, String usage, PrintStream err, Map<String, Subcommand> subcommands) {
    if (args.length == 0) {
      err.println(usage);
      return 2;
    }
    Subcommand subcommand = subcommands.get(args[0]);
    if (subcommand == null) {
      err.println("unknown command: " + args[0] + "\n" + usage);
      return 2;
    }
    try {
      return subcommand.run(Arrays.asList(args).subList(1, args.length));
    } catch (IllegalStateException e) {
      err.println(e.getMessage());
      return 1;
    }
  }
}
