package dev.kappa.io.kafka;

/**
 * What {@link WriteKafka} promises about each element it is given.
 *
 * <ul>
 *   <li>{@link #AT_LEAST_ONCE}: every element is written; a retried bundle or a restart from a
 *       checkpoint may write some of them again. Works on every runner.
 *   <li>{@link #EXACTLY_ONCE}: every element is written once, in Kafka transactions that commit
 *       with the runner's checkpoints (KafkaIO's exactly-once sink). It needs the Flink runner with
 *       checkpointing enabled, a {@link WriteKafka#withSinkGroupId sink group id} that no other job
 *       uses, and consumers that read with {@code isolation.level=read_committed}: others also see
 *       the records of aborted transactions.
 * </ul>
 */
public enum DeliveryGuarantee {
  /** Every element written at least once; duplicates possible after retries and restarts. */
  AT_LEAST_ONCE,
  /** Every element written exactly once, in transactions; see the class documentation. */
  EXACTLY_ONCE
}
