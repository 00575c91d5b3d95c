package dev.kappa.schemas.coders;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.CardTransaction;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.PageView;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.OrderPaymentStatus;
import dev.kappa.schemas.results.OrphanPayment;
import dev.kappa.schemas.results.PaidOrder;
import dev.kappa.schemas.results.ProductRevenue;
import dev.kappa.schemas.results.SessionActivity;
import dev.kappa.schemas.results.SessionKey;
import dev.kappa.schemas.results.SessionRetraction;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.schemas.results.TooLatePayment;
import dev.kappa.schemas.results.TooLateVisitorEvent;
import dev.kappa.schemas.results.UnpaidOrder;
import dev.kappa.schemas.results.VisitorEvent;
import dev.kappa.schemas.results.VisitorSession;
import dev.kappa.schemas.testing.AllTypes;
import dev.kappa.schemas.testing.CoderTypes;
import dev.kappa.schemas.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SpecificRecordCoder against its reference, AvroCoder: the same bytes for every record of every
 * generated class (random records and edge cases), each decoding the other's bytes to equal
 * records, and the same determinism.
 */
class SpecificRecordCoderTest {
  private static final int RANDOM_RECORDS = 500;

  static Stream<Class<? extends SpecificRecord>> recordClasses() {
    return Stream.of(
        SourcePosition.class,
        SourceRecord.class,
        DeadLetter.class,
        MissedWindow.class,
        CardTransaction.class,
        Customer.class,
        OrderEvent.class,
        PageView.class,
        Payment.class,
        Product.class,
        CategoryRevenue.class,
        EnrichedOrder.class,
        EnrichmentCorrection.class,
        ProductRevenue.class,
        TooLateOrder.class,
        VisitorSession.class,
        SessionRetraction.class,
        SessionKey.class,
        SessionActivity.class,
        VisitorEvent.class,
        TooLateVisitorEvent.class,
        PaidOrder.class,
        UnpaidOrder.class,
        OrphanPayment.class,
        TooLatePayment.class,
        OrderPaymentStatus.class,
        AllTypes.class,
        CoderTypes.class);
  }

  @ParameterizedTest
  @MethodSource("recordClasses")
  <T extends SpecificRecord> void randomRecordsEncodeAsAvroCoderDoes(Class<T> type)
      throws IOException {
    AvroCoder<T> reference = AvroCoder.of(type);
    SpecificRecordCoder<T> coder = SpecificRecordCoder.of(type);
    for (T record : randomRecords(type, RANDOM_RECORDS, type.getName().hashCode())) {
      assertSameEncoding(reference, coder, record);
    }
  }

  @ParameterizedTest
  @MethodSource("recordClasses")
  <T extends SpecificRecord> void determinismIsAvroCodersAndTheCoderSurvivesSerialization(
      Class<T> type) throws Exception {
    SpecificRecordCoder<T> coder = SpecificRecordCoder.of(type);
    boolean referenceDeterministic = isDeterministic(AvroCoder.of(type));
    assertThat(type.getSimpleName(), isDeterministic(coder), is(referenceDeterministic));

    CoderProperties.coderSerializable(coder);
    SpecificRecordCoder<T> copy = SerializableUtils.clone(coder);
    assertThat(copy, equalTo(coder));
    for (T record : randomRecords(type, 20, 7)) {
      assertArrayEquals(
          CoderUtils.encodeToByteArray(coder, record), CoderUtils.encodeToByteArray(copy, record));
      CoderProperties.coderDecodeEncodeEqual(copy, record);
      if (referenceDeterministic) {
        CoderProperties.coderDeterministic(
            copy,
            record,
            SpecificData.getForClass(type)
                .deepCopy(SpecificData.getForClass(type).getSchema(type), record));
      }
    }
  }

  @Test
  void mapsMakeItNonDeterministicAsInAvroCoder() {
    assertThrows(
        Coder.NonDeterministicException.class,
        () -> SpecificRecordCoder.of(AllTypes.class).verifyDeterministic());
  }

  @Test
  void edgeCasesOfTheHotPathRecords() throws IOException {
    AvroCoder<OrderEvent> orderReference = AvroCoder.of(OrderEvent.class);
    SpecificRecordCoder<OrderEvent> orderCoder = SpecificRecordCoder.of(OrderEvent.class);
    String[] strings = {
      "",
      "a",
      "é",
      "日本語",
      "emoji \uD83D\uDE00",
      "lone surrogate \uD800 here",
      "nul \u0000 byte",
      "x".repeat(300)
    };
    Instant[] times = {
      Instant.EPOCH,
      Instant.ofEpochMilli(-1),
      Instant.parse("1969-12-31T23:59:59.999Z"),
      Instant.parse("2026-03-01T10:00:00.123456789Z"), // timestamp-millis drops the nanos
      Instant.ofEpochMilli(Long.MAX_VALUE),
      Instant.ofEpochMilli(Long.MIN_VALUE)
    };
    long[] longs = {0, 1, -1, 63, 64, -64, -65, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
    for (String s : strings) {
      for (int i = 0; i < times.length; i++) {
        OrderEvent order = Samples.orderEvent();
        order.setOrderId(s);
        order.setPromoCode(i % 2 == 0 ? null : s);
        order.setEventTime(times[i]);
        order.setQuantity((int) longs[i]);
        order.setUnitPriceCents(longs[longs.length - 1 - i]);
        assertSameEncoding(orderReference, orderCoder, order);

        EnrichedOrder enriched =
            EnrichedOrder.newBuilder()
                .setOrder(order)
                .setCategory(i % 3 == 0 ? null : s)
                .setProductVersion(i % 2 == 0 ? times[i] : null)
                .setCustomerTier(null)
                .setCustomerVersion(times[times.length - 1 - i])
                .build();
        assertSameEncoding(
            AvroCoder.of(EnrichedOrder.class),
            SpecificRecordCoder.of(EnrichedOrder.class),
            enriched);
      }
    }

    AvroCoder<SourceRecord> recordReference = AvroCoder.of(SourceRecord.class);
    SpecificRecordCoder<SourceRecord> recordCoder = SpecificRecordCoder.of(SourceRecord.class);
    byte[] bytes = "{\"order_id\": \"O-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer sliced = ByteBuffer.wrap(bytes, 3, 5).slice();
    ByteBuffer positioned = ByteBuffer.wrap(bytes);
    positioned.position(4);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes);
    direct.flip();
    ByteBuffer readOnly = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    for (ByteBuffer payload :
        new ByteBuffer[] {ByteBuffer.allocate(0), sliced, positioned, direct, readOnly}) {
      SourceRecord record = Samples.sourceRecord();
      record.setPayload(payload);
      record.setKey(payload.duplicate());
      int position = payload.position();
      assertSameEncoding(recordReference, recordCoder, record);
      assertThat("the payload's position is left alone", payload.position(), is(position));
      record.setKey(null);
      record.setTimestamp(null);
      record.getPosition().setPartition(null);
      record.getPosition().setOffset(null);
      assertSameEncoding(recordReference, recordCoder, record);
    }

    AllTypes nan = Samples.allTypes();
    nan.setRatio(Float.intBitsToFloat(0x7fc00001));
    nan.setScore(Double.longBitsToDouble(0x7ff8000000000001L));
    assertSameEncoding(AvroCoder.of(AllTypes.class), SpecificRecordCoder.of(AllTypes.class), nan);
  }

  @Test
  void decodeReadsNoByteOfTheNextElement() throws IOException {
    SpecificRecordCoder<OrderEvent> coder = SpecificRecordCoder.of(OrderEvent.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<OrderEvent> orders = randomRecords(OrderEvent.class, 3, 11);
    for (OrderEvent order : orders) {
      coder.encode(order, out);
    }
    out.write(0x7f);
    InputStream in = new ByteArrayInputStream(out.toByteArray());
    for (OrderEvent order : orders) {
      assertThat(coder.decode(in), equalTo(order));
    }
    assertThat(in.read(), is(0x7f));
    assertThat(in.read(), is(-1));
  }

  @Test
  void aRecordThatDoesNotFitItsSchemaIsACoderException() {
    OrderEvent order = Samples.orderEvent();
    order.setOrderId(null);
    CoderException e =
        assertThrows(
            CoderException.class,
            () -> CoderUtils.encodeToByteArray(SpecificRecordCoder.of(OrderEvent.class), order));
    assertThat(e.getMessage(), containsString("OrderEvent"));
  }

  @Test
  void truncatedBytesAreAnError() throws IOException {
    byte[] bytes =
        CoderUtils.encodeToByteArray(
            SpecificRecordCoder.of(OrderEvent.class), Samples.orderEvent());
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(
        IOException.class,
        () -> SpecificRecordCoder.of(OrderEvent.class).decode(new ByteArrayInputStream(truncated)));
  }

  @Test
  void isTheInferredCoderOfGeneratedRecords() throws Exception {
    CoderRegistry registry = CoderRegistry.createDefault();
    assertThat(registry.getCoder(OrderEvent.class), instanceOf(SpecificRecordCoder.class));
    assertThat(
        registry.getCoder(EnrichedOrder.class),
        equalTo(SpecificRecordCoder.of(EnrichedOrder.class)));
  }

  private static boolean isDeterministic(Coder<?> coder) {
    try {
      coder.verifyDeterministic();
      return true;
    } catch (Coder.NonDeterministicException e) {
      return false;
    }
  }

  /** Both coders write the same bytes; each reads the other's back to the same record. */
  private static <T extends SpecificRecord> void assertSameEncoding(
      AvroCoder<T> reference, SpecificRecordCoder<T> coder, T record) throws IOException {
    byte[] expected = CoderUtils.encodeToByteArray(reference, record);
    assertArrayEquals(
        expected, CoderUtils.encodeToByteArray(coder, record), () -> "encoding of " + record);
    T decoded = CoderUtils.decodeFromByteArray(coder, expected);
    T referenceDecoded = CoderUtils.decodeFromByteArray(reference, expected);
    assertThat(decoded, equalTo(referenceDecoded));
    // Decoded maps are HashMaps: compare the re-encodings of both decoded records.
    assertArrayEquals(
        CoderUtils.encodeToByteArray(reference, referenceDecoded),
        CoderUtils.encodeToByteArray(coder, decoded));
  }

  /**
   * Random records of {@code type}: Avro's RandomData (every union branch, empty and long strings,
   * maps and arrays), written as generic data and read into the generated class.
   */
  static <T extends SpecificRecord> List<T> randomRecords(Class<T> type, int count, long seed)
      throws IOException {
    Schema schema = SpecificData.getForClass(type).getSchema(type);
    SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
    GenericDatumWriter<Object> writer = new GenericDatumWriter<>(schema, GenericData.get());
    Random random = new Random(seed);
    List<T> records = new ArrayList<>();
    for (Object datum : new RandomData(schema, count, seed)) {
      fitLogicalTypes((GenericRecord) datum, random);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(datum, encoder);
      encoder.flush();
      records.add(reader.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null)));
    }
    return records;
  }

  /** RandomData draws raw values; a few logical types accept only some of them. */
  private static void fitLogicalTypes(GenericRecord record, Random random) {
    if (record.getSchema().getName().equals("CoderTypes")) {
      record.put("id", new UUID(random.nextLong(), random.nextLong()).toString());
      record.put("time_of_day", random.nextInt(86_400_000));
    }
  }
}
