package dev.kappa.pipelines;

import dev.kappa.io.console.Console;
import dev.kappa.io.file.Files;
import dev.kappa.io.kafka.DeliveryGuarantee;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.io.kafka.WriteKafka;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.KafkaOptions;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.transforms.errors.DeadLetters;
import dev.kappa.transforms.metrics.MeasureOutput;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a job's outputs where its options say:
 *
 * <ul>
 *   <li>{@code console}: one readable line per record, for demos;
 *   <li>{@code kafka:<topic>}: keyed records, the value Avro single-object bytes of the record
 *       (what the job's Kafka consumers decode), with the delivery guarantee of {@link
 *       KafkaOptions#getKafkaDelivery()};
 *   <li>anything else: a path prefix for JSON-lines files, one record per line in the JSON the
 *       decoders read.
 * </ul>
 */
public final class Outputs {
  private Outputs() {}

  /** The option value that selects the console. */
  public static final String CONSOLE = "console";

  /** The prefix of an option value that selects a Kafka topic. */
  public static final String KAFKA_PREFIX = "kafka:";

  /** Where records of one output go, parsed from an option's text. */
  public record Target(String option, String text, @Nullable KafkaSink kafka)
      implements Serializable {
    boolean isConsole() {
      return text.equals(CONSOLE);
    }

    @Nullable
    String kafkaTopic() {
      return text.startsWith(KAFKA_PREFIX) ? text.substring(KAFKA_PREFIX.length()) : null;
    }
  }

  /** How Kafka outputs of one job are written. */
  public record KafkaSink(String bootstrapServers, DeliveryGuarantee delivery, String sinkGroupId)
      implements Serializable {
    /** The sink settings; {@code defaultGroup} names the transactions unless --sinkGroupId. */
    public static KafkaSink from(KafkaOptions options, String defaultGroup) {
      String group = options.getSinkGroupId() != null ? options.getSinkGroupId() : defaultGroup;
      return new KafkaSink(
          options.getBootstrapServers(),
          options.getKafkaDelivery() == KafkaOptions.Delivery.EXACTLY_ONCE
              ? DeliveryGuarantee.EXACTLY_ONCE
              : DeliveryGuarantee.AT_LEAST_ONCE,
          group);
    }
  }

  /**
   * The target named by option {@code option}'s value {@code text}.
   *
   * @throws InvalidOptionException for a blank value or an empty topic
   */
  public static Target target(String option, @Nullable String text, @Nullable KafkaSink kafka) {
    if (text == null || text.isBlank()) {
      throw new InvalidOptionException(
          option, "is required: 'console', 'kafka:<topic>' or a path prefix");
    }
    String trimmed = text.trim();
    if (trimmed.startsWith(KAFKA_PREFIX)) {
      if (trimmed.length() == KAFKA_PREFIX.length()) {
        throw new InvalidOptionException(option, "names no topic after 'kafka:'");
      }
      if (kafka == null) {
        throw new InvalidOptionException(option, "this job does not write to Kafka");
      }
    }
    return new Target(option, trimmed, kafka);
  }

  /**
   * Refuses to start afresh an {@code EXACTLY_ONCE} job whose Kafka outputs ({@code targetTexts}:
   * option values, those not {@code kafka:<topic>} ignored) already have exactly-once progress
   * under the job's sink group ({@link SinkProgress#refuseUsedGroupOnFreshStart}). A start is fresh
   * when it names no {@code --savepointPath}; jobs in a Flink application cluster ({@code
   * --flinkMaster=[auto]}) are not checked, since they restore through Flink's own configuration,
   * which the job cannot see. Contacts the broker, so it runs at launch, not while the job builds.
   *
   * @throws InvalidOptionException naming {@code --sinkGroupId}
   */
  public static void refuseUsedSinkGroupsOnFreshStart(
      PipelineOptions options, KafkaSink kafka, @Nullable String... targetTexts) {
    if (kafka.delivery() != DeliveryGuarantee.EXACTLY_ONCE) {
      return;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getSavepointPath() != null || "[auto]".equals(flink.getFlinkMaster())) {
      return;
    }
    for (String text : targetTexts) {
      if (text != null && text.trim().startsWith(KAFKA_PREFIX)) {
        SinkProgress.refuseUsedGroupOnFreshStart(
            kafka.bootstrapServers(),
            kafka.sinkGroupId(),
            text.trim().substring(KAFKA_PREFIX.length()));
      }
    }
  }

  /** Writes {@code records} under step {@code stepName} to {@code target}. */
  public static <T extends SpecificRecordBase> void write(
      PCollection<T> records,
      Class<T> recordClass,
      String stepName,
      Target target,
      String label,
      SerializableFunction<T, String> human,
      SerializableFunction<T, byte[]> key) {
    records.apply(stepName, new WriteRecords<T>(recordClass, target, label, human, key));
  }

  /**
   * The most payload bytes a dead letter written to Kafka keeps: 512 KiB. With the error, stack
   * trace and key it stays well under Kafka's default record size limit (1 MiB for the producer's
   * {@code max.request.size} and the topic's {@code max.message.bytes}), so any input record, even
   * one a topic with a raised limit accepted, can be dead-lettered to a topic with default
   * settings.
   */
  public static final int KAFKA_DEAD_LETTER_PAYLOAD_BYTES = 512 * 1024;

  /**
   * Writes dead letters under step {@code WriteDeadLetters}, keyed by their original key. On a
   * Kafka topic each keeps at most {@link #KAFKA_DEAD_LETTER_PAYLOAD_BYTES} of its payload ({@link
   * DeadLetters#bounded}): a longer one is marked truncated, with its original size and SHA-256;
   * files and the console get the whole payload.
   */
  public static void writeDeadLetters(PCollection<DeadLetter> deadLetters, Target target) {
    if (target.kafkaTopic() != null) {
      Coder<DeadLetter> coder = deadLetters.getCoder();
      deadLetters =
          deadLetters
              .apply(
                  "BoundPayloadsForKafka",
                  MapElements.into(TypeDescriptor.of(DeadLetter.class))
                      .via(
                          (DeadLetter deadLetter) ->
                              DeadLetters.bounded(deadLetter, KAFKA_DEAD_LETTER_PAYLOAD_BYTES)))
              .setCoder(coder);
    }
    write(
        deadLetters,
        DeadLetter.class,
        "WriteDeadLetters",
        target,
        "dead-letter",
        Outputs::human,
        deadLetter -> deadLetter.getKey() == null ? null : bytes(deadLetter.getKey()));
  }

  /**
   * {@code file /data/orders.jsonl:204 DecodeOrders InvalidOrderException: order O-00204 is
   * invalid: quantity must be > 0, got 0 | {"order_id": "O-00204", ...}}.
   */
  static String human(DeadLetter deadLetter) {
    SourcePosition position = deadLetter.getPosition();
    StringBuilder where =
        new StringBuilder(position.getSystem()).append(' ').append(position.getName());
    if (position.getPartition() != null) {
      where.append('[').append(position.getPartition()).append(']');
    }
    if (position.getOffset() != null) {
      where.append(':').append(position.getOffset());
    }
    String errorClass = deadLetter.getErrorClass();
    return where
        + " "
        + deadLetter.getStep()
        + " "
        + errorClass.substring(errorClass.lastIndexOf('.') + 1)
        + ": "
        + deadLetter.getErrorMessage()
        + " | "
        + (deadLetter.getPayloadNull() ? "<null value>" : excerpt(deadLetter.getPayload()))
        + (deadLetter.getPayloadTruncated()
            ? " <truncated from " + deadLetter.getPayloadSize() + " bytes>"
            : "");
  }

  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  private static String excerpt(ByteBuffer payload) {
    ByteBuffer view = payload.duplicate();
    byte[] bytes = new byte[Math.min(view.remaining(), 120)];
    view.get(bytes);
    String text = new String(bytes, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
    return payload.remaining() > bytes.length ? text + "..." : text;
  }

  /** Formats and writes one output. */
  static final class WriteRecords<T extends SpecificRecordBase>
      extends PTransform<PCollection<T>, PDone> {
    private static final long serialVersionUID = 1L;
    private final Class<T> recordClass;
    private final Target target;
    private final String label;
    private final SerializableFunction<T, String> human;
    private final SerializableFunction<T, byte[]> key;

    WriteRecords(
        Class<T> recordClass,
        Target target,
        String label,
        SerializableFunction<T, String> human,
        SerializableFunction<T, byte[]> key) {
      this.recordClass = recordClass;
      this.target = target;
      this.label = label;
      this.human = human;
      this.key = key;
    }

    @Override
    public PDone expand(PCollection<T> input) {
      // Counted and timed where they leave the job, whatever the target.
      PCollection<T> records = input.apply("MeasureOutput", MeasureOutput.named(label));
      if (target.isConsole()) {
        return records
            .apply("FormatForConsole", MapElements.into(TypeDescriptors.strings()).via(human))
            .apply("Print", Console.print(label));
      }
      EventCodec<T> codec = EventCodec.of(recordClass);
      String topic = target.kafkaTopic();
      if (topic != null) {
        KafkaSink kafka = target.kafka();
        WriteKafka write = Kafka.write(kafka.bootstrapServers(), topic);
        if (kafka.delivery() == DeliveryGuarantee.EXACTLY_ONCE) {
          write =
              write
                  .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                  .withSinkGroupId(SinkProgress.group(kafka.sinkGroupId(), topic));
        }
        SerializableFunction<T, byte[]> keyFn = key;
        return records
            .apply(
                "EncodeAvro",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptor.of(byte[].class), TypeDescriptor.of(byte[].class)))
                    .via((T record) -> KV.of(keyFn.apply(record), codec.encode(record))))
            .setCoder(KvCoder.of(NullableCoder.of(ByteArrayCoder.of()), ByteArrayCoder.of()))
            .apply("WriteKafka", write);
      }
      records
          .apply("FormatAsJson", MapElements.into(TypeDescriptors.strings()).via(codec::toJson))
          .apply("WriteFiles", Files.writeLines(target.text()));
      return PDone.in(records.getPipeline());
    }
  }
}
