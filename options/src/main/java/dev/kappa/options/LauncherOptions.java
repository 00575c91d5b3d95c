package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/** What the launcher does with a running job when it is stopped itself (SIGTERM, Ctrl-C). */
public interface LauncherOptions extends PipelineOptions {

  @Description(
      "When the launcher is stopped (SIGTERM, Ctrl-C), cancel the job it submitted to a Flink"
          + " cluster too. Default: a cluster job keeps running (stop it with 'kappa stop'); a job"
          + " on the embedded Flink runner or the Direct runner is always cancelled.")
  @Default.Boolean(false)
  boolean getCancelJobOnExit();

  void setCancelJobOnExit(boolean value);

  @Description(
      "Set by the launcher: the arguments the job was launched with, after the pipeline's name (a"
          + " JSON array of strings). Flink records it in the job's configuration, so that 'kappa"
          + " stop' prints a resume command that works as printed.")
  @Hidden
  String getLaunchArguments();

  void setLaunchArguments(String value);
}
