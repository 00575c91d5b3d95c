package dev.kappa.io.kafka;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka-specific argument checks shared by the Kafka transforms (servers, topics); each message
 * names the bad setting. The generic ones are in {@link dev.kappa.io.Checks}.
 */
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

  /**
   * A defensive, serializable copy of {@code overrides} (the {@code setting}, e.g. {@code
   * consumerConfig}) added to {@code current}; rejects the keys in {@code reserved}, saying what to
   * do instead.
   */
  static Map<String, Object> clientConfig(
      String setting,
      Map<String, String> reserved,
      Map<String, Object> current,
      Map<String, Object> overrides) {
    if (overrides == null) {
      throw new IllegalArgumentException(setting + " must not be null");
    }
    Map<String, Object> merged = new LinkedHashMap<>(current);
    for (Map.Entry<String, Object> entry : overrides.entrySet()) {
      String key = entry.getKey();
      if (key == null || entry.getValue() == null) {
        throw new IllegalArgumentException(
            setting + " must not contain null keys or values, was " + overrides);
      }
      String instead = reserved.get(key);
      if (instead != null) {
        throw new IllegalArgumentException(setting + " must not set " + key + ": " + instead + ".");
      }
      if (!(entry.getValue() instanceof Serializable)) {
        throw new IllegalArgumentException(
            setting + " value of " + key + " must be Serializable, was " + entry.getValue());
      }
      merged.put(key, entry.getValue());
    }
    return Collections.unmodifiableMap(merged);
  }

  /**
   * A defensive, serializable copy of {@code settings} for every client (consumer, producer and
   * admin); rejects the keys that any Kafka transform controls, saying what to do instead.
   */
  static Map<String, Object> sharedClientConfig(Map<String, ?> settings) {
    if (settings == null) {
      throw new IllegalArgumentException("clientConfig must not be null");
    }
    Map<String, String> reserved = new LinkedHashMap<>(ConsumerConfigs.RESERVED);
    reserved.putAll(WriteKafka.RESERVED);
    return clientConfig("clientConfig", reserved, Map.of(), new LinkedHashMap<>(settings));
  }
}
