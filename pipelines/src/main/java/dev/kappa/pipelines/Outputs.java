package dev.kappa.pipelines;

import dev.kappa.io.console.Console;
import dev.kappa.io.file.Files;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a job's outputs where its options say: {@code console} prints one readable line per
 * record; anything else is a path prefix for JSON-lines files, one record per line in the same JSON
 * form the decoders read.
 */
public final class Outputs {
  private Outputs() {}

  /** The option value that selects the console. */
  public static final String CONSOLE = "console";

  /** Writes {@code records} under step {@code stepName} to {@code target}. */
  public static <T extends SpecificRecordBase> void write(
      PCollection<T> records,
      Class<T> recordClass,
      String stepName,
      String target,
      String label,
      SerializableFunction<T, String> human) {
    records.apply(stepName, new WriteRecords<T>(recordClass, target, label, human));
  }

  /** Writes dead letters under step {@code WriteDeadLetters}. */
  public static void writeDeadLetters(PCollection<DeadLetter> deadLetters, String target) {
    write(deadLetters, DeadLetter.class, "WriteDeadLetters", target, "dead-letter", Outputs::human);
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
        + excerpt(deadLetter.getPayload());
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
    private final String target;
    private final String label;
    private final SerializableFunction<T, String> human;

    WriteRecords(
        Class<T> recordClass, String target, String label, SerializableFunction<T, String> human) {
      this.recordClass = recordClass;
      this.target = target;
      this.label = label;
      this.human = human;
    }

    @Override
    public PDone expand(PCollection<T> records) {
      if (target.equals(CONSOLE)) {
        return records
            .apply("FormatForConsole", MapElements.into(TypeDescriptors.strings()).via(human))
            .apply("Print", Console.print(label));
      }
      EventCodec<T> codec = EventCodec.of(recordClass);
      records
          .apply("FormatAsJson", MapElements.into(TypeDescriptors.strings()).via(codec::toJson))
          .apply("WriteFiles", Files.writeLines(target));
      return PDone.in(records.getPipeline());
    }
  }
}
