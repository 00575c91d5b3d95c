package dev.kappa.io.console;

/**
 * The console as a sink, for demos and local runs: each element printed on its own line.
 *
 * <pre>{@code
 * alerts.apply("PrintAlerts", Console.print("alert"));
 * // [alert] {"card":"4242","amount":912.5}
 * }</pre>
 */
public final class Console {
  private Console() {}

  /** Prints each element to stdout as {@code [label] element}. See {@link PrintLines}. */
  public static PrintLines print(String label) {
    return PrintLines.of(label, false);
  }

  /**
   * As {@link #print}, but a bounded collection is printed sorted once complete, by one task that
   * holds all its lines: for small outputs, such as results.
   */
  public static PrintLines printSorted(String label) {
    return PrintLines.of(label, true);
  }
}
