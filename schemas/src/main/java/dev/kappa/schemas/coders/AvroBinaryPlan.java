package dev.kappa.schemas.coders;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.Utf8;

/**
 * The Avro binary encoding of one generated record class, compiled once from its schema into a tree
 * of nodes, one per schema node.
 *
 * <p>It writes exactly the bytes {@code SpecificDatumWriter} writes for the same schema and model
 * (the class's {@code MODEL$}, with its logical-type conversions), and reads them back into the
 * objects {@code SpecificDatumReader} builds when reader and writer schemas are the same. What it
 * saves is the interpretation: the datum writer and reader walk the schema for every record, look
 * up conversions and string classes in maps, resolve union branches by name and read through a
 * {@code ResolvingDecoder} grammar; here those decisions are taken once, when the plan is built.
 */
final class AvroBinaryPlan {
  private static final String STRING_PROP = GenericData.STRING_PROP;

  private final SpecificData model;
  private final Node root;
  // Records may refer to themselves: one node per record schema, created before its fields.
  private final Map<Schema, RecordNode> records = new IdentityHashMap<>();

  private AvroBinaryPlan(SpecificData model, Schema schema) {
    this.model = model;
    this.root = node(schema);
  }

  /** The plan of a record schema, with the conversions and classes of {@code model}. */
  static AvroBinaryPlan of(SpecificData model, Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("not a record schema: " + schema.getFullName());
    }
    return new AvroBinaryPlan(model, schema);
  }

  void write(Object record, ByteSink out) {
    root.write(record, out);
  }

  Object read(Decoder in) throws IOException {
    return root.read(in);
  }

  private Node node(Schema schema) {
    LogicalType logicalType = schema.getLogicalType();
    if (logicalType != null) {
      Conversion<?> conversion = model.getConversionFor(logicalType);
      if (conversion != null) {
        return new LogicalNode(schema, logicalType, conversion, rawNode(schema));
      }
    }
    return rawNode(schema);
  }

  private Node rawNode(Schema schema) {
    rejectJavaClassProps(schema);
    switch (schema.getType()) {
      case NULL:
        return NullNode.INSTANCE;
      case BOOLEAN:
        return BooleanNode.INSTANCE;
      case INT:
        return IntNode.INSTANCE;
      case LONG:
        return LongNode.INSTANCE;
      case FLOAT:
        return FloatNode.INSTANCE;
      case DOUBLE:
        return DoubleNode.INSTANCE;
      case STRING:
        return "String".equals(schema.getProp(STRING_PROP)) ? StringNode.STRING : StringNode.UTF8;
      case BYTES:
        return BytesNode.INSTANCE;
      case FIXED:
        return new FixedNode(schema, model);
      case ENUM:
        return new EnumNode(schema, model);
      case ARRAY:
        return new ArrayNode(schema, node(schema.getElementType()));
      case MAP:
        return new MapNode(
            "String".equals(schema.getProp(STRING_PROP)), node(schema.getValueType()));
      case UNION:
        return unionNode(schema);
      case RECORD:
        return recordNode(schema);
      default:
        throw new IllegalArgumentException("unsupported Avro type " + schema.getType());
    }
  }

  private Node unionNode(Schema union) {
    List<Schema> branches = union.getTypes();
    Node[] nodes = new Node[branches.size()];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = node(branches.get(i));
    }
    Integer nullIndex = union.getIndexNamed(Schema.Type.NULL.getName());
    if (branches.size() == 2 && nullIndex != null) {
      return new NullableNode(nullIndex, nodes[1 - nullIndex]);
    }
    return new UnionNode(union, model, nodes);
  }

  private Node recordNode(Schema schema) {
    RecordNode known = records.get(schema);
    if (known != null) {
      return known;
    }
    RecordNode record = new RecordNode(schema, model);
    records.put(schema, record);
    List<Schema.Field> fields = schema.getFields();
    Node[] nodes = new Node[fields.size()];
    SpecificRecordBase template = record.template();
    for (Schema.Field field : fields) {
      // SpecificDatumWriter and SpecificDatumReader convert a field of a generated record with
      // the record's own conversion for it (the generated conversions array), or not at all.
      LogicalType logicalType = field.schema().getLogicalType();
      if (template != null && logicalType != null) {
        Conversion<?> conversion = template.getConversion(field.pos());
        nodes[field.pos()] =
            conversion != null
                ? new LogicalNode(field.schema(), logicalType, conversion, rawNode(field.schema()))
                : rawNode(field.schema());
      } else {
        nodes[field.pos()] = node(field.schema());
      }
    }
    record.fields = nodes;
    return record;
  }

  private static void rejectJavaClassProps(Schema schema) {
    for (String prop :
        new String[] {
          SpecificData.CLASS_PROP, SpecificData.KEY_CLASS_PROP, SpecificData.ELEMENT_PROP
        }) {
      if (schema.getObjectProp(prop) != null) {
        throw new IllegalArgumentException(
            "schema "
                + schema
                + " has the property "
                + prop
                + ", which SpecificRecordCoder does not support: use AvroCoder for this type");
      }
    }
  }

  /** A growable byte array the nodes write to; one per thread, reused. */
  static final class ByteSink {
    private static final int INITIAL = 256;
    // A sink that once held a huge record drops its array rather than keep it per thread.
    private static final int RETAINED = 1 << 20;

    byte[] buf = new byte[INITIAL];
    int pos;

    void reset() {
      if (buf.length > RETAINED) {
        buf = new byte[INITIAL];
      }
      pos = 0;
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }

    /** Zig-zag varint: Avro's int and long, and every count and index. */
    void writeLong(long value) {
      ensure(10);
      long n = (value << 1) ^ (value >> 63);
      while ((n & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((n & 0x7F) | 0x80);
        n >>>= 7;
      }
      buf[pos++] = (byte) n;
    }

    void writeBoolean(boolean value) {
      ensure(1);
      buf[pos++] = (byte) (value ? 1 : 0);
    }

    void writeFixedInt(int bits) {
      ensure(4);
      buf[pos++] = (byte) bits;
      buf[pos++] = (byte) (bits >>> 8);
      buf[pos++] = (byte) (bits >>> 16);
      buf[pos++] = (byte) (bits >>> 24);
    }

    void writeFixedLong(long bits) {
      writeFixedInt((int) bits);
      writeFixedInt((int) (bits >>> 32));
    }

    void writeRaw(byte[] bytes, int offset, int length) {
      ensure(length);
      System.arraycopy(bytes, offset, buf, pos, length);
      pos += length;
    }

    void writeBytes(byte[] bytes, int offset, int length) {
      writeLong(length);
      writeRaw(bytes, offset, length);
    }

    /** As BinaryEncoder.writeBytes(ByteBuffer): from position to limit, position unchanged. */
    void writeBytes(ByteBuffer bytes) {
      int length = bytes.remaining();
      writeLong(length);
      ensure(length);
      bytes.duplicate().get(buf, pos, length);
      pos += length;
    }

    /** As Encoder.writeString(CharSequence): Utf8 as it is, anything else through toString. */
    void writeString(Object value) {
      if (value instanceof Utf8) {
        Utf8 utf8 = (Utf8) value;
        writeBytes(utf8.getBytes(), 0, utf8.getByteLength());
      } else {
        byte[] bytes = ((CharSequence) value).toString().getBytes(StandardCharsets.UTF_8);
        writeBytes(bytes, 0, bytes.length);
      }
    }
  }

  /** One schema node: writes a datum of it, reads one back. */
  abstract static class Node {
    abstract void write(Object value, ByteSink out);

    abstract Object read(Decoder in) throws IOException;
  }

  private static final class NullNode extends Node {
    static final NullNode INSTANCE = new NullNode();

    @Override
    void write(Object value, ByteSink out) {
      if (value != null) {
        throw new ClassCastException("not null: " + value);
      }
    }

    @Override
    Object read(Decoder in) throws IOException {
      in.readNull();
      return null;
    }
  }

  private static final class BooleanNode extends Node {
    static final BooleanNode INSTANCE = new BooleanNode();

    @Override
    void write(Object value, ByteSink out) {
      out.writeBoolean((Boolean) value);
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readBoolean();
    }
  }

  private static final class IntNode extends Node {
    static final IntNode INSTANCE = new IntNode();

    @Override
    void write(Object value, ByteSink out) {
      out.writeLong(((Number) value).intValue());
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readInt();
    }
  }

  private static final class LongNode extends Node {
    static final LongNode INSTANCE = new LongNode();

    @Override
    void write(Object value, ByteSink out) {
      out.writeLong(((Number) value).longValue());
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readLong();
    }
  }

  private static final class FloatNode extends Node {
    static final FloatNode INSTANCE = new FloatNode();

    @Override
    void write(Object value, ByteSink out) {
      out.writeFixedInt(Float.floatToRawIntBits(((Number) value).floatValue()));
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readFloat();
    }
  }

  private static final class DoubleNode extends Node {
    static final DoubleNode INSTANCE = new DoubleNode();

    @Override
    void write(Object value, ByteSink out) {
      out.writeFixedLong(Double.doubleToRawLongBits(((Number) value).doubleValue()));
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readDouble();
    }
  }

  private static final class StringNode extends Node {
    /** The generated classes' fields ({@code stringType String}): java.lang.String. */
    static final StringNode STRING = new StringNode(true);

    /** Avro's default: Utf8. */
    static final StringNode UTF8 = new StringNode(false);

    private final boolean javaString;

    private StringNode(boolean javaString) {
      this.javaString = javaString;
    }

    @Override
    void write(Object value, ByteSink out) {
      out.writeString(value);
    }

    @Override
    Object read(Decoder in) throws IOException {
      return javaString ? in.readString() : in.readString(null);
    }
  }

  private static final class BytesNode extends Node {
    static final BytesNode INSTANCE = new BytesNode();

    @Override
    void write(Object value, ByteSink out) {
      if (value instanceof byte[]) {
        byte[] bytes = (byte[]) value;
        out.writeBytes(bytes, 0, bytes.length);
      } else {
        out.writeBytes((ByteBuffer) value);
      }
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readBytes(null);
    }
  }

  private static final class FixedNode extends Node {
    private final Schema schema;
    private final SpecificData model;
    private final int size;

    FixedNode(Schema schema, SpecificData model) {
      this.schema = schema;
      this.model = model;
      this.size = schema.getFixedSize();
    }

    @Override
    void write(Object value, ByteSink out) {
      out.writeRaw(((GenericFixed) value).bytes(), 0, size);
    }

    @Override
    Object read(Decoder in) throws IOException {
      GenericFixed fixed = (GenericFixed) model.createFixed(null, schema);
      in.readFixed(fixed.bytes(), 0, size);
      return fixed;
    }
  }

  private static final class EnumNode extends Node {
    private final Schema schema;
    private final Object[] symbols;

    EnumNode(Schema schema, SpecificData model) {
      this.schema = schema;
      List<String> names = schema.getEnumSymbols();
      this.symbols = new Object[names.size()];
      for (int i = 0; i < symbols.length; i++) {
        symbols[i] = model.createEnum(names.get(i), schema);
      }
    }

    @Override
    void write(Object value, ByteSink out) {
      // SpecificDatumWriter: a Java enum by its ordinal, anything else by its symbol's name.
      int ordinal =
          value instanceof Enum
              ? ((Enum<?>) value).ordinal()
              : schema.getEnumOrdinal(((GenericEnumSymbol<?>) value).toString());
      out.writeLong(ordinal);
    }

    @Override
    Object read(Decoder in) throws IOException {
      return symbols[in.readEnum()];
    }
  }

  private static final class ArrayNode extends Node {
    private final Schema schema;
    private final Node element;

    ArrayNode(Schema schema, Node element) {
      this.schema = schema;
      this.element = element;
    }

    @Override
    void write(Object value, ByteSink out) {
      Collection<?> items = (Collection<?>) value;
      if (!items.isEmpty()) {
        out.writeLong(items.size());
        for (Object item : items) {
          element.write(item, out);
        }
      }
      out.writeLong(0);
    }

    @Override
    Object read(Decoder in) throws IOException {
      long count = in.readArrayStart();
      GenericData.Array<Object> array = new GenericData.Array<>((int) count, schema);
      while (count > 0) {
        for (long i = 0; i < count; i++) {
          array.add(element.read(in));
        }
        count = in.arrayNext();
      }
      return array;
    }
  }

  private static final class MapNode extends Node {
    private final boolean javaStringKeys;
    private final Node value;

    MapNode(boolean javaStringKeys, Node value) {
      this.javaStringKeys = javaStringKeys;
      this.value = value;
    }

    @Override
    void write(Object datum, ByteSink out) {
      Map<?, ?> map = (Map<?, ?>) datum;
      if (!map.isEmpty()) {
        out.writeLong(map.size());
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          out.writeString(entry.getKey());
          value.write(entry.getValue(), out);
        }
      }
      out.writeLong(0);
    }

    @Override
    Object read(Decoder in) throws IOException {
      long count = in.readMapStart();
      Map<Object, Object> map = new HashMap<>((int) count);
      while (count > 0) {
        for (long i = 0; i < count; i++) {
          Object key = javaStringKeys ? in.readString() : in.readString(null);
          map.put(key, value.read(in));
        }
        count = in.mapNext();
      }
      return map;
    }
  }

  /** {@code ["null", X]} or {@code [X, "null"]}: the branch is decided by a null check. */
  private static final class NullableNode extends Node {
    private final int nullIndex;
    private final int valueIndex;
    private final Node value;

    NullableNode(int nullIndex, Node value) {
      this.nullIndex = nullIndex;
      this.valueIndex = 1 - nullIndex;
      this.value = value;
    }

    @Override
    void write(Object datum, ByteSink out) {
      if (datum == null) {
        out.writeLong(nullIndex);
      } else {
        out.writeLong(valueIndex);
        value.write(datum, out);
      }
    }

    @Override
    Object read(Decoder in) throws IOException {
      return in.readIndex() == nullIndex ? null : value.read(in);
    }
  }

  /** Any other union: the branch is the one the model resolves, as the datum writer does. */
  private static final class UnionNode extends Node {
    private final Schema union;
    private final SpecificData model;
    private final Node[] branches;

    UnionNode(Schema union, SpecificData model, Node[] branches) {
      this.union = union;
      this.model = model;
      this.branches = branches;
    }

    @Override
    void write(Object value, ByteSink out) {
      int index = model.resolveUnion(union, value);
      out.writeLong(index);
      branches[index].write(value, out);
    }

    @Override
    Object read(Decoder in) throws IOException {
      return branches[in.readIndex()].read(in);
    }
  }

  /** A logical type with a conversion: converted to its raw type before writing, and back. */
  private static final class LogicalNode extends Node {
    private final Schema schema;
    private final LogicalType logicalType;
    private final Conversion<Object> conversion;
    private final Class<?> convertedType;
    private final Node raw;

    @SuppressWarnings("unchecked")
    LogicalNode(Schema schema, LogicalType logicalType, Conversion<?> conversion, Node raw) {
      this.schema = schema;
      this.logicalType = logicalType;
      this.conversion = (Conversion<Object>) conversion;
      this.convertedType = conversion.getConvertedType();
      this.raw = raw;
    }

    @Override
    void write(Object value, ByteSink out) {
      // The datum writer converts only values of the conversion's class; a raw value (a Long
      // for a timestamp) is written as it is.
      Object rawValue =
          convertedType.isInstance(value)
              ? Conversions.convertToRawType(value, schema, logicalType, conversion)
              : value;
      raw.write(rawValue, out);
    }

    @Override
    Object read(Decoder in) throws IOException {
      return Conversions.convertToLogicalType(raw.read(in), schema, logicalType, conversion);
    }
  }

  private static final class RecordNode extends Node {
    private final Schema schema;
    private final SpecificData model;
    private final Constructor<?> constructor;
    Node[] fields;

    RecordNode(Schema schema, SpecificData model) {
      this.schema = schema;
      this.model = model;
      Class<?> type = model.getClass(schema);
      Constructor<?> noArgs = null;
      if (type != null && SpecificRecord.class.isAssignableFrom(type)) {
        try {
          noArgs = type.getDeclaredConstructor();
          noArgs.setAccessible(true);
        } catch (NoSuchMethodException e) {
          noArgs = null;
        }
      }
      this.constructor = noArgs;
    }

    /** A fresh instance, to read the generated class's conversions; null for generic records. */
    SpecificRecordBase template() {
      Object record = newRecord();
      return record instanceof SpecificRecordBase ? (SpecificRecordBase) record : null;
    }

    private Object newRecord() {
      if (constructor == null) {
        return model.newRecord(null, schema);
      }
      try {
        return constructor.newInstance();
      } catch (InstantiationException | IllegalAccessException e) {
        throw new IllegalStateException("cannot instantiate " + constructor.getName(), e);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException(
            "cannot instantiate " + constructor.getName(), e.getTargetException());
      }
    }

    @Override
    void write(Object value, ByteSink out) {
      if (value instanceof SpecificRecord) {
        SpecificRecord record = (SpecificRecord) value;
        for (int i = 0; i < fields.length; i++) {
          fields[i].write(record.get(i), out);
        }
      } else {
        List<Schema.Field> schemaFields = schema.getFields();
        for (int i = 0; i < fields.length; i++) {
          Schema.Field field = schemaFields.get(i);
          fields[i].write(model.getField(value, field.name(), i), out);
        }
      }
    }

    @Override
    Object read(Decoder in) throws IOException {
      Object record = newRecord();
      if (record instanceof SpecificRecord) {
        SpecificRecord specific = (SpecificRecord) record;
        for (int i = 0; i < fields.length; i++) {
          specific.put(i, fields[i].read(in));
        }
      } else {
        List<Schema.Field> schemaFields = schema.getFields();
        List<Object> values = new ArrayList<>(fields.length);
        for (int i = 0; i < fields.length; i++) {
          values.add(fields[i].read(in));
        }
        for (int i = 0; i < fields.length; i++) {
          model.setField(record, schemaFields.get(i).name(), i, values.get(i));
        }
      }
      return record;
    }
  }
}
