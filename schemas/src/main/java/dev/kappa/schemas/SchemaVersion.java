package dev.kappa.schemas;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * One released version of a record schema, numbered from 1.
 *
 * <p>Compatibility reports and decoding errors name versions ("OrderEvent v2") rather than print
 * schemas, so that a person can find the file in {@code src/main/avro/history}.
 */
public final class SchemaVersion {
  private final int version;
  private final Schema schema;
  private final String source;

  private SchemaVersion(int version, Schema schema, String source) {
    this.version = version;
    this.schema = schema;
    this.source = source;
  }

  /**
   * Returns version {@code version} of a record schema.
   *
   * @param source where the schema came from (a classpath resource), for messages
   */
  public static SchemaVersion of(int version, Schema schema, String source) {
    if (version < 1) {
      throw new IllegalArgumentException("Schema versions start at 1, got " + version);
    }
    Objects.requireNonNull(schema, "schema");
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException(
          "Event schemas are records, got " + schema.getType() + " from " + source);
    }
    return new SchemaVersion(version, schema, Objects.requireNonNull(source, "source"));
  }

  /** The version number, from 1. */
  public int version() {
    return version;
  }

  /** The parsed schema. */
  public Schema schema() {
    return schema;
  }

  /** Where the schema came from, e.g. {@code avro/history/order_event/v2.avsc}. */
  public String source() {
    return source;
  }

  /** The record's simple name, e.g. {@code OrderEvent}. */
  public String name() {
    return schema.getName();
  }

  /** The record name and version, e.g. {@code OrderEvent v2}. */
  public String label() {
    return name() + " v" + version;
  }

  /**
   * The CRC-64-AVRO fingerprint of the schema's parsing canonical form: what Avro single-object
   * encoding writes after the {@code C3 01} marker.
   */
  public long fingerprint() {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SchemaVersion)) {
      return false;
    }
    SchemaVersion that = (SchemaVersion) o;
    return version == that.version && schema.equals(that.schema) && source.equals(that.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, schema, source);
  }

  @Override
  public String toString() {
    return label() + " (" + source + ")";
  }
}
