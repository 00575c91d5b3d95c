package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How late records are handled: how long they are accepted and how often late panes fire. */
public interface LatenessOptions extends PipelineOptions {

  @Description(
      "How long after a window's end late records still update it (ISO-8601, e.g. PT1H). Records"
          + " later than this go to the too-late output.")
  @Default.String("PT1H")
  String getAllowedLateness();

  void setAllowedLateness(String value);

  @Description(
      "A late pane after every N late records (1: after each late record); 0 for none, which needs"
          + " --lateFiringDelay unless --allowedLateness is PT0S. With --lateFiringDelay, whichever"
          + " comes first fires.")
  @Default.Integer(1)
  int getLateFiringCount();

  void setLateFiringCount(int value);

  @Description(
      "A late pane this long in processing time after the first late record of a pane (ISO-8601,"
          + " e.g. PT10M, as Beam's LeaderBoard fires team scores); 'none' for no delay-based late"
          + " panes. With --lateFiringCount, whichever comes first fires.")
  @Default.String("none")
  String getLateFiringDelay();

  void setLateFiringDelay(String value);

  @Description(
      "When a window closes: FIRE_ALWAYS emits a final pane even if nothing arrived since the"
          + " last one; FIRE_IF_NON_EMPTY only if something did.")
  @Default.Enum("FIRE_ALWAYS")
  org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior getClosingBehavior();

  void setClosingBehavior(org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior value);

  @Description(
      "Where too-late records go: 'console', 'kafka:<topic>', or a path prefix for JSON-lines"
          + " files. Never dropped.")
  @Default.String("console")
  String getTooLateOutput();

  void setTooLateOutput(String value);
}
