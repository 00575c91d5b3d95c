package dev.kappa.options;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How a job talks to Kafka: where, which topics, and with which delivery guarantee. */
public interface KafkaOptions extends PipelineOptions {

  /** What a Kafka sink promises when the job fails and restarts. */
  enum Delivery {
    /** Every record is written, some may be written twice after a failure. */
    AT_LEAST_ONCE,
    /**
     * Every record is visible exactly once to consumers reading with {@code
     * isolation.level=read_committed}: transactions committed on Flink checkpoints. Needs
     * --checkpointingInterval.
     */
    EXACTLY_ONCE
  }

  @Description("Kafka bootstrap servers, host:port[,host:port].")
  @Default.String("localhost:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Topics to read events from (comma-separated). Default: orders.")
  @Default.InstanceFactory(OrdersTopic.class)
  List<String> getInputTopics();

  void setInputTopics(List<String> value);

  @Description(
      "Consumer group whose offsets are committed when a Flink checkpoint completes. Default:"
          + " kappa-<pipeline>, the same at every launch, so a restarted job resumes there.")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description(
      "Stream only what is in the topics at launch, then finish (the watermark then passes every"
          + " window): for catching up and for tests.")
  @Default.Boolean(false)
  boolean getStopAtEnd();

  void setStopAtEnd(boolean value);

  @Description(
      "Stream until these offsets, written or not yet, then finish: partition=offset pairs of the"
          + " single input topic, e.g. 0=134,1=133,2=133. For runs that must end at a known point"
          + " while data is still being produced.")
  List<String> getStopAtOffsets();

  void setStopAtOffsets(List<String> value);

  @Description(
      "Let the Kafka consumer commit offsets on its own timer (live reads only) instead of on"
          + " checkpoints. Refused with checkpointing: offsets can be committed for records a"
          + " failed checkpoint never processed (apache/beam#21742).")
  @Default.Boolean(false)
  boolean getKafkaAutoCommit();

  void setKafkaAutoCommit(boolean value);

  @Description(
      "Delivery guarantee of Kafka sinks: AT_LEAST_ONCE, or EXACTLY_ONCE (transactional; needs"
          + " --checkpointingInterval on the Flink runner and read_committed consumers).")
  @Default.Enum("AT_LEAST_ONCE")
  Delivery getKafkaDelivery();

  void setKafkaDelivery(Delivery value);

  @Description(
      "Identifies an EXACTLY_ONCE sink's transactions across restarts; keep it stable for a job."
          + " Default: kappa-<pipeline>.")
  String getSinkGroupId();

  void setSinkGroupId(String value);

  /**
   * The default of {@link #getInputTopics()}: a list, which {@code @Default.String} cannot give
   * (Beam would hand the String to a caller expecting a List).
   */
  class OrdersTopic implements DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of("orders");
    }
  }
}
