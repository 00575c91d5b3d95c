package dev.kappa.io.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks a Kafka cluster, within a bounded time, whether it answers and which topics it has: the
 * Kafka clients otherwise retry an unreachable or silent broker for as long as they run, printing
 * only warnings. See {@link Kafka#checkConnection}. A cluster that refuses the client's credentials
 * or permissions fails at once, the Kafka {@code AuthenticationException} or {@code
 * AuthorizationException} as the cause, so that the caller can name the security settings rather
 * than the address.
 */
final class ConnectionCheck {
  private ConnectionCheck() {}

  /** The smallest per-request timeout the Admin client is given. */
  private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(500);

  static Set<String> topics(
      String bootstrapServers, Duration timeout, Map<String, Object> clientConfig)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Admin admin = open(bootstrapServers, timeout, clientConfig);
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(remaining(deadline)))
          .nodes()
          .get(remaining(deadline), TimeUnit.MILLISECONDS);
      return admin
          .listTopics(new ListTopicsOptions().listInternal(false).timeoutMs(remaining(deadline)))
          .names()
          .get(remaining(deadline), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw unreachable(bootstrapServers, timeout, e);
    } catch (ExecutionException e) {
      throw unreachable(bootstrapServers, timeout, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for Kafka at " + bootstrapServers, e);
    } finally {
      // Do not wait for requests to a broker that does not answer.
      admin.close(Duration.ZERO);
    }
  }

  /**
   * The topics of {@code topics} on which the client may not perform {@code operation}, as the
   * cluster's authorizer reports it; a topic the client may not even describe counts as lacking it,
   * a topic that does not exist does not (the topic checks report those).
   */
  static List<String> lacking(
      String bootstrapServers,
      Collection<String> topics,
      AclOperation operation,
      Duration timeout,
      Map<String, Object> clientConfig)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Admin admin = open(bootstrapServers, timeout, clientConfig);
    try {
      List<String> lacking = new ArrayList<>();
      Map<String, KafkaFuture<TopicDescription>> described =
          admin
              .describeTopics(
                  List.copyOf(new LinkedHashSet<>(topics)),
                  new DescribeTopicsOptions()
                      .includeAuthorizedOperations(true)
                      .timeoutMs(remaining(deadline)))
              .topicNameValues();
      for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : described.entrySet()) {
        try {
          Set<AclOperation> allowed =
              entry
                  .getValue()
                  .get(remaining(deadline), TimeUnit.MILLISECONDS)
                  .authorizedOperations();
          // null: the cluster has no authorizer, or does not report operations.
          if (allowed != null
              && !allowed.contains(operation)
              && !allowed.contains(AclOperation.ALL)) {
            lacking.add(entry.getKey());
          }
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicAuthorizationException) {
            lacking.add(entry.getKey());
          } else if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw unreachable(bootstrapServers, timeout, e.getCause());
          }
        }
      }
      return lacking;
    } catch (TimeoutException e) {
      throw unreachable(bootstrapServers, timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for Kafka at " + bootstrapServers, e);
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  /** An admin client that gives up on {@code bootstrapServers} within {@code timeout}. */
  private static Admin open(
      String bootstrapServers, Duration timeout, Map<String, Object> clientConfig)
      throws IOException {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Properties config = new Properties();
    config.putAll(clientConfig);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    config.put(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
        (int) Math.max(MIN_REQUEST_TIMEOUT.toMillis(), millis / 2));
    config.put(
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
        Math.max(MIN_REQUEST_TIMEOUT.toMillis(), millis / 4));
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) millis);
    config.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 200L);
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000L);
    try {
      return Admin.create(config);
    } catch (KafkaException e) {
      // An unresolvable host, a malformed address list, or unusable security settings (a missing
      // trust store, a JAAS line that does not parse).
      throw new IOException("cannot reach Kafka at " + bootstrapServers + ": " + rootMessage(e), e);
    }
  }

  /** The topics of {@code wanted} that are not in {@code present}, in the order given. */
  static List<String> missing(Collection<String> wanted, Set<String> present) {
    return wanted.stream().filter(topic -> !present.contains(topic)).distinct().toList();
  }

  private static IOException unreachable(String bootstrapServers, Duration timeout, Throwable e) {
    // A timeout says nothing more than "no answer"; anything else (an authentication failure, an
    // unsupported version) is worth its own words.
    if (e instanceof AuthenticationException || e instanceof AuthorizationException) {
      return new IOException(
          "Kafka at " + bootstrapServers + " refused the client: " + rootMessage(e), e);
    }
    boolean timedOut =
        e instanceof TimeoutException
            || e instanceof org.apache.kafka.common.errors.TimeoutException;
    return new IOException(
        "no Kafka broker at "
            + bootstrapServers
            + " answered within "
            + timeout
            + (timedOut ? "" : " (" + rootMessage(e) + ")"),
        e);
  }

  private static int remaining(long deadline) {
    long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
