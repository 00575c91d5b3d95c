package dev.kappa.io.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.joda.time.Instant;

/**
 * Kafka as a source and a sink: live streams, time-range backfills and writes, all with raw bytes
 * ({@link dev.kappa.schemas.common.SourceRecord}s in, key/value byte arrays out), so that decoding
 * and encoding are separate, testable steps with dead letters.
 *
 * <pre>{@code
 * // Streaming: the live topic, with event time and a watermark.
 * PCollection<SourceRecord> orders =
 *     pipeline.apply(
 *         "ReadOrders",
 *         Kafka.read("broker:9092", List.of("orders"))
 *             .withEventTime(new OrderEventTime())
 *             .withConsumerGroup("order-revenue"));
 *
 * // Backfill: a bounded time range, run in batch mode.
 * PCollection<SourceRecord> march =
 *     pipeline.apply(
 *         "ReadOrders",
 *         Kafka.readRange("broker:9092", List.of("orders"), marchFirst, aprilFirst)
 *             .withEventTime(new OrderEventTime()));
 *
 * // Results.
 * alerts.apply("WriteAlerts", Kafka.write("broker:9092", "alerts"));
 * }</pre>
 */
public final class Kafka {
  private Kafka() {}

  /**
   * Reads {@code topics} from the cluster at {@code bootstrapServers} as an unbounded stream; set
   * the event time with {@link ReadKafka#withEventTime}. See {@link ReadKafka}.
   */
  public static ReadKafka read(String bootstrapServers, List<String> topics) {
    return ReadKafka.of(bootstrapServers, topics);
  }

  /**
   * Reads the records of {@code topics} whose Kafka timestamps fall in {@code [from, to)}, resolved
   * to offsets at launch, as a bounded collection; set the event time with {@link
   * ReadKafkaRange#withEventTime}. See {@link ReadKafkaRange}.
   */
  public static ReadKafkaRange readRange(
      String bootstrapServers, List<String> topics, Instant from, Instant to) {
    return ReadKafkaRange.of(bootstrapServers, topics, from, to);
  }

  /**
   * Reads the records of {@code topics} whose Kafka timestamps are before {@code to}, from each
   * partition's first offset to its end offset at launch, as a bounded collection: the history of a
   * table's change stream as of the end of a backfill. See {@link ReadKafkaRange}.
   */
  public static ReadKafkaRange readUntil(String bootstrapServers, List<String> topics, Instant to) {
    return ReadKafkaRange.until(bootstrapServers, topics, to);
  }

  /**
   * Checks, within {@code timeout}, that the cluster at {@code bootstrapServers} answers and has
   * every topic of {@code topics}; returns the topics it lacks (empty: all there). For a launcher
   * to fail at once, naming the option, where the clients would otherwise retry an unreachable or
   * silent broker forever.
   *
   * @throws IOException if no broker answers within {@code timeout}, or the address cannot be
   *     resolved; the message names the servers and the timeout
   */
  public static List<String> checkConnection(
      String bootstrapServers, Collection<String> topics, Duration timeout) throws IOException {
    return checkConnection(bootstrapServers, topics, timeout, Map.of());
  }

  /**
   * {@link #checkConnection(String, Collection, Duration)} with the client settings {@code
   * clientConfig} (security settings; see {@link #clientConfig}). A cluster that refuses the
   * credentials fails at once with an {@link IOException} whose cause is Kafka's {@code
   * AuthenticationException} (or {@code AuthorizationException}).
   */
  public static List<String> checkConnection(
      String bootstrapServers,
      Collection<String> topics,
      Duration timeout,
      Map<String, Object> clientConfig)
      throws IOException {
    checkTimeout(timeout);
    return ConnectionCheck.missing(
        topics,
        ConnectionCheck.topics(bootstrapServers, timeout, sharedClientConfig(clientConfig)));
  }

  /**
   * The topics of {@code topics} on which the client with {@code clientConfig} may not perform
   * {@code operation} ({@code READ} for inputs, {@code WRITE} for outputs), as the cluster's
   * authorizer reports it within {@code timeout}: for a launcher to refuse a job that would fail on
   * its first record. A cluster without an authorizer lacks nothing; a topic that does not exist is
   * not reported.
   *
   * @throws IOException as {@link #checkConnection(String, Collection, Duration, Map)}
   */
  public static List<String> lackingAccess(
      String bootstrapServers,
      Collection<String> topics,
      AclOperation operation,
      Duration timeout,
      Map<String, Object> clientConfig)
      throws IOException {
    checkTimeout(timeout);
    if (topics.isEmpty()) {
      return List.of();
    }
    return ConnectionCheck.lacking(
        bootstrapServers, topics, operation, timeout, sharedClientConfig(clientConfig));
  }

  /**
   * Checks settings meant for every Kafka client Kappa creates (consumers, producers, admin
   * clients), such as {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}
   * and {@code ssl.*}, and returns an unmodifiable, serializable copy. Rejects the settings that
   * Kappa's transforms control ({@code bootstrap.servers}, {@code group.id}, {@code
   * enable.auto.commit}, {@code transactional.id}, the (de)serializers), saying what to use
   * instead.
   *
   * @throws IllegalArgumentException naming the first refused key
   */
  public static Map<String, Object> clientConfig(Map<String, ?> settings) {
    return sharedClientConfig(settings);
  }

  private static Map<String, Object> sharedClientConfig(Map<String, ?> settings) {
    return Settings.sharedClientConfig(settings);
  }

  private static void checkTimeout(Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /**
   * Writes key/value byte arrays to {@code topic}, at least once by default. See {@link
   * WriteKafka}.
   */
  public static WriteKafka write(String bootstrapServers, String topic) {
    return WriteKafka.of(bootstrapServers, topic);
  }
}
