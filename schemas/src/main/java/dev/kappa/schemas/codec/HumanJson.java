package dev.kappa.schemas.codec;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Converts between specific records and the JSON a person writes: fields by name, plain values in
 * nullable unions, ISO-8601 instants, base64 bytes.
 *
 * <p>Avro's own JSON encoding is for machines (unions wrapped as {@code {"string": "x"}}, instants
 * as numbers, bytes as ISO-8859-1 strings) and cannot fill defaults for fields a person left out.
 * Reading is strict where a person could mistype: unknown fields, wrong types and out-of-range
 * numbers are errors naming the field, never silently dropped or coerced.
 */
final class HumanJson {
  /** Thread-safe once configured; rejects duplicate keys and anything after the object. */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");
  private static final String TIMESTAMP_MILLIS = "timestamp-millis";
  private static final String TIMESTAMP_MICROS = "timestamp-micros";
  private static final String DATE = "date";
  private static final int EXCERPT_CHARS = 40;

  /** A JSON value that does not fit the schema; the codec adds the type name and input excerpt. */
  static final class InvalidJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidJsonException(String message) {
      super(message, null, false, false);
    }
  }

  private final SpecificData model;

  /**
   * @throws IllegalArgumentException if {@code schema} uses a logical type this class cannot
   *     convert
   */
  HumanJson(SpecificData model, Schema schema) {
    this.model = model;
    checkSupported(schema, "", new HashSet<>());
  }

  // ---------------------------------------------------------------------------------- reading

  /** Reads a record of {@code schema} from a parsed JSON value. */
  Object read(JsonNode node, Schema schema) throws InvalidJsonException {
    return read(node, schema, "");
  }

  private Object read(JsonNode node, Schema schema, String path) throws InvalidJsonException {
    switch (schema.getType()) {
      case RECORD:
        return readRecord(node, schema, path);
      case UNION:
        return readUnion(node, schema, path);
      default:
        if (!kindMatches(node, schema)) {
          throw mismatch(path, schema, node);
        }
        return readValue(node, schema, path);
    }
  }

  private Object readRecord(JsonNode node, Schema schema, String path) throws InvalidJsonException {
    if (!node.isObject()) {
      throw mismatch(path, schema, node);
    }
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (schema.getField(name) == null) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new InvalidJsonException(unknownFields(path, schema, unknown));
    }
    Object record = model.newRecord(null, schema);
    for (Schema.Field field : schema.getFields()) {
      String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
      JsonNode value = node.get(field.name());
      Object datum;
      if (value == null) {
        if (!field.hasDefaultValue()) {
          throw new InvalidJsonException(
              "field '" + fieldPath + "' is missing and has no default value");
        }
        datum = model.deepCopy(field.schema(), model.getDefaultValue(field));
      } else {
        datum = read(value, field.schema(), fieldPath);
      }
      model.setField(record, field.name(), field.pos(), datum);
    }
    return record;
  }

  /**
   * Picks the union branches whose JSON kind fits (null, string, number, ...) and returns the first
   * that reads without error; {@code {"string": "x"}} wrapping is not accepted.
   */
  private Object readUnion(JsonNode node, Schema union, String path) throws InvalidJsonException {
    InvalidJsonException firstFailure = null;
    for (Schema branch : union.getTypes()) {
      if (!kindMatches(node, branch)) {
        continue;
      }
      try {
        return read(node, branch, path);
      } catch (InvalidJsonException e) {
        if (firstFailure == null) {
          firstFailure = e;
        }
      }
    }
    if (firstFailure != null) {
      throw firstFailure;
    }
    throw mismatch(path, union, node);
  }

  /** Reads a non-record, non-union value whose JSON kind already fits {@code schema}. */
  private Object readValue(JsonNode node, Schema schema, String path) throws InvalidJsonException {
    Conversion<?> conversion = conversionFor(schema);
    switch (schema.getType()) {
      case NULL:
        return null;
      case BOOLEAN:
        return node.booleanValue();
      case INT:
        if (conversion != null && node.isTextual()) {
          return parseDate(node, schema, path);
        }
        if (!node.canConvertToInt()) {
          throw outOfRange(path, schema, node);
        }
        return toLogical(node.intValue(), schema, conversion);
      case LONG:
        if (conversion != null && node.isTextual()) {
          return parseInstant(node, schema, path);
        }
        if (!node.canConvertToLong()) {
          throw outOfRange(path, schema, node);
        }
        return toLogical(node.longValue(), schema, conversion);
      case FLOAT:
        return node.isTextual() ? Float.parseFloat(node.textValue()) : node.floatValue();
      case DOUBLE:
        return node.isTextual() ? Double.parseDouble(node.textValue()) : node.doubleValue();
      case STRING:
        return node.textValue();
      case BYTES:
        return ByteBuffer.wrap(base64(node, schema, path));
      case FIXED:
        byte[] fixed = base64(node, schema, path);
        if (fixed.length != schema.getFixedSize()) {
          throw new InvalidJsonException(
              at(path)
                  + "expected "
                  + describe(schema)
                  + ", got "
                  + fixed.length
                  + " bytes in "
                  + describe(node));
        }
        return model.createFixed(null, fixed, schema);
      case ENUM:
        if (!schema.hasEnumSymbol(node.textValue())) {
          throw mismatch(path, schema, node);
        }
        return model.createEnum(node.textValue(), schema);
      case ARRAY:
        List<Object> list = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
          list.add(read(node.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        return list;
      case MAP:
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> entries = node.fields(); entries.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = entries.next();
          map.put(
              entry.getKey(),
              read(entry.getValue(), schema.getValueType(), path + "[\"" + entry.getKey() + "\"]"));
        }
        return map;
      default:
        throw new IllegalStateException("Unhandled Avro type " + schema.getType());
    }
  }

  private Object parseInstant(JsonNode node, Schema schema, String path)
      throws InvalidJsonException {
    Instant instant;
    try {
      instant = Instant.parse(node.textValue());
    } catch (DateTimeParseException e) {
      throw mismatch(path, schema, node);
    }
    // Sub-unit digits cannot be stored; drop them as the binary encoding would.
    boolean millis = TIMESTAMP_MILLIS.equals(schema.getLogicalType().getName());
    return instant.truncatedTo(millis ? ChronoUnit.MILLIS : ChronoUnit.MICROS);
  }

  private Object parseDate(JsonNode node, Schema schema, String path) throws InvalidJsonException {
    try {
      return LocalDate.parse(node.textValue());
    } catch (DateTimeParseException e) {
      throw mismatch(path, schema, node);
    }
  }

  private static byte[] base64(JsonNode node, Schema schema, String path)
      throws InvalidJsonException {
    try {
      return Base64.getDecoder().decode(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new InvalidJsonException(
          at(path) + "expected " + describe(schema) + ", got " + describe(node) + " (not base64)");
    }
  }

  private static Object toLogical(Object raw, Schema schema, Conversion<?> conversion) {
    return conversion == null
        ? raw
        : Conversions.convertToLogicalType(raw, schema, schema.getLogicalType(), conversion);
  }

  /** Whether the JSON kind (string, number, object, ...) can hold a value of {@code schema}. */
  private boolean kindMatches(JsonNode node, Schema schema) {
    switch (schema.getType()) {
      case NULL:
        return node.isNull();
      case BOOLEAN:
        return node.isBoolean();
      case INT:
      case LONG:
        return node.isIntegralNumber() || (node.isTextual() && conversionFor(schema) != null);
      case FLOAT:
      case DOUBLE:
        return node.isNumber() || (node.isTextual() && NON_FINITE.contains(node.textValue()));
      case STRING:
      case BYTES:
      case FIXED:
      case ENUM:
        return node.isTextual();
      case RECORD:
      case MAP:
        return node.isObject();
      case ARRAY:
        return node.isArray();
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------------------------- writing

  /**
   * Writes a record as a JSON object with fields in schema order.
   *
   * @throws IllegalArgumentException if a field holds a value its schema does not allow
   */
  ObjectNode write(IndexedRecord record) {
    return (ObjectNode) write(record, record.getSchema(), "");
  }

  private JsonNode write(Object value, Schema schema, String path) {
    if (schema.getType() == Schema.Type.UNION) {
      int branch;
      try {
        branch = model.resolveUnion(schema, value);
      } catch (UnresolvedUnionException e) {
        throw invalidRecord(path, "holds " + typeOf(value) + ", which fits no branch of it");
      }
      return write(value, schema.getTypes().get(branch), path);
    }
    if (value == null) {
      if (schema.getType() == Schema.Type.NULL) {
        return NODES.nullNode();
      }
      throw invalidRecord(path, "is null but its type " + describe(schema) + " does not allow it");
    }
    try {
      return writeValue(value, schema, path);
    } catch (ClassCastException e) {
      throw invalidRecord(path, "holds " + typeOf(value) + ", which is not " + describe(schema));
    }
  }

  private JsonNode writeValue(Object value, Schema schema, String path) {
    Conversion<?> conversion = conversionFor(schema);
    switch (schema.getType()) {
      case RECORD:
        IndexedRecord record = (IndexedRecord) value;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
          object.set(field.name(), write(record.get(field.pos()), field.schema(), fieldPath));
        }
        return object;
      case NULL:
        throw invalidRecord(path, "holds " + typeOf(value) + " but its type is null");
      case BOOLEAN:
        return NODES.booleanNode((Boolean) value);
      case INT:
        return conversion != null
            ? NODES.textNode(((LocalDate) value).toString())
            : NODES.numberNode((Integer) value);
      case LONG:
        return conversion != null
            ? NODES.textNode(((Instant) value).toString())
            : NODES.numberNode((Long) value);
      case FLOAT:
        Float f = (Float) value;
        return f.isNaN() || f.isInfinite() ? NODES.textNode(f.toString()) : NODES.numberNode(f);
      case DOUBLE:
        Double d = (Double) value;
        return d.isNaN() || d.isInfinite() ? NODES.textNode(d.toString()) : NODES.numberNode(d);
      case STRING:
      case ENUM:
        return NODES.textNode(value.toString());
      case BYTES:
        return NODES.textNode(Base64.getEncoder().encodeToString(Bytes.copyOf((ByteBuffer) value)));
      case FIXED:
        return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
      case ARRAY:
        ArrayNode array = NODES.arrayNode();
        int index = 0;
        for (Object element : (Collection<?>) value) {
          array.add(write(element, schema.getElementType(), path + "[" + index++ + "]"));
        }
        return array;
      case MAP:
        ObjectNode map = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          String key = entry.getKey().toString();
          map.set(key, write(entry.getValue(), schema.getValueType(), path + "[\"" + key + "\"]"));
        }
        return map;
      default:
        throw new IllegalStateException("Unhandled Avro type " + schema.getType());
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private Conversion<?> conversionFor(Schema schema) {
    LogicalType logicalType = schema.getLogicalType();
    return logicalType == null ? null : model.getConversionFor(logicalType);
  }

  /**
   * Fails early, when a codec is built, on logical types the model converts to Java types this
   * class cannot render; logical types without a conversion are read and written as their
   * underlying Avro type.
   */
  private void checkSupported(Schema schema, String path, Set<String> visited) {
    Conversion<?> conversion = conversionFor(schema);
    if (conversion != null) {
      String name = schema.getLogicalType().getName();
      Class<?> expected =
          name.equals(TIMESTAMP_MILLIS) || name.equals(TIMESTAMP_MICROS)
              ? Instant.class
              : name.equals(DATE) ? LocalDate.class : null;
      if (expected == null || !expected.equals(conversion.getConvertedType())) {
        throw new IllegalArgumentException(
            "Cannot convert "
                + (path.isEmpty() ? "the record" : "field '" + path + "'")
                + " to JSON: logical type "
                + name
                + " as "
                + conversion.getConvertedType().getName()
                + " is not supported");
      }
    }
    switch (schema.getType()) {
      case RECORD:
        if (visited.add(schema.getFullName())) {
          for (Schema.Field field : schema.getFields()) {
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            checkSupported(field.schema(), fieldPath, visited);
          }
        }
        break;
      case UNION:
        for (Schema branch : schema.getTypes()) {
          checkSupported(branch, path, visited);
        }
        break;
      case ARRAY:
        checkSupported(schema.getElementType(), path + "[]", visited);
        break;
      case MAP:
        checkSupported(schema.getValueType(), path + "[]", visited);
        break;
      default:
        break;
    }
  }

  /** What a value of {@code schema} looks like in JSON, for error messages. */
  static String describe(Schema schema) {
    LogicalType logicalType = schema.getLogicalType();
    String logical = logicalType == null ? "" : logicalType.getName();
    switch (schema.getType()) {
      case INT:
        return logical.equals(DATE)
            ? "an ISO-8601 date (e.g. 2026-03-01) or days since 1970-01-01"
            : "int";
      case LONG:
        if (logical.equals(TIMESTAMP_MILLIS)) {
          return "an ISO-8601 instant (e.g. 2026-03-01T10:02:30Z) or epoch millis";
        }
        return logical.equals(TIMESTAMP_MICROS)
            ? "an ISO-8601 instant (e.g. 2026-03-01T10:02:30.000001Z) or epoch micros"
            : "long";
      case BYTES:
        return "a base64 string";
      case FIXED:
        return "a base64 string of " + schema.getFixedSize() + " bytes";
      case ENUM:
        return "one of " + schema.getEnumSymbols();
      case RECORD:
        return "an object (" + schema.getName() + ")";
      case MAP:
        return "an object (map)";
      case ARRAY:
        return "an array";
      case UNION:
        List<String> branches =
            schema.getTypes().stream().map(HumanJson::describe).collect(Collectors.toList());
        int last = branches.size() - 1;
        return last == 0
            ? branches.get(0)
            : String.join(", ", branches.subList(0, last)) + " or " + branches.get(last);
      default:
        return schema.getType().getName();
    }
  }

  /** A JSON value as a person would name it, e.g. {@code string "three"}. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      String text = node.textValue();
      return "string \""
          + (text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...")
          + "\"";
    }
    if (node.isNumber()) {
      return "number " + node.asText();
    }
    if (node.isBoolean()) {
      return "boolean " + node.asText();
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "an object";
    }
    return node.isArray() ? "an array" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  private static InvalidJsonException mismatch(String path, Schema schema, JsonNode node) {
    return new InvalidJsonException(
        at(path) + "expected " + describe(schema) + ", got " + describe(node));
  }

  private static InvalidJsonException outOfRange(String path, Schema schema, JsonNode node) {
    return new InvalidJsonException(
        at(path)
            + "expected "
            + describe(schema)
            + ", got "
            + describe(node)
            + ", which is out of range");
  }

  private static String unknownFields(String path, Schema schema, List<String> unknown) {
    String names = unknown.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
    String known =
        schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", "));
    return (unknown.size() == 1 ? "unknown field " : "unknown fields ")
        + names
        + (path.isEmpty() ? "" : " in '" + path + "'")
        + " ("
        + schema.getName()
        + " has: "
        + known
        + ")";
  }

  private static String at(String path) {
    return path.isEmpty() ? "" : "field '" + path + "': ";
  }

  private static IllegalArgumentException invalidRecord(String path, String problem) {
    return new IllegalArgumentException(
        (path.isEmpty() ? "the record " : "field '" + path + "' ") + problem);
  }

  private static String typeOf(Object value) {
    return value == null ? "null" : "a " + value.getClass().getName();
  }
}
