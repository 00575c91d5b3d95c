package dev.kappa.pipelines.ops;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code kappa reconcile} for tests in other packages, with the environment they give. */
public final class ReconcileCommands {
  private ReconcileCommands() {}

  /** Runs the command, its report and errors into {@code report}; returns the exit code. */
  public static int run(
      ByteArrayOutputStream report, Map<String, String> environment, String... args) {
    PrintStream both = new PrintStream(report, true, StandardCharsets.UTF_8);
    return ReconcileCommand.run(args, both, both, environment);
  }
}
