package dev.kappa.pipelines.job;

import dev.kappa.options.InvalidOptionException;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Where the records of one output go, parsed from an option's text: {@code console}, {@code
 * kafka:<topic>}, or anything else as a path prefix for JSON-lines files.
 */
public sealed interface Target extends Serializable
    permits Target.Console, Target.Files, Target.KafkaTopic {

  /** The option value that selects the console. */
  String CONSOLE = "console";

  /** The prefix of an option value that selects a Kafka topic. */
  String KAFKA_PREFIX = "kafka:";

  /** One readable line per record, for demos. */
  record Console() implements Target {}

  /** JSON-lines files under {@code prefix}, in the JSON the decoders read. */
  record Files(String prefix) implements Target {}

  /**
   * Keyed records on {@code topic}, the value Avro single-object bytes of the record, with the
   * job's Kafka delivery guarantee.
   */
  record KafkaTopic(String topic) implements Target {}

  /**
   * The target named by {@code text}, the value of option {@code option}.
   *
   * @throws InvalidOptionException naming the option for a blank value, an empty topic, or a path
   *     of a file system Beam does not have (call it after {@code Pipeline.create}, which registers
   *     those the options configure)
   */
  static Target parse(String option, @Nullable String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidOptionException(
          option, "is required: 'console', 'kafka:<topic>' or a path prefix");
    }
    String trimmed = text.trim();
    if (trimmed.equals(CONSOLE)) {
      return new Console();
    }
    if (trimmed.startsWith(KAFKA_PREFIX)) {
      String topic = trimmed.substring(KAFKA_PREFIX.length()).trim();
      if (topic.isEmpty()) {
        throw new InvalidOptionException(option, "names no topic after 'kafka:'");
      }
      return new KafkaTopic(topic);
    }
    try {
      FileSystems.matchNewResource(trimmed, /* isDirectory= */ false);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(
          option,
          "'"
              + trimmed
              + "' is no path a file can be written to ("
              + e.getMessage()
              + "): give 'console', 'kafka:<topic>' or a path prefix, such as out/results");
    }
    return new Files(trimmed);
  }
}
