package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** How a job writes Kafka topics: with which delivery guarantee, under which transactions. */
public interface KafkaWriteOptions extends KafkaOptions {

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
}
