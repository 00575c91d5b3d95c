package dev.kappa.schemas.coders;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A Beam coder for a generated Avro record class, writing byte for byte what {@code
 * AvroCoder.of(type)} writes, several times faster.
 *
 * <p>Every element crosses an operator boundary through its coder (and the Flink runner copies it
 * through the coder between chained operators), so the coder of the records on a job's hot path is
 * a large share of its CPU. {@link AvroCoder} interprets the schema for every record through Avro's
 * datum writer and reader (and a {@code ResolvingDecoder} when decoding); this coder compiles the
 * schema once into a plan ({@link AvroBinaryPlan}) and writes into a reused buffer.
 *
 * <p>Same bytes as AvroCoder means: the same writer schema (the class's own, no evolution: a coder
 * encodes one version, as AvroCoder does), so state and shuffle data written by either coder read
 * with the other; the same determinism ({@link #verifyDeterministic()} is AvroCoder's check); a
 * serializable coder whose plan is rebuilt after deserialization. Classes whose schema uses the
 * {@code java-class} properties are refused (use AvroCoder).
 *
 * <pre>{@code
 * orders.setCoder(SpecificRecordCoder.of(OrderEvent.class));
 * }</pre>
 *
 * @param <T> the generated record class
 */
public final class SpecificRecordCoder<T extends SpecificRecord> extends CustomCoder<T> {
  private static final long serialVersionUID = 1L;

  // One buffer and one decoder per thread, shared by every instance: encode and decode call no
  // other coder while they use them.
  private static final ThreadLocal<AvroBinaryPlan.ByteSink> SINKS =
      ThreadLocal.withInitial(AvroBinaryPlan.ByteSink::new);
  private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

  private final Class<T> type;
  private transient volatile AvroBinaryPlan plan;
  private transient volatile Schema schema;

  private SpecificRecordCoder(Class<T> type) {
    this.type = type;
    plan(); // fails at construction for a type it cannot encode
  }

  /** The coder of the generated record class {@code type}. */
  public static <T extends SpecificRecord> SpecificRecordCoder<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return new SpecificRecordCoder<>(type);
  }

  /** The generated class this coder encodes. */
  public Class<T> getType() {
    return type;
  }

  /** The writer schema: the generated class's own. */
  public Schema getSchema() {
    Schema current = schema;
    if (current == null) {
      current = SpecificData.getForClass(type).getSchema(type);
      schema = current;
    }
    return current;
  }

  private AvroBinaryPlan plan() {
    AvroBinaryPlan current = plan;
    if (current == null) {
      current = AvroBinaryPlan.of(SpecificData.getForClass(type), getSchema());
      plan = current;
    }
    return current;
  }

  @Override
  public void encode(T value, OutputStream outStream) throws IOException {
    if (value == null) {
      throw new CoderException("cannot encode a null " + type.getSimpleName());
    }
    AvroBinaryPlan.ByteSink sink = SINKS.get();
    sink.reset();
    try {
      plan().write(value, sink);
    } catch (RuntimeException e) {
      // What the datum writer throws for a record that does not fit its schema.
      throw new CoderException(
          "cannot encode " + type.getSimpleName() + " with SpecificRecordCoder: " + e, e);
    }
    outStream.write(sink.buf, 0, sink.pos);
  }

  @Override
  public T decode(InputStream inStream) throws IOException {
    // Direct (unbuffered), as AvroCoder's: it must not read past the record's last byte.
    BinaryDecoder decoder = DecoderFactory.get().directBinaryDecoder(inStream, DECODERS.get());
    DECODERS.set(decoder);
    try {
      return type.cast(plan().read(decoder));
    } catch (RuntimeException e) {
      // Bytes that are not a record of this schema (a union index or enum ordinal out of range).
      throw new CoderException(
          "cannot decode " + type.getSimpleName() + " with SpecificRecordCoder: " + e, e);
    }
  }

  /** AvroCoder's determinism check of the same class (maps and some unions are not). */
  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    try {
      AvroCoder.of(type).verifyDeterministic();
    } catch (NonDeterministicException e) {
      throw new NonDeterministicException(this, "AvroCoder.of(" + type.getName() + ") is not", e);
    }
  }

  @Override
  public TypeDescriptor<T> getEncodedTypeDescriptor() {
    return TypeDescriptor.of(type);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SpecificRecordCoder
        && ((SpecificRecordCoder<?>) other).type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public String toString() {
    return "SpecificRecordCoder(" + type.getName() + ")";
  }
}
