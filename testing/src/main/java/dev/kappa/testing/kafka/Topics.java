package dev.kappa.testing.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topic administration that returns only once the broker serves the result: a created topic has a
 * leader for every partition in the broker's metadata, a deleted one is gone from its listing.
 *
 * <p>The controller acknowledges a creation before the broker has applied it, so a producer or an
 * {@code assign()}ing consumer started right after {@code createTopics} may not see the topic yet.
 */
final class Topics {

  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  private Topics() {}

  /** Creates a topic with replication factor 1 and waits until every partition has a leader. */
  static void create(Admin admin, String name, int partitions, Duration timeout) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    Instant deadline = Instant.now().plus(timeout);
    get(
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all(),
        deadline,
        "create topic " + name);
    while (true) {
      Optional<TopicDescription> description = describe(admin, name, deadline);
      if (description.isPresent()
          && description.get().partitions().size() == partitions
          && description.get().partitions().stream().allMatch(p -> p.leader() != null)) {
        return;
      }
      pause(
          deadline,
          "topic " + name + " to get a leader for each of its " + partitions + " partitions");
    }
  }

  /** Deletes a topic and waits until the broker no longer lists it. */
  static void delete(Admin admin, String name, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    get(admin.deleteTopics(List.of(name)).all(), deadline, "delete topic " + name);
    while (list(admin, deadline).containsKey(name)) {
      pause(deadline, "deleted topic " + name + " to disappear");
    }
  }

  /** The topics (internal ones excluded) and their partition counts, sorted by name. */
  static Map<String, Integer> list(Admin admin, Duration timeout) {
    return list(admin, Instant.now().plus(timeout));
  }

  private static Map<String, Integer> list(Admin admin, Instant deadline) {
    Set<String> names = get(admin.listTopics().names(), deadline, "list topics");
    Map<String, TopicDescription> descriptions =
        get(admin.describeTopics(names).allTopicNames(), deadline, "describe topics");
    Map<String, Integer> counts = new TreeMap<>();
    descriptions.forEach((name, d) -> counts.put(name, d.partitions().size()));
    return counts;
  }

  /** The topic's description, empty if the broker does not know the topic (yet, or any more). */
  static Optional<TopicDescription> describe(Admin admin, String name, Instant deadline) {
    try {
      return Optional.of(
          get(
                  admin.describeTopics(List.of(name)).allTopicNames(),
                  deadline,
                  "describe topic " + name,
                  UnknownTopicOrPartitionException.class)
              .get(name));
    } catch (UnknownTopicOrPartitionException e) {
      return Optional.empty();
    }
  }

  private static <T> T get(KafkaFuture<T> future, Instant deadline, String what) {
    return get(future, deadline, what, null);
  }

  /**
   * The future's value; its failure unwrapped and rethrown as is when of type {@code passThrough},
   * else wrapped with what was being done.
   */
  private static <T, E extends RuntimeException> T get(
      KafkaFuture<T> future, Instant deadline, String what, Class<E> passThrough) {
    long remainingMs = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    try {
      return future.get(remainingMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (passThrough != null && passThrough.isInstance(e.getCause())) {
        throw passThrough.cast(e.getCause());
      }
      throw new IllegalStateException("Could not " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Could not " + what + " in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while trying to " + what, e);
    }
  }

  /** A short pause between two looks at the broker's metadata, failing past the deadline. */
  private static void pause(Instant deadline, String awaited) {
    if (Instant.now().isAfter(deadline)) {
      throw new IllegalStateException("Timed out waiting for " + awaited);
    }
    try {
      Thread.sleep(POLL_INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + awaited, e);
    }
  }
}
