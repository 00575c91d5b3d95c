package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where a job's Kafka cluster is. What a job reads from it is in {@link KafkaReadOptions}, how it
 * writes to it in {@link KafkaWriteOptions}. How to connect to it (SASL, TLS) is in the file that
 * {@code --kafkaClientProperties} names: the option holds only the path, so that no secret reaches
 * the job's configuration.
 */
public interface KafkaOptions extends PipelineOptions {

  @Description("Kafka bootstrap servers, host:port[,host:port].")
  @Default.String("localhost:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description(
      "Path of a Java properties file of Kafka client settings (security.protocol, sasl.*, ssl.*)"
          + " merged into every consumer, producer and admin client of the job or tool. Read once"
          + " at launch and passed inside the job, so the file need only exist where the job is"
          + " launched; its values are never logged. See docs/security.md.")
  String getKafkaClientProperties();

  void setKafkaClientProperties(String value);
}
