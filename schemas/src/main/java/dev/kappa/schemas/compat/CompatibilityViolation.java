package dev.kappa.schemas.compat;

import dev.kappa.schemas.SchemaVersion;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * One way a reader version cannot read data written by a writer version, e.g. {@code "OrderEvent v4
 * cannot read data written by v3: field 'discount_cents' has no default value"}.
 *
 * <p>Kept as data (versions, field, Avro's incompatibility type) as well as text so that a report
 * can be both printed for a person and asserted on in tests.
 */
public final class CompatibilityViolation {
  private final SchemaVersion reader;
  private final SchemaVersion writer;
  private final SchemaIncompatibilityType type;
  private final String field;
  private final String reason;

  CompatibilityViolation(
      SchemaVersion reader,
      SchemaVersion writer,
      SchemaIncompatibilityType type,
      String field,
      String reason) {
    this.reader = reader;
    this.writer = writer;
    this.type = type;
    this.field = field;
    this.reason = reason;
  }

  /** The version that cannot read. */
  public SchemaVersion reader() {
    return reader;
  }

  /** The version whose data cannot be read. */
  public SchemaVersion writer() {
    return writer;
  }

  /** Avro's classification of the problem. */
  public SchemaIncompatibilityType type() {
    return type;
  }

  /**
   * The dotted path of the offending field in the reader schema (e.g. {@code order.quantity}), or
   * empty when the problem is the record itself.
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** The full explanation, naming both versions, the field and what is wrong. */
  public String reason() {
    return reason;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CompatibilityViolation)) {
      return false;
    }
    CompatibilityViolation that = (CompatibilityViolation) o;
    return reader.equals(that.reader)
        && writer.equals(that.writer)
        && type == that.type
        && Objects.equals(field, that.field)
        && reason.equals(that.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reader, writer, type, field, reason);
  }

  @Override
  public String toString() {
    return reason;
  }
}
