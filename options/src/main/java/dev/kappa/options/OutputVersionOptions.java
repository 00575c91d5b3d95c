package dev.kappa.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Which version of a job's outputs a run writes: every job takes it (the launcher registers it), so
 * that a new version of a job can run beside the live one over the same input (docs/
 * reprocessing.md).
 */
public interface OutputVersionOptions extends PipelineOptions {

  @Description(
      "Write this version of the job's outputs, e.g. v2: its Kafka topics, files and PostgreSQL"
          + " tables get the suffix _v2 (created if missing), its consumer group and sink group"
          + " the suffix -v2, and each table's name becomes a view of the live version's table."
          + " Needs --jdbcUrl: the live version of each job is recorded in PostgreSQL"
          + " (kappa_live_versions). Unset: the outputs are named as given, unversioned.")
  String getOutputVersion();

  void setOutputVersion(String value);
}
