package dev.kappa.schemas.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kappa.schemas.EventType;
import dev.kappa.schemas.SchemaVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes records of one generated Avro class as single-object encoded bytes, and decodes either
 * those bytes (written with any released version of the schema) or one JSON line written by a
 * person into the current class.
 *
 * <p>Sources deliver bytes and a replay reads data written long ago, so decoding resolves every
 * version in the type's {@link EventType#history() history} into today's schema, filling defaults.
 * People write test data and fix dead letters by hand, so the same {@link #decode} also accepts
 * readable JSON, strictly: an unknown or mistyped field is an error, never silently dropped.
 *
 * <p>Serializable so that DoFns can hold one; the Avro encoder and decoder are rebuilt lazily after
 * deserialization, so only the class name travels. Thread-safe.
 *
 * <pre>{@code
 * EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
 * OrderEvent order = codec.decode(payload); // Avro v1..v3 bytes, or one JSON line
 * byte[] bytes = codec.encode(order);
 * String line = codec.toJson(order); // {"order_id":"o-1",...,"event_time":"2026-03-01T10:02:30Z",...}
 * }</pre>
 */
public final class EventCodec<T extends SpecificRecordBase> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The first two bytes of Avro single-object encoding. */
  private static final byte MARKER_0 = (byte) 0xC3;

  private static final byte MARKER_1 = (byte) 0x01;
  private static final int HEADER_LENGTH = 10;
  private static final int EXCERPT_CHARS = 120;
  private static final int EXCERPT_BYTES = 24;

  private final Class<T> recordClass;

  /** Built on first use, again after deserialization. */
  private transient volatile Runtime<T> runtime;

  private EventCodec(Class<T> recordClass) {
    this.recordClass = recordClass;
  }

  /**
   * Returns a codec for a generated Avro record class. When the class is a registered {@link
   * EventType}, decoding accepts every version of its history; otherwise only the current schema.
   *
   * @throws IllegalArgumentException if the class's schema holds a logical type the JSON form
   *     cannot render, or its history does not load
   */
  public static <T extends SpecificRecordBase> EventCodec<T> of(Class<T> recordClass) {
    EventCodec<T> codec = new EventCodec<>(Objects.requireNonNull(recordClass, "recordClass"));
    codec.runtime(); // fail while the pipeline is built, not on the first record
    return codec;
  }

  /** Returns the codec of a registered event type; prefer {@link #of(Class)} for a typed codec. */
  public static EventCodec<? extends SpecificRecordBase> of(EventType type) {
    return of(type.recordClass());
  }

  /** The generated class this codec produces. */
  public Class<T> recordClass() {
    return recordClass;
  }

  /** The current (reader) schema: the generated class's {@code SCHEMA$}. */
  public Schema schema() {
    return runtime().schema;
  }

  /**
   * Encodes with Avro single-object encoding and the current schema: {@code C3 01}, the schema's
   * 8-byte fingerprint, then the binary record.
   *
   * @throws IllegalArgumentException if the record breaks its own schema (e.g. a required field is
   *     null): a bug in the code that built it, not bad input
   */
  public byte[] encode(T record) {
    Objects.requireNonNull(record, "record");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      runtime().encoder.encode(record, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // ByteArrayOutputStream does not throw
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot encode " + runtime().name + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Encodes as a producer still on an older schema version would: single-object encoding with that
   * version's schema and fingerprint, keeping only the fields that version has. Readers on the
   * current schema decode it with the newer fields at their defaults.
   *
   * @throws IllegalArgumentException if the type has no such version, or the record breaks it
   */
  public byte[] encodeAs(T record, int version) {
    Objects.requireNonNull(record, "record");
    Runtime<T> rt = runtime();
    BinaryMessageEncoder<GenericRecord> encoder = rt.versionEncoders.get(version);
    if (encoder == null) {
      throw new IllegalArgumentException(
          rt.name + " has no version " + version + "; known: " + rt.versionEncoders.keySet());
    }
    Schema writer = rt.versionSchemas.get(version);
    GenericRecord old = new GenericData.Record(writer);
    for (Schema.Field field : writer.getFields()) {
      Schema.Field current = rt.schema.getField(field.name());
      if (current == null) {
        throw new IllegalArgumentException(
            rt.name + " v" + version + " has field '" + field.name() + "' the current one lacks");
      }
      old.put(field.pos(), record.get(current.pos()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      encoder.encode(old, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot encode " + rt.name + " as v" + version + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes Avro single-object bytes written with any known version of the schema, or else one JSON
   * object (UTF-8). Never returns null.
   *
   * @throws DecodeException if the bytes are neither, with the reason and an excerpt of the input
   */
  public T decode(byte[] bytes) {
    Runtime<T> rt = runtime();
    if (bytes == null) {
      throw new DecodeException("Cannot decode " + rt.name + ": the input is null");
    }
    if (bytes.length >= 2 && bytes[0] == MARKER_0 && bytes[1] == MARKER_1) {
      return decodeAvro(rt, bytes);
    }
    return decodeJson(rt, bytes);
  }

  /** Decodes one JSON object; the same as {@code decode(json.getBytes(UTF_8))}. */
  public T fromJson(String json) {
    if (json == null) {
      throw new DecodeException("Cannot decode " + runtime().name + ": the input is null");
    }
    return decode(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Renders a record as one line of the JSON {@link #decode} reads: fields in schema order,
   * timestamps as ISO-8601 instants, nullable values plain, bytes as base64.
   *
   * @throws IllegalArgumentException if the record breaks its own schema
   */
  public String toJson(T record) {
    Objects.requireNonNull(record, "record");
    Runtime<T> rt = runtime();
    try {
      return HumanJson.MAPPER.writeValueAsString(rt.json.write(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON for " + rt.name, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot convert " + rt.name + " to JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "EventCodec<" + recordClass.getSimpleName() + ">";
  }

  private T decodeAvro(Runtime<T> rt, byte[] bytes) {
    if (bytes.length < HEADER_LENGTH) {
      throw new DecodeException(
          "Cannot decode "
              + rt.name
              + ": Avro single-object header needs "
              + HEADER_LENGTH
              + " bytes, got "
              + bytes.length
              + "; input: "
              + hexExcerpt(bytes));
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String version = rt.versionsByFingerprint.get(fingerprint);
    if (version == null) {
      throw new DecodeException(
          "Cannot decode "
              + rt.name
              + ": unknown writer schema fingerprint "
              + hex(fingerprint)
              + "; known versions: "
              + rt.knownVersions()
              + "; input: "
              + hexExcerpt(bytes));
    }
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    T record;
    try {
      record = rt.decoder.decode(in, null);
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(
          "Cannot decode "
              + rt.name
              + " "
              + version
              + " Avro payload (truncated or corrupt): "
              + describe(e)
              + "; input: "
              + hexExcerpt(bytes),
          e);
    }
    if (in.available() > 0) {
      throw new DecodeException(
          "Cannot decode "
              + rt.name
              + " "
              + version
              + " Avro payload: "
              + in.available()
              + " unexpected bytes after the record; input: "
              + hexExcerpt(bytes));
    }
    return record;
  }

  private T decodeJson(Runtime<T> rt, byte[] bytes) {
    String prefix = "Cannot decode " + rt.name + " from JSON: ";
    JsonNode node;
    try {
      node = HumanJson.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new DecodeException(
          prefix + "malformed JSON" + where + ": " + e.getOriginalMessage() + textExcerpt(bytes),
          e);
    } catch (IOException e) {
      throw new DecodeException(prefix + "unreadable input: " + e + textExcerpt(bytes), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new DecodeException(prefix + "the input is empty" + textExcerpt(bytes));
    }
    try {
      return recordClass.cast(rt.json.read(node, rt.schema));
    } catch (HumanJson.InvalidJsonException e) {
      throw new DecodeException(prefix + e.getMessage() + textExcerpt(bytes), e);
    }
  }

  private Runtime<T> runtime() {
    Runtime<T> rt = runtime;
    if (rt == null) {
      synchronized (this) {
        rt = runtime;
        if (rt == null) {
          rt = new Runtime<>(recordClass);
          runtime = rt;
        }
      }
    }
    return rt;
  }

  private static String textExcerpt(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    StringBuilder excerpt = new StringBuilder("; input: ");
    text.codePoints()
        .limit(EXCERPT_CHARS)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                excerpt.append(String.format("\\u%04x", c));
              } else {
                excerpt.appendCodePoint(c);
              }
            });
    if (text.codePointCount(0, text.length()) > EXCERPT_CHARS) {
      excerpt.append("... (").append(bytes.length).append(" bytes)");
    }
    return excerpt.toString();
  }

  private static String hexExcerpt(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, EXCERPT_BYTES); i++) {
      hex.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i]));
    }
    if (bytes.length > EXCERPT_BYTES) {
      hex.append(" ... (").append(bytes.length).append(" bytes)");
    }
    return hex.toString();
  }

  /** The exception and, if different, its root cause: Avro wraps the telling one. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String described = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e) {
      described +=
          " ("
              + root.getClass().getSimpleName()
              + (root.getMessage() == null ? "" : ": " + root.getMessage())
              + ")";
    }
    return described;
  }

  private static String hex(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }

  /** The non-serializable parts, derived from the class alone. */
  private static final class Runtime<T extends SpecificRecordBase> {
    final String name;
    final Schema schema;
    final BinaryMessageEncoder<T> encoder;
    final BinaryMessageDecoder<T> decoder;
    final HumanJson json;

    /** Writer versions by fingerprint, in version order, labelled {@code v1}, {@code v2}, ... */
    final Map<Long, String> versionsByFingerprint = new LinkedHashMap<>();

    /** Each historical version's schema and encoder, by version number. */
    final Map<Integer, Schema> versionSchemas = new LinkedHashMap<>();

    final Map<Integer, BinaryMessageEncoder<GenericRecord>> versionEncoders = new LinkedHashMap<>();

    Runtime(Class<T> recordClass) {
      SpecificData model = SpecificData.getForClass(recordClass);
      this.schema = model.getSchema(recordClass);
      this.name = schema.getName();
      this.encoder = new BinaryMessageEncoder<>(model, schema);
      this.decoder = new BinaryMessageDecoder<>(model, schema);
      this.json = new HumanJson(model, schema);
      List<SchemaVersion> history =
          EventType.forClass(recordClass).map(EventType::history).orElse(List.of());
      for (SchemaVersion version : history) {
        decoder.addSchema(version.schema());
        versionsByFingerprint.put(version.fingerprint(), "v" + version.version());
        versionSchemas.put(version.version(), version.schema());
        // The specific model carries the logical-type conversions (Instant -> millis).
        versionEncoders.put(version.version(), new BinaryMessageEncoder<>(model, version.schema()));
      }
      versionsByFingerprint.putIfAbsent(
          SchemaNormalization.parsingFingerprint64(schema), "(current)");
    }

    String knownVersions() {
      return versionsByFingerprint.entrySet().stream()
          .map(e -> e.getValue() + " " + hex(e.getKey()))
          .collect(Collectors.joining(", "));
    }
  }
}
