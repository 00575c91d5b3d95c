package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where records that could not be decoded or validated go. */
public interface DeadLetterOptions extends PipelineOptions {

  @Description(
      "Where dead letters (original bytes, error, step, source position) go: 'console',"
          + " 'kafka:<topic>', or a path prefix for JSON-lines files.")
  @Default.String("console")
  String getDeadLetterOutput();

  void setDeadLetterOutput(String value);
}
