package dev.kappa.pipelines.job;

import dev.kappa.io.console.Console;
import dev.kappa.io.file.Files;
import dev.kappa.io.kafka.DeliveryGuarantee;
import dev.kappa.io.kafka.Kafka;
import dev.kappa.io.kafka.WriteKafka;
import dev.kappa.pipelines.SinkProgress;
import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.transforms.errors.DeadLetters;
import dev.kappa.transforms.metrics.MeasureOutput;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a job's outputs to their {@link Target}:
 *
 * <ul>
 *   <li>{@link Target.Console}: one readable line per record, for demos;
 *   <li>{@link Target.KafkaTopic}: keyed records, the value Avro single-object bytes of the record
 *       (what the job's Kafka consumers decode), with the job's delivery guarantee;
 *   <li>{@link Target.Files}: JSON-lines files, one record per line in the JSON the decoders read.
 * </ul>
 */
public final class Outputs {
  private Outputs() {}

  /**
   * The most payload bytes a dead letter written to Kafka keeps: 512 KiB. With the error, stack
   * trace and key it stays well under Kafka's default record size limit (1 MiB for the producer's
   * {@code max.request.size} and the topic's {@code max.message.bytes}), so any input record, even
   * one a topic with a raised limit accepted, can be dead-lettered to a topic with default
   * settings.
   */
  public static final int KAFKA_DEAD_LETTER_PAYLOAD_BYTES = 512 * 1024;

  /**
   * Writes {@code records} under the output's step name to {@code target}. Dead letters on a Kafka
   * topic each keep at most {@link #KAFKA_DEAD_LETTER_PAYLOAD_BYTES} of their payload ({@link
   * DeadLetters#bounded}, a step {@code BoundPayloadsForKafka}): a longer one is marked truncated,
   * with its original size and SHA-256; files and the console get the whole payload.
   */
  static <T extends SpecificRecordBase> void write(
      PCollection<T> records,
      Output<?, T> output,
      Target target,
      @Nullable JobSettings.KafkaWrite kafka) {
    if (target instanceof Target.KafkaTopic && output.recordClass() == DeadLetter.class) {
      @SuppressWarnings("unchecked") // T is DeadLetter
      PCollection<T> bounded = (PCollection<T>) boundForKafka((PCollection<DeadLetter>) records);
      records = bounded;
    }
    records.apply(output.stepName(), new WriteRecords<>(output, target, kafka));
  }

  private static PCollection<DeadLetter> boundForKafka(PCollection<DeadLetter> deadLetters) {
    return deadLetters
        .apply(
            "BoundPayloadsForKafka",
            MapElements.into(TypeDescriptor.of(DeadLetter.class))
                .via(
                    (DeadLetter deadLetter) ->
                        DeadLetters.bounded(deadLetter, KAFKA_DEAD_LETTER_PAYLOAD_BYTES)))
        .setCoder(deadLetters.getCoder());
  }

  /** A dead letter's Kafka key: the key of the record it was. */
  static byte[] deadLetterKey(DeadLetter deadLetter) {
    return deadLetter.getKey() == null ? null : Bytes.copyOf(deadLetter.getKey());
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

  /** {@code text} as UTF-8 bytes: a Kafka key. */
  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** How much of a payload a console line shows: this many characters of text, or bytes of hex. */
  private static final int EXCERPT_CHARACTERS = 120;

  private static final int EXCERPT_BYTES = 48;

  /** The shortest run of printable characters a binary payload's excerpt shows as its text. */
  private static final int TEXT_RUN = 3;

  /**
   * A payload as one printable line: its text if it is UTF-8 text (control characters shown as
   * {@code ?}), otherwise {@code hex:} and its first bytes, followed by {@code | text: "..."}: the
   * runs of printable characters in it (as {@code strings} finds them: the fields of an Avro
   * record, say), joined by a space. A console of dead letters so stays text that {@code grep} and
   * a terminal can handle, and shows which record it was.
   */
  static String excerpt(ByteBuffer payload) {
    byte[] bytes = Bytes.copyOf(payload);
    Optional<String> text = utf8Text(bytes);
    if (text.isPresent()) {
      String line = text.get().replaceAll("[\\p{Cntrl}&&[^\\t]]", "?");
      return line.length() > EXCERPT_CHARACTERS
          ? line.substring(0, EXCERPT_CHARACTERS) + "..."
          : line;
    }
    StringBuilder hex = new StringBuilder("hex:");
    for (int i = 0; i < Math.min(bytes.length, EXCERPT_BYTES); i++) {
      hex.append(String.format("%02x", bytes[i] & 0xff));
    }
    if (bytes.length > EXCERPT_BYTES) {
      hex.append("... (").append(bytes.length).append(" bytes)");
    }
    String runs = printableRuns(bytes);
    return runs.isEmpty() ? hex.toString() : hex + " | text: \"" + runs + "\"";
  }

  /**
   * The runs of at least {@value #TEXT_RUN} printable characters in {@code bytes} read as UTF-8
   * (invalid sequences break runs), joined by a space, at most {@value #EXCERPT_CHARACTERS}
   * characters.
   */
  private static String printableRuns(byte[] bytes) {
    String decoded = new String(bytes, StandardCharsets.UTF_8);
    StringBuilder runs = new StringBuilder();
    int start = -1;
    for (int i = 0; i <= decoded.length(); i++) {
      boolean printable =
          i < decoded.length()
              && !Character.isISOControl(decoded.charAt(i))
              && decoded.charAt(i) != '\uFFFD';
      if (printable && start < 0) {
        start = i;
      } else if (!printable && start >= 0) {
        if (i - start >= TEXT_RUN) {
          runs.append(runs.length() == 0 ? "" : " ").append(decoded, start, i);
        }
        start = -1;
      }
    }
    return runs.length() > EXCERPT_CHARACTERS
        ? runs.substring(0, EXCERPT_CHARACTERS) + "..."
        : runs.toString();
  }

  /** The bytes as text, if they are valid UTF-8 of mostly printable characters. */
  private static Optional<String> utf8Text(byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    long control = text.chars().filter(c -> Character.isISOControl(c) && c != '\t').count();
    // A line or two of JSON with a stray newline is text; Avro's length prefixes are not.
    return control * 20 <= text.length() ? Optional.of(text) : Optional.empty();
  }

  /** Measures, formats and writes one output. */
  static final class WriteRecords<T extends SpecificRecordBase>
      extends PTransform<PCollection<T>, PDone> {
    private static final long serialVersionUID = 1L;
    private final Class<T> recordClass;
    private final Target target;
    @Nullable private final JobSettings.KafkaWrite kafka;
    private final String label;
    private final SerializableFunction<T, String> human;
    private final SerializableFunction<T, byte[]> key;
    private final boolean sortedOnConsole;

    WriteRecords(Output<?, T> output, Target target, @Nullable JobSettings.KafkaWrite kafka) {
      this.recordClass = output.recordClass();
      this.target = target;
      this.kafka = kafka;
      this.label = output.label();
      this.human = output.human();
      this.key = output.key();
      this.sortedOnConsole = output.isSortedOnConsole();
    }

    @Override
    public PDone expand(PCollection<T> input) {
      // Counted and timed where they leave the job, whatever the target.
      PCollection<T> records = input.apply("MeasureOutput", MeasureOutput.named(label));
      EventCodec<T> codec = EventCodec.of(recordClass);
      if (target instanceof Target.Console) {
        return records
            .apply("FormatForConsole", MapElements.into(TypeDescriptors.strings()).via(human))
            .apply("Print", sortedOnConsole ? Console.printSorted(label) : Console.print(label));
      }
      if (target instanceof Target.KafkaTopic topic) {
        WriteKafka write =
            Kafka.write(kafka.bootstrapServers(), topic.topic())
                .withProducerConfig(kafka.clientConfig());
        if (kafka.delivery() == DeliveryGuarantee.EXACTLY_ONCE) {
          write =
              write
                  .withDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                  .withSinkGroupId(SinkProgress.group(kafka.sinkGroupId(), topic.topic()));
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
          .apply("WriteFiles", Files.writeLines(((Target.Files) target).prefix()));
      return PDone.in(records.getPipeline());
    }
  }
}
