package dev.kappa.io.kafka;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.joda.time.Duration;

/** Argument checks shared by the Kafka transforms; each message names the bad setting. */
final class Settings {
  private Settings() {}

  static String bootstrapServers(String bootstrapServers) {
    if (bootstrapServers == null || bootstrapServers.trim().isEmpty()) {
      throw new IllegalArgumentException(
          "bootstrapServers must be a non-empty host:port list, was "
              + (bootstrapServers == null ? "null" : "\"" + bootstrapServers + "\""));
    }
    return bootstrapServers;
  }

  static String topic(String name, String topic) {
    if (topic == null || topic.trim().isEmpty()) {
      throw new IllegalArgumentException(
          name
              + " must be a non-empty topic name, was "
              + (topic == null ? "null" : "\"" + topic + "\""));
    }
    return topic;
  }

  static List<String> topics(List<String> topics) {
    if (topics == null || topics.isEmpty()) {
      throw new IllegalArgumentException(
          "topics must name at least one topic, was " + (topics == null ? "null" : "[]"));
    }
    Set<String> seen = new HashSet<>();
    for (String topic : topics) {
      topic("topics", topic);
      if (!seen.add(topic)) {
        throw new IllegalArgumentException(
            "topics must not name a topic twice, was " + topics + " (\"" + topic + "\")");
      }
    }
    return Collections.unmodifiableList(new ArrayList<>(topics));
  }

  static String nonEmpty(String name, String value) {
    if (value == null || value.trim().isEmpty()) {
      throw new IllegalArgumentException(
          name + " must be non-empty, was " + (value == null ? "null" : "\"" + value + "\""));
    }
    return value;
  }

  static <T> T notNull(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  static Duration maxOutOfOrderness(Duration maxOutOfOrderness) {
    if (maxOutOfOrderness == null || maxOutOfOrderness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "maxOutOfOrderness must be >= 0, was " + maxOutOfOrderness);
    }
    return maxOutOfOrderness;
  }

  static Duration idleTimeout(Duration idleTimeout) {
    if (idleTimeout == null || !idleTimeout.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("idleTimeout must be > 0, was " + idleTimeout);
    }
    return idleTimeout;
  }
}
