package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a job writes its results. */
public interface SinkOptions extends PipelineOptions {

  @Description(
      "Where results go: 'console' (one line per pane), 'kafka:<topic>' (keyed Avro records), or"
          + " a path prefix for JSON-lines files (bounded: written at the end; streaming: a new"
          + " file every 5 s of processing time).")
  @Default.String("console")
  String getOutput();

  void setOutput(String value);
}
