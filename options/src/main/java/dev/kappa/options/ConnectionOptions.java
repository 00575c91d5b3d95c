package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How long the launcher waits for a Kafka broker or a database at launch: a job or tool whose
 * broker or database does not answer fails within this time, naming {@code --bootstrapServers} or
 * {@code --jdbcUrl}, instead of waiting forever while the clients retry.
 */
public interface ConnectionOptions extends PipelineOptions {

  /** The default of {@link #getConnectTimeout()}, as ISO-8601 text. */
  String DEFAULT_CONNECT_TIMEOUT = "PT30S";

  @Description(
      "How long to wait at launch (ISO-8601) for the Kafka brokers and the database to answer"
          + " before failing with exit code 2; also the database connect and login timeout of"
          + " the running job.")
  @Default.String(DEFAULT_CONNECT_TIMEOUT)
  String getConnectTimeout();

  void setConnectTimeout(String value);
}
