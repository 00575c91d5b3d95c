package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.DecodeException;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.errors.RecordDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Decodes one Debezium change event (JSON) into a changelog element for {@link
 * EnrichAsOfEventTime}: {@code KV<key, row>}, or {@code KV<key, null>} for a delete, valid from the
 * change time.
 *
 * <p>The envelope is {@code {"before": {...}|null, "after": {...}|null, "op": "c"|"u"|"d"|"r",
 * "ts_ms": ..., "source": {"ts_ms": ..., "table": ..., ...}}}, bare or wrapped as Kafka Connect's
 * JSON converter writes it with schemas ({@code {"schema": ..., "payload": <envelope>}}).
 *
 * <ul>
 *   <li>{@code c}, {@code u}, {@code r} (create, update, snapshot read): the row is {@code after},
 *       decoded strictly with {@link EventCodec#fromJson} into the Avro class (so every column must
 *       be a field of the schema: restrict the connector's columns or extend the schema). The key
 *       is the row's {@code keyField}.
 *   <li>{@code d} (delete): a null row for the key in {@code before} (Debezium always puts the
 *       primary key there).
 *   <li>The change time is {@code source.ts_ms} (when the database committed it), or the envelope's
 *       {@code ts_ms} when the source has none; or, with {@code validFromField}, that field of the
 *       row for {@code c}/{@code u}/{@code r} (a snapshot's {@code r} events carry the snapshot's
 *       time in {@code source.ts_ms}, not when the row became valid).
 * </ul>
 *
 * <p>Anything else throws a {@link DecodeException} saying why, which {@link
 * dev.kappa.transforms.errors.DecodeRecords} turns into a dead letter: malformed JSON, a missing or
 * unknown {@code op}, a truncate ({@code t}; it has no key to delete), a change of another table
 * than the expected one, a row that does not fit the schema, no change time. An empty payload (the
 * Kafka tombstone Debezium writes after a delete, for compaction) throws too; {@link DecodeChanges}
 * skips those before decoding.
 *
 * <pre>{@code
 * DebeziumChangeDecoder<Product> decoder =
 *     new DebeziumChangeDecoder<>(Product.class, "product_id", "products", null);
 * DecodeRecords<KV<String, Product>> decode =
 *     DecodeRecords.using(decoder, decoder.coder()).withStepName("DecodeProductChanges");
 * // and let the source stamp each record with decoder::changeTime
 * }</pre>
 *
 * @param <V> the generated Avro class of the table's rows
 */
public final class DebeziumChangeDecoder<V extends SpecificRecordBase>
    implements RecordDecoder<KV<String, V>> {
  private static final long serialVersionUID = 1L;
  private static final int EXCERPT_CHARS = 160;

  /** Thread-safe once configured; rejects duplicate keys, as the row codec does. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final EventCodec<V> codec;
  private final String keyField;
  private final @Nullable String table;
  private final @Nullable String validFromField;

  /**
   * Decodes rows of {@code rowClass}, keyed by its string field {@code keyField}; when {@code
   * table} is set, changes of other tables are rejected; when {@code validFromField} is set (a
   * {@code timestamp-millis} or {@code long} field), it is the change time of non-deletes.
   *
   * @throws IllegalArgumentException if a field is missing or has the wrong type
   */
  public DebeziumChangeDecoder(
      Class<V> rowClass, String keyField, @Nullable String table, @Nullable String validFromField) {
    this.codec = EventCodec.of(rowClass);
    Schema schema = codec.schema();
    Schema.Field key = schema.getField(keyField);
    checkArgument(key != null, "%s has no key field '%s'", schema.getName(), keyField);
    checkArgument(
        key.schema().getType() == Schema.Type.STRING,
        "the key field '%s' of %s must be a string, is %s",
        keyField,
        schema.getName(),
        key.schema());
    if (validFromField != null) {
      Schema.Field validFrom = schema.getField(validFromField);
      checkArgument(validFrom != null, "%s has no field '%s'", schema.getName(), validFromField);
      LogicalType logicalType = validFrom.schema().getLogicalType();
      checkArgument(
          validFrom.schema().getType() == Schema.Type.LONG
              && (logicalType == null || logicalType.getName().equals("timestamp-millis")),
          "the valid-from field '%s' of %s must be a timestamp-millis or long, is %s",
          validFromField,
          schema.getName(),
          validFrom.schema());
    }
    checkArgument(table == null || !table.isBlank(), "table must not be blank");
    this.keyField = keyField;
    this.table = table;
    this.validFromField = validFromField;
  }

  /** The coder of what {@link #decode} returns: a string key and a nullable Avro row. */
  public Coder<KV<String, V>> coder() {
    return KvCoder.of(
        StringUtf8Coder.of(), NullableCoder.of(SpecificRecordCoder.of(codec.recordClass())));
  }

  /** The change as {@code KV<key, row>}; the row is null for a delete. */
  @Override
  public KV<String, V> decode(SourceRecord record) {
    return decodeChange(record).getValue();
  }

  /**
   * The change time of {@code record}, for sources that stamp records and derive their watermark
   * from it ({@code withEventTime(decoder::changeTime)}); throws if the record can't be decoded.
   */
  public Instant changeTime(SourceRecord record) {
    return decodeChange(record).getTimestamp();
  }

  /** The change with the time its version became valid. */
  public TimestampedValue<KV<String, V>> decodeChange(SourceRecord record) {
    byte[] bytes = Bytes.copyOf(record.getPayload());
    return decodeEnvelope(parseEnvelope(bytes), bytes);
  }

  /**
   * The coder of what {@link #decodeChangeInStreamOrder} returns: a string key, a long position and
   * a nullable Avro row.
   */
  public Coder<KV<String, KV<Long, V>>> positionedCoder() {
    return KvCoder.of(
        StringUtf8Coder.of(),
        KvCoder.of(
            VarLongCoder.of(), NullableCoder.of(SpecificRecordCoder.of(codec.recordClass()))));
  }

  /**
   * The change as {@code KV<key, KV<position, row>>} with the time its version became valid: the
   * position is the change's place in its change stream ({@link #streamPosition}), which orders the
   * changes of one transaction (they share their commit time).
   */
  public TimestampedValue<KV<String, KV<Long, V>>> decodeChangeInStreamOrder(SourceRecord record) {
    byte[] bytes = Bytes.copyOf(record.getPayload());
    JsonNode envelope = parseEnvelope(bytes);
    TimestampedValue<KV<String, V>> change = decodeEnvelope(envelope, bytes);
    Long position = streamPosition(envelope, record);
    if (position == null) {
      throw failure(
          "no position in the change stream: neither source.lsn nor the record's offset", bytes);
    }
    return TimestampedValue.of(
        KV.of(change.getValue().getKey(), KV.of(position, change.getValue().getValue())),
        change.getTimestamp());
  }

  /**
   * The place of a change in its change stream, for changes that share a commit time: {@code
   * source.lsn} when it is an integer (Debezium's PostgreSQL connector: the change's position in
   * the write-ahead log, increasing within a transaction), else the record's offset in its source
   * (the Kafka offset; the line in a file). Null when there is neither.
   */
  public static @Nullable Long streamPosition(JsonNode envelope, SourceRecord record) {
    JsonNode source = envelope.get("source");
    JsonNode lsn = source == null ? null : source.get("lsn");
    if (lsn != null && lsn.isIntegralNumber() && lsn.canConvertToLong()) {
      return lsn.longValue();
    }
    return record.getPosition() == null ? null : record.getPosition().getOffset();
  }

  private JsonNode parseEnvelope(byte[] bytes) {
    if (bytes.length == 0) {
      throw failure("the payload is empty (a Kafka tombstone after a delete)", bytes);
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw failure("malformed JSON: " + e.getOriginalMessage(), bytes, e);
    } catch (IOException e) {
      throw failure("unreadable input: " + e, bytes, e);
    }
    if (root == null || !root.isObject()) {
      throw failure("expected a JSON object", bytes);
    }
    JsonNode envelope = envelopeOf(root);
    if (!envelope.isObject()) {
      throw failure("expected the envelope to be an object", bytes);
    }
    return envelope;
  }

  private TimestampedValue<KV<String, V>> decodeEnvelope(JsonNode envelope, byte[] bytes) {
    JsonNode source = envelope.get("source");
    if (table != null) {
      JsonNode changed = source == null ? null : source.get("table");
      if (changed == null || !changed.isTextual() || !changed.textValue().equals(table)) {
        throw failure(
            "expected a change of table '"
                + table
                + "', got "
                + (changed == null ? "no source.table" : "source.table " + changed),
            bytes);
      }
    }
    long committedMillis = committedMillis(envelope, bytes);
    JsonNode op = envelope.get("op");
    if (op == null || !op.isTextual()) {
      throw failure("missing 'op' (expected c, u, r or d)", bytes);
    }
    switch (op.textValue()) {
      case "c":
      case "u":
      case "r":
        return upsert(envelope.get("after"), op.textValue(), committedMillis, bytes);
      case "d":
        return delete(envelope.get("before"), committedMillis, bytes);
      case "t":
        throw failure(
            "a truncate ('t') deletes every row and names no key; re-snapshot the table instead",
            bytes);
      default:
        throw failure("unknown op '" + op.textValue() + "' (expected c, u, r or d)", bytes);
    }
  }

  private TimestampedValue<KV<String, V>> upsert(
      @Nullable JsonNode after, String op, long committedMillis, byte[] bytes) {
    if (after == null || !after.isObject()) {
      throw failure("op '" + op + "' needs an 'after' row object", bytes);
    }
    V row;
    try {
      row = codec.fromJson(after.toString());
    } catch (DecodeException e) {
      throw failure("'after' is not a valid row: " + e.getMessage(), bytes, e);
    }
    String key = String.valueOf(row.get(keyField));
    long validFrom = committedMillis;
    if (validFromField != null) {
      Object value = row.get(validFromField);
      validFrom =
          value instanceof java.time.Instant
              ? ((java.time.Instant) value).toEpochMilli()
              : ((Long) value).longValue();
    }
    return TimestampedValue.of(KV.of(key, row), checkedInstant(validFrom, bytes));
  }

  private TimestampedValue<KV<String, V>> delete(
      @Nullable JsonNode before, long committedMillis, byte[] bytes) {
    if (before == null || !before.isObject()) {
      throw failure("op 'd' needs a 'before' row object with the key", bytes);
    }
    JsonNode key = before.get(keyField);
    if (key == null || !key.isTextual()) {
      throw failure("'before' has no string key field '" + keyField + "'", bytes);
    }
    return TimestampedValue.of(
        KV.<String, V>of(key.textValue(), null), checkedInstant(committedMillis, bytes));
  }

  private long committedMillis(JsonNode envelope, byte[] bytes) {
    Long millis = commitMillis(envelope);
    if (millis == null) {
      throw failure("no change time: neither source.ts_ms nor ts_ms is an integer", bytes);
    }
    return millis;
  }

  /**
   * The Debezium envelope of a parsed change event: the {@code payload} when {@code root} is
   * wrapped as Kafka Connect's JSON converter writes it with schemas ({@code {"schema": ...,
   * "payload": <envelope>}}), else {@code root} itself. Public so that tools which load change
   * streams (stamping each record with its commit time) read a change exactly as this decoder does.
   */
  public static JsonNode envelopeOf(JsonNode root) {
    JsonNode payload = root.get("payload");
    return payload != null && root.has("schema") && !root.has("op") ? payload : root;
  }

  /**
   * The commit time of a change {@code envelope} (see {@link #envelopeOf}) in epoch milliseconds:
   * {@code source.ts_ms}, else the envelope's {@code ts_ms}; null when neither is an integer.
   */
  public static @Nullable Long commitMillis(JsonNode envelope) {
    JsonNode source = envelope.get("source");
    JsonNode sourceMillis = source == null ? null : source.get("ts_ms");
    if (sourceMillis != null
        && sourceMillis.canConvertToLong()
        && sourceMillis.isIntegralNumber()) {
      return sourceMillis.longValue();
    }
    JsonNode envelopeMillis = envelope.get("ts_ms");
    if (envelopeMillis != null
        && envelopeMillis.canConvertToLong()
        && envelopeMillis.isIntegralNumber()) {
      return envelopeMillis.longValue();
    }
    return null;
  }

  private Instant checkedInstant(long millis, byte[] bytes) {
    Instant time = new Instant(millis);
    if (time.isBefore(BoundedWindow.TIMESTAMP_MIN_VALUE)
        || time.isAfter(GlobalWindow.INSTANCE.maxTimestamp())) {
      throw failure("change time " + millis + " is outside Beam's timestamp range", bytes);
    }
    return time;
  }

  private DecodeException failure(String problem, byte[] bytes) {
    return new DecodeException(message(problem, bytes));
  }

  private DecodeException failure(String problem, byte[] bytes, Exception cause) {
    return new DecodeException(message(problem, bytes), cause);
  }

  private String message(String problem, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    String excerpt =
        text.length() <= EXCERPT_CHARS
            ? text
            : text.substring(0, EXCERPT_CHARS) + "... (" + bytes.length + " bytes)";
    return "Cannot decode a Debezium change of "
        + codec.schema().getName()
        + ": "
        + problem
        + "; input: "
        + excerpt;
  }
}
