package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Window shape, early firings and accumulation; see {@link LatenessOptions} for late data. */
public interface WindowingOptions extends PipelineOptions {

  /** Whether each pane repeats what earlier panes of its window emitted. */
  enum Accumulation {
    /** Each pane holds everything so far: the last pane is the complete result. */
    ACCUMULATING,
    /** Each pane holds only what arrived since the previous pane: add them up downstream. */
    DISCARDING
  }

  @Description(
      "Event-time windows: fixed:<size>, sliding:<size>,<period>, session:<gap> or global;"
          + " ISO-8601 durations, e.g. fixed:PT5M.")
  @Default.String("fixed:PT5M")
  String getWindow();

  void setWindow(String value);

  @Description(
      "Speculative (early) results this long in processing time after the first record of each"
          + " pane, repeatedly until the watermark passes the window's end (ISO-8601, e.g."
          + " PT30S); 'none' to wait for the watermark. Streaming only: a bounded run (backfill)"
          + " emits each window once, when it is complete.")
  @Default.String("PT30S")
  String getEarlyFirings();

  void setEarlyFirings(String value);

  /** Which panes a window emits. */
  enum Emit {
    /** Early (if set), on-time and late panes, then a closing pane: results as they change. */
    EVERY_PANE,
    /**
     * One pane per window when it closes (its end plus --allowedLateness): the final result and
     * nothing before it, as Kafka Streams' suppress(untilWindowCloses). Early and late firings are
     * not used.
     */
    FINAL_ONLY
  }

  @Description(
      "EVERY_PANE (early, on-time and late panes as the firing options say) or FINAL_ONLY (one"
          + " result per window when it closes, at its end plus --allowedLateness; --earlyFirings,"
          + " --lateFiringCount and --lateFiringDelay are then not used).")
  @Default.Enum("EVERY_PANE")
  Emit getEmit();

  void setEmit(Emit value);

  @Description("ACCUMULATING (each pane is the full result so far) or DISCARDING (only new data).")
  @Default.Enum("ACCUMULATING")
  Accumulation getAccumulation();

  void setAccumulation(Accumulation value);
}
