package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where a job's Kafka cluster is. What a job reads from it is in {@link KafkaReadOptions}, how it
 * writes to it in {@link KafkaWriteOptions}.
 */
public interface KafkaOptions extends PipelineOptions {

  @Description("Kafka bootstrap servers, host:port[,host:port].")
  @Default.String("localhost:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);
}
