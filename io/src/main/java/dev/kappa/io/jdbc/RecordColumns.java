package dev.kappa.io.jdbc;

import dev.kappa.schemas.codec.Bytes;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The columns of a table that holds records of one generated Avro class: one column per field, of
 * the same name, bound and read by the field's type.
 *
 * <p>Supported field types: string and enum (text), int, long, float, double, boolean, bytes
 * (bytea), {@code timestamp-millis} and {@code timestamp-micros} (timestamptz), each optionally
 * nullable ({@code ["null", T]}). Any other field makes {@link #of} fail, naming the field, so that
 * a record that can't be written is refused when the pipeline is built.
 */
final class RecordColumns<T extends SpecificRecordBase> {

  /** How a field travels between the record and its column. */
  enum Kind {
    STRING(Types.VARCHAR),
    ENUM(Types.VARCHAR),
    INT(Types.INTEGER),
    LONG(Types.BIGINT),
    FLOAT(Types.REAL),
    DOUBLE(Types.DOUBLE),
    BOOLEAN(Types.BOOLEAN),
    BYTES(Types.BINARY),
    TIMESTAMP_MILLIS(Types.TIMESTAMP_WITH_TIMEZONE),
    TIMESTAMP_MICROS(Types.TIMESTAMP_WITH_TIMEZONE);

    final int sqlType;

    Kind(int sqlType) {
      this.sqlType = sqlType;
    }
  }

  /** One field and its column. */
  static final class Column {
    final String name;
    final int position;
    final Kind kind;
    final boolean nullable;
    final Schema schema;

    Column(String name, int position, Kind kind, boolean nullable, Schema schema) {
      this.name = name;
      this.position = position;
      this.kind = kind;
      this.nullable = nullable;
      this.schema = schema;
    }
  }

  private final Class<T> recordClass;
  private final Schema schema;
  private final List<Column> columns;

  private RecordColumns(Class<T> recordClass, Schema schema, List<Column> columns) {
    this.recordClass = recordClass;
    this.schema = schema;
    this.columns = columns;
  }

  /**
   * The columns of {@code recordClass}'s fields.
   *
   * @throws IllegalArgumentException naming the first field whose type has no column type
   */
  static <T extends SpecificRecordBase> RecordColumns<T> of(Class<T> recordClass) {
    if (recordClass == null) {
      throw new IllegalArgumentException("recordClass must not be null");
    }
    Schema schema = SpecificData.getForClass(recordClass).getSchema(recordClass);
    List<Column> columns = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      Schema type = field.schema();
      boolean nullable = false;
      if (type.getType() == Schema.Type.UNION) {
        List<Schema> branches = type.getTypes();
        Optional<Schema> nonNull =
            branches.stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst();
        if (branches.size() != 2 || nonNull.isEmpty() || !type.isNullable()) {
          throw unsupported(schema, field, type);
        }
        nullable = true;
        type = nonNull.get();
      }
      columns.add(new Column(field.name(), field.pos(), kind(schema, field, type), nullable, type));
    }
    return new RecordColumns<>(recordClass, schema, Collections.unmodifiableList(columns));
  }

  private static Kind kind(Schema record, Schema.Field field, Schema type) {
    LogicalType logical = type.getLogicalType();
    switch (type.getType()) {
      case STRING:
        return Kind.STRING;
      case ENUM:
        return Kind.ENUM;
      case INT:
        if (logical == null) {
          return Kind.INT;
        }
        break;
      case LONG:
        if (logical == null) {
          return Kind.LONG;
        }
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return Kind.TIMESTAMP_MILLIS;
        }
        if (logical instanceof LogicalTypes.TimestampMicros) {
          return Kind.TIMESTAMP_MICROS;
        }
        break;
      case FLOAT:
        return Kind.FLOAT;
      case DOUBLE:
        return Kind.DOUBLE;
      case BOOLEAN:
        return Kind.BOOLEAN;
      case BYTES:
        if (logical == null) {
          return Kind.BYTES;
        }
        break;
      default:
        break;
    }
    throw unsupported(record, field, type);
  }

  private static IllegalArgumentException unsupported(
      Schema record, Schema.Field field, Schema type) {
    return new IllegalArgumentException(
        record.getName()
            + "."
            + field.name()
            + " has Avro type "
            + type
            + ", which has no column type here; supported: string, enum, int, long, float,"
            + " double, boolean, bytes, timestamp-millis, timestamp-micros, each optionally"
            + " nullable");
  }

  /** The record's name, for messages. */
  String recordName() {
    return schema.getName();
  }

  /** The column names, in field order. */
  List<String> names() {
    List<String> names = new ArrayList<>();
    for (Column column : columns) {
      names.add(column.name);
    }
    return names;
  }

  /** The column of a field, if the record has one of that name. */
  Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name.equals(name)).findFirst();
  }

  /** Binds every field of {@code record} to parameters 1..n of {@code statement}, in order. */
  void bind(PreparedStatement statement, T record) throws SQLException {
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      int parameter = i + 1;
      Object value = record.get(column.position);
      if (value == null) {
        statement.setNull(parameter, column.kind.sqlType);
        continue;
      }
      switch (column.kind) {
        case STRING:
        case ENUM:
          statement.setString(parameter, value.toString());
          break;
        case INT:
          statement.setInt(parameter, ((Number) value).intValue());
          break;
        case LONG:
          statement.setLong(parameter, ((Number) value).longValue());
          break;
        case FLOAT:
          statement.setFloat(parameter, ((Number) value).floatValue());
          break;
        case DOUBLE:
          statement.setDouble(parameter, ((Number) value).doubleValue());
          break;
        case BOOLEAN:
          statement.setBoolean(parameter, (Boolean) value);
          break;
        case BYTES:
          statement.setBytes(parameter, bytes(value));
          break;
        case TIMESTAMP_MILLIS:
        case TIMESTAMP_MICROS:
          statement.setObject(
              parameter, OffsetDateTime.ofInstant(instant(column, value), ZoneOffset.UTC));
          break;
        default:
          throw new IllegalStateException("Unhandled column kind " + column.kind);
      }
    }
  }

  /**
   * A record from the current row of {@code rows}, each field read from the column of its name.
   *
   * @throws SQLException if a column is missing, or NULL where the field does not allow null
   */
  T read(ResultSet rows, String table) throws SQLException {
    T record;
    try {
      record = recordClass.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot instantiate " + recordClass.getName(), e);
    }
    for (Column column : columns) {
      Object value = readValue(rows, column, record.getConversion(column.position) != null);
      if (value == null && !column.nullable) {
        throw new SQLDataException(
            "A row of "
                + table
                + " has NULL in column "
                + column.name
                + ", which "
                + recordName()
                + "."
                + column.name
                + " does not allow",
            "22004");
      }
      record.put(column.position, value);
    }
    return record;
  }

  private Object readValue(ResultSet rows, Column column, boolean converted) throws SQLException {
    String name = column.name;
    switch (column.kind) {
      case STRING:
        return rows.getString(name);
      case ENUM:
        String symbol = rows.getString(name);
        return symbol == null
            ? null
            : SpecificData.getForClass(recordClass).createEnum(symbol, column.schema);
      case INT:
        int intValue = rows.getInt(name);
        return rows.wasNull() ? null : intValue;
      case LONG:
        long longValue = rows.getLong(name);
        return rows.wasNull() ? null : longValue;
      case FLOAT:
        float floatValue = rows.getFloat(name);
        return rows.wasNull() ? null : floatValue;
      case DOUBLE:
        double doubleValue = rows.getDouble(name);
        return rows.wasNull() ? null : doubleValue;
      case BOOLEAN:
        boolean booleanValue = rows.getBoolean(name);
        return rows.wasNull() ? null : booleanValue;
      case BYTES:
        byte[] bytes = rows.getBytes(name);
        return bytes == null ? null : ByteBuffer.wrap(bytes);
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
        OffsetDateTime time = rows.getObject(name, OffsetDateTime.class);
        if (time == null) {
          return null;
        }
        boolean millis = column.kind == Kind.TIMESTAMP_MILLIS;
        Instant instant =
            time.toInstant().truncatedTo(millis ? ChronoUnit.MILLIS : ChronoUnit.MICROS);
        if (converted) {
          return instant;
        }
        return millis ? instant.toEpochMilli() : ChronoUnit.MICROS.between(Instant.EPOCH, instant);
      default:
        throw new IllegalStateException("Unhandled column kind " + column.kind);
    }
  }

  private static Instant instant(Column column, Object value) {
    if (value instanceof Instant) {
      return (Instant) value;
    }
    long number = ((Number) value).longValue();
    return column.kind == Kind.TIMESTAMP_MILLIS
        ? Instant.ofEpochMilli(number)
        : Instant.EPOCH.plus(number, ChronoUnit.MICROS);
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[]) {
      return (byte[]) value;
    }
    return Bytes.copyOf((ByteBuffer) value);
  }
}
