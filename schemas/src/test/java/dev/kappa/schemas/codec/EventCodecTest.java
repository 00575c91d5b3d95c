package dev.kappa.schemas.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.EventType;
import dev.kappa.schemas.SchemaVersion;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.results.ProductRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.schemas.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventCodecTest {
  private static final EventCodec<OrderEvent> ORDERS = EventCodec.of(OrderEvent.class);

  /** A v1-shaped order: no currency (default USD), no shipping_method, no promo_code. */
  private static final String V1_JSON =
      "{\"order_id\":\"o-1\",\"customer_id\":\"c-1\",\"product_id\":\"p-1\",\"quantity\":2,"
          + "\"unit_price_cents\":1250,\"event_time\":\"2026-03-01T10:02:30Z\"}";

  static List<SpecificRecordBase> everyType() {
    return Samples.everyType();
  }

  // ------------------------------------------------------------------------------ round trips

  @ParameterizedTest
  @MethodSource("everyType")
  void binaryRoundTripsEveryType(SpecificRecordBase record) {
    assertThat(binaryRoundTrip(record.getClass(), record), equalTo(record));
  }

  @ParameterizedTest
  @MethodSource("everyType")
  void jsonRoundTripsEveryType(SpecificRecordBase record) {
    assertThat(jsonRoundTrip(record.getClass(), record), equalTo(record));
  }

  @Test
  void encodeWritesSingleObjectHeaderWithTheLatestVersionFingerprint() {
    byte[] bytes = ORDERS.encode(Samples.orderEvent());

    assertThat(bytes[0], equalTo((byte) 0xC3));
    assertThat(bytes[1], equalTo((byte) 0x01));
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint, equalTo(EventType.ORDER_EVENT.latest().fingerprint()));
  }

  // -------------------------------------------------------------------- old versions, defaults

  @ParameterizedTest
  @CsvSource({"1, standard,", "2, express,", "3, express, SPRING"})
  void everyOrderEventVersionDecodesToTheCurrentClassWithDefaults(
      int version, String shippingMethod, String promoCode) throws IOException {
    SchemaVersion writer = EventType.ORDER_EVENT.history().get(version - 1);
    GenericRecordBuilder builder =
        new GenericRecordBuilder(writer.schema())
            .set("order_id", "o-1")
            .set("customer_id", "c-1")
            .set("product_id", "p-1")
            .set("quantity", 2)
            .set("unit_price_cents", 1250L)
            .set("event_time", Samples.EVENT_TIME.toEpochMilli());
    if (version >= 2) {
      builder.set("shipping_method", "express");
    }
    if (version >= 3) {
      builder.set("promo_code", "SPRING");
    }

    OrderEvent decoded = ORDERS.decode(encodeGeneric(builder.build()));

    assertThat(decoded.getOrderId(), equalTo("o-1"));
    assertThat(decoded.getQuantity(), equalTo(2));
    assertThat(decoded.getCurrency(), equalTo("USD"));
    assertThat(decoded.getEventTime(), equalTo(Samples.EVENT_TIME));
    assertThat(decoded.getShippingMethod(), equalTo(shippingMethod));
    assertThat(decoded.getPromoCode(), equalTo(promoCode));
  }

  @Test
  void jsonShapedLikeOlderVersionsDecodesWithDefaults() {
    OrderEvent v1 = ORDERS.fromJson(V1_JSON);
    OrderEvent v2 =
        ORDERS.fromJson(
            V1_JSON.replace("}", ",\"shipping_method\":\"express\",\"currency\":\"EUR\"}"));

    assertThat(v1.getCurrency(), equalTo("USD"));
    assertThat(v1.getShippingMethod(), equalTo("standard"));
    assertThat(v1.getPromoCode(), is(nullValue()));
    assertThat(v1.getUnitPriceCents(), equalTo(1250L));
    assertThat(v2.getCurrency(), equalTo("EUR"));
    assertThat(v2.getShippingMethod(), equalTo("express"));
    assertThat(v2.getPromoCode(), is(nullValue()));
  }

  // --------------------------------------------------------------------------------- JSON form

  @Test
  void toJsonWritesOneLineInSchemaOrderWithIsoInstantsAndPlainNulls() {
    OrderEvent order = Samples.orderEvent();
    order.setPromoCode(null);

    assertThat(
        ORDERS.toJson(order),
        equalTo(
            "{\"order_id\":\"o-1\",\"customer_id\":\"c-1\",\"product_id\":\"p-1\",\"quantity\":2,"
                + "\"unit_price_cents\":1250,\"currency\":\"EUR\","
                + "\"event_time\":\"2026-03-01T10:02:30Z\",\"shipping_method\":\"express\","
                + "\"promo_code\":null}"));
  }

  @Test
  void toJsonWritesBytesAsBase64AndNestedRecordsAsObjects() {
    EventCodec<DeadLetter> codec = EventCodec.of(DeadLetter.class);

    assertThat(
        codec.toJson(Samples.deadLetter()),
        equalTo(
            "{\"position\":{\"system\":\"kafka\",\"name\":\"orders\",\"partition\":3,\"offset\":42},"
                + "\"key\":\"by0x\",\"payload\":\"wwEA/w==\",\"payload_null\":false,"
                + "\"payload_truncated\":false,\"payload_size\":null,\"payload_sha256\":null,"
                + "\"step\":\"DecodeOrders\","
                + "\"error_class\":\"dev.kappa.schemas.codec.DecodeException\","
                + "\"error_message\":\"Cannot decode OrderEvent\","
                + "\"stack_trace\":\"at DecodeOrders\\n\\tat Somewhere\","
                + "\"failed_at\":\"2026-03-01T10:03:00.123Z\"}"));
  }

  @Test
  void toJsonLeavesTheBytesBufferPositionAlone() {
    DeadLetter letter = Samples.deadLetter();
    EventCodec.of(DeadLetter.class).toJson(letter);

    assertThat(letter.getPayload().remaining(), equalTo(4));
  }

  @Test
  void timestampsAcceptIsoInstantsWithOffsetsAndEpochMillis() {
    OrderEvent iso = ORDERS.fromJson(V1_JSON);
    OrderEvent offset =
        ORDERS.fromJson(V1_JSON.replace("2026-03-01T10:02:30Z", "2026-03-01T11:02:30+01:00"));
    OrderEvent epoch =
        ORDERS.fromJson(
            V1_JSON.replace(
                "\"2026-03-01T10:02:30Z\"", Long.toString(Samples.EVENT_TIME.toEpochMilli())));

    assertThat(iso.getEventTime(), equalTo(Samples.EVENT_TIME));
    assertThat(offset.getEventTime(), equalTo(Samples.EVENT_TIME));
    assertThat(epoch.getEventTime(), equalTo(Samples.EVENT_TIME));
  }

  @Test
  void timestampDigitsBelowMillisecondsAreDroppedAsTheBinaryFormWould() {
    OrderEvent order = ORDERS.fromJson(V1_JSON.replace("10:02:30Z", "10:02:30.123456789Z"));

    assertThat(order.getEventTime(), equalTo(Instant.parse("2026-03-01T10:02:30.123Z")));
    assertThat(ORDERS.decode(ORDERS.encode(order)), equalTo(order));
  }

  @Test
  void nullableFieldsAcceptNullOrThePlainValue() {
    OrderEvent withNull = ORDERS.fromJson(V1_JSON.replace("}", ",\"promo_code\":null}"));
    OrderEvent withValue = ORDERS.fromJson(V1_JSON.replace("}", ",\"promo_code\":\"SPRING\"}"));

    assertThat(withNull.getPromoCode(), is(nullValue()));
    assertThat(withValue.getPromoCode(), equalTo("SPRING"));
  }

  @Test
  void fromJsonIsDecodeOfUtf8Bytes() {
    String json = V1_JSON.replace("c-1", "c-é");

    assertThat(
        ORDERS.fromJson(json), equalTo(ORDERS.decode(json.getBytes(StandardCharsets.UTF_8))));
    assertThat(ORDERS.fromJson(json).getCustomerId(), equalTo("c-é"));
  }

  @Test
  void trailingNewlineOfAJsonLineIsAccepted() {
    assertThat(ORDERS.fromJson(V1_JSON + "\n").getOrderId(), equalTo("o-1"));
  }

  // ------------------------------------------------------------------------------ JSON errors

  @Test
  void missingFieldWithoutDefaultIsAnErrorNamingTheField() {
    String json = V1_JSON.replace("\"customer_id\":\"c-1\",", "");

    assertThat(
        decodeError(json),
        equalTo(
            "Cannot decode OrderEvent from JSON: field 'customer_id' is missing and has no default"
                + " value; input: "
                + json));
  }

  @Test
  void wrongTypeIsAnErrorNamingTheField() {
    assertThat(
        decodeError(V1_JSON.replace("\"quantity\":2", "\"quantity\":\"three\"")),
        startsWith(
            "Cannot decode OrderEvent from JSON: field 'quantity': expected int, got string"
                + " \"three\"; input: {\"order_id\""));
  }

  @Test
  void unknownFieldIsAnErrorNamingIt() {
    assertThat(
        decodeError(V1_JSON.replace("\"quantity\"", "\"quantiy\"")),
        startsWith(
            "Cannot decode OrderEvent from JSON: unknown field 'quantiy' (OrderEvent has:"
                + " order_id, customer_id, product_id, quantity, unit_price_cents, currency,"
                + " event_time, shipping_method, promo_code); input: "));
  }

  @Test
  void everyUnknownFieldIsNamed() {
    assertThat(
        decodeError(V1_JSON.replace("}", ",\"discount\":1,\"gift\":true}")),
        containsString("unknown fields 'discount', 'gift' (OrderEvent has:"));
  }

  @Test
  void intOutOfRangeIsAnErrorNamingTheField() {
    assertThat(
        decodeError(V1_JSON.replace("\"quantity\":2", "\"quantity\":3000000000")),
        containsString(
            "field 'quantity': expected int, got number 3000000000, which is out of range"));
  }

  @Test
  void fractionForAnIntIsAnError() {
    assertThat(
        decodeError(V1_JSON.replace("\"quantity\":2", "\"quantity\":2.5")),
        containsString("field 'quantity': expected int, got number 2.5;"));
  }

  @Test
  void unparseableTimestampIsAnErrorSayingWhatIsAccepted() {
    assertThat(
        decodeError(V1_JSON.replace("\"2026-03-01T10:02:30Z\"", "\"yesterday\"")),
        containsString(
            "field 'event_time': expected an ISO-8601 instant (e.g. 2026-03-01T10:02:30Z) or epoch"
                + " millis, got string \"yesterday\""));
  }

  @Test
  void nullForARequiredFieldIsAnError() {
    assertThat(
        decodeError(V1_JSON.replace("\"o-1\"", "null")),
        containsString("field 'order_id': expected string, got null"));
  }

  @Test
  void avroWrappedUnionValuesAreRejected() {
    assertThat(
        decodeError(V1_JSON.replace("}", ",\"promo_code\":{\"string\":\"SPRING\"}}")),
        containsString("field 'promo_code': expected null or string, got an object"));
  }

  @Test
  void malformedJsonIsAnErrorWithItsPosition() {
    String message = decodeError("{\"order_id\": \"o-1\",}");

    assertThat(
        message, startsWith("Cannot decode OrderEvent from JSON: malformed JSON at line 1,"));
    assertThat(message, containsString("was expecting double-quote to start field name"));
    assertThat(message, endsWith("; input: {\"order_id\": \"o-1\",}"));
  }

  @Test
  void contentAfterTheObjectIsAnError() {
    assertThat(
        decodeError(V1_JSON + " {}"),
        startsWith("Cannot decode OrderEvent from JSON: malformed JSON at line 1, column"));
  }

  @Test
  void duplicateKeysAreAnError() {
    assertThat(
        decodeError(V1_JSON.replace("}", ",\"quantity\":3}")),
        containsString("Duplicate field 'quantity'"));
  }

  @Test
  void aJsonValueOtherThanAnObjectIsAnError() {
    assertThat(
        decodeError("[1, 2]"),
        equalTo(
            "Cannot decode OrderEvent from JSON: expected an object (OrderEvent), got an array;"
                + " input: [1, 2]"));
    assertThat(
        decodeError("null"),
        equalTo(
            "Cannot decode OrderEvent from JSON: expected an object (OrderEvent), got null; input:"
                + " null"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  \n"})
  void emptyInputIsAnError(String input) {
    assertThat(
        decodeError(input), startsWith("Cannot decode OrderEvent from JSON: the input is empty"));
  }

  @Test
  void nullInputIsAnError() {
    DecodeException e = assertThrows(DecodeException.class, () -> ORDERS.decode(null));

    assertThat(e.getMessage(), equalTo("Cannot decode OrderEvent: the input is null"));
  }

  @Test
  void invalidUtf8IsAnError() {
    byte[] bytes = {'{', '"', 'a', (byte) 0xFF, '"', ':', '1', '}'};

    DecodeException e = assertThrows(DecodeException.class, () -> ORDERS.decode(bytes));

    assertThat(e.getMessage(), containsString("malformed JSON"));
    assertThat(e.getMessage(), containsString("UTF-8"));
  }

  @Test
  void longInputIsShortenedInTheMessage() {
    String json = V1_JSON.replace("\"o-1\"", "\"" + "x".repeat(500) + "\"").replace("2,", "\"2\",");

    String message = decodeError(json);

    assertThat(message, endsWith("... (" + json.length() + " bytes)"));
    assertThat(message.length(), lessThan(400));
    assertThat(message, containsString("field 'quantity': expected int, got string \"2\""));
  }

  @Test
  void controlCharactersInTheExcerptAreEscaped() {
    assertThat(decodeError("\u0001{"), containsString("input: \\u0001{"));
  }

  @Test
  void errorsInNestedRecordsNameThePath() {
    EventCodec<TooLateOrder> codec = EventCodec.of(TooLateOrder.class);
    String json =
        codec.toJson(Samples.tooLateOrder()).replace("\"quantity\":2", "\"quantity\":\"2\"");

    DecodeException e = assertThrows(DecodeException.class, () -> codec.fromJson(json));

    assertThat(
        e.getMessage(),
        startsWith(
            "Cannot decode TooLateOrder from JSON: field 'order.quantity': expected int, got string"
                + " \"2\""));
  }

  @Test
  void unknownFieldsInNestedRecordsNameTheRecord() {
    EventCodec<TooLateOrder> codec = EventCodec.of(TooLateOrder.class);
    String json = codec.toJson(Samples.tooLateOrder()).replace("\"watermark\"", "\"watermarks\"");

    DecodeException e = assertThrows(DecodeException.class, () -> codec.fromJson(json));

    assertThat(
        e.getMessage(),
        containsString("unknown field 'watermarks' in 'missed_window' (MissedWindow has:"));
  }

  // ---------------------------------------------------------------------------- binary errors

  @Test
  void unknownFingerprintIsAnErrorListingTheKnownVersions() {
    byte[] bytes = ORDERS.encode(Samples.orderEvent());
    byte[] forged = Arrays.copyOf(bytes, bytes.length);
    ByteBuffer.wrap(forged, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1234L);

    DecodeException e = assertThrows(DecodeException.class, () -> ORDERS.decode(forged));

    List<SchemaVersion> history = EventType.ORDER_EVENT.history();
    assertThat(
        e.getMessage(),
        startsWith(
            "Cannot decode OrderEvent: unknown writer schema fingerprint 0x0000000000001234;"
                + " known versions: v1 "
                + hex(history.get(0).fingerprint())
                + ", v2 "
                + hex(history.get(1).fingerprint())
                + ", v3 "
                + hex(history.get(2).fingerprint())
                + "; input: c3 01 34 12 00 00 00 00 00 00 "));
  }

  @Test
  void bytesOfAnotherEventTypeHaveAnUnknownFingerprint() {
    byte[] payment = EventCodec.of(Payment.class).encode(Samples.payment());

    DecodeException e = assertThrows(DecodeException.class, () -> ORDERS.decode(payment));

    assertThat(
        e.getMessage(),
        containsString(
            "unknown writer schema fingerprint " + hex(EventType.PAYMENT.latest().fingerprint())));
  }

  @Test
  void aTruncatedHeaderIsAnError() {
    DecodeException e =
        assertThrows(
            DecodeException.class, () -> ORDERS.decode(new byte[] {(byte) 0xC3, 0x01, 0x00}));

    assertThat(
        e.getMessage(),
        equalTo(
            "Cannot decode OrderEvent: Avro single-object header needs 10 bytes, got 3; input: c3"
                + " 01 00"));
  }

  @Test
  void aTruncatedRecordIsAnErrorNamingTheWriterVersion() {
    byte[] bytes = ORDERS.encode(Samples.orderEvent());
    byte[] truncated = Arrays.copyOf(bytes, 20);

    DecodeException e = assertThrows(DecodeException.class, () -> ORDERS.decode(truncated));

    assertThat(
        e.getMessage(),
        startsWith(
            "Cannot decode OrderEvent v3 Avro payload (truncated or corrupt): Decoding datum"
                + " failed (EOFException); input: c3 01 "));
    assertThat(e.getCause(), is(notNullValue()));
  }

  @Test
  void bytesAfterTheRecordAreAnError() {
    byte[] bytes = ORDERS.encode(Samples.orderEvent());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

    DecodeException e = assertThrows(DecodeException.class, () -> ORDERS.decode(longer));

    assertThat(
        e.getMessage(),
        startsWith(
            "Cannot decode OrderEvent v3 Avro payload: 2 unexpected bytes after the record"));
  }

  // ---------------------------------------------------------------------- records that are bad

  @Test
  void encodingARecordThatBreaksItsSchemaIsAnIllegalArgument() {
    OrderEvent order = Samples.orderEvent();
    order.setOrderId(null);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ORDERS.encode(order));

    assertThat(e.getMessage(), startsWith("Cannot encode OrderEvent: "));
    assertThat(e.getMessage(), containsString("order_id"));
  }

  @Test
  void renderingARecordThatBreaksItsSchemaIsAnIllegalArgument() {
    OrderEvent order = Samples.orderEvent();
    order.setOrderId(null);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ORDERS.toJson(order));

    assertThat(
        e.getMessage(),
        equalTo(
            "Cannot convert OrderEvent to JSON: field 'order_id' is null but its type string does"
                + " not allow it"));
  }

  // ------------------------------------------------------------------------ codec construction

  @Test
  void codecSurvivesJavaSerializationAndStillResolvesOldVersions() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
      out.writeObject(ORDERS);
    }
    EventCodec<?> copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
      copy = (EventCodec<?>) in.readObject();
    }

    assertThat(buffer.size(), lessThan(400));
    assertThat(copy.recordClass(), sameInstance(OrderEvent.class));
    assertThat(((OrderEvent) copy.fromJson(V1_JSON)).getShippingMethod(), equalTo("standard"));
    assertThat(copy.decode(ORDERS.encode(Samples.orderEvent())), equalTo(Samples.orderEvent()));
  }

  @Test
  void codecOfAnEventTypeIsTheCodecOfItsClass() {
    EventCodec<?> codec = EventCodec.of(EventType.PAYMENT);

    assertThat(codec.recordClass(), equalTo(Payment.class));
    assertThat(codec.schema(), equalTo(Payment.getClassSchema()));
    assertThat(codec.toString(), equalTo("EventCodec<Payment>"));
  }

  @Test
  void codecOfAnUnregisteredClassKnowsOnlyTheCurrentSchema() {
    EventCodec<ProductRevenue> codec = EventCodec.of(ProductRevenue.class);
    byte[] order = ORDERS.encode(Samples.orderEvent());

    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(order));

    assertThat(
        e.getMessage(),
        containsString(
            "known versions: (current) "
                + hex(SchemaNormalization.parsingFingerprint64(codec.schema()))
                + ";"));
  }

  // ---------------------------------------------------------------------------------- helpers

  private static String decodeError(String json) {
    return assertThrows(DecodeException.class, () -> ORDERS.fromJson(json)).getMessage();
  }

  private static <T extends SpecificRecordBase> T binaryRoundTrip(
      Class<T> type, SpecificRecordBase record) {
    EventCodec<T> codec = EventCodec.of(type);
    return codec.decode(codec.encode(type.cast(record)));
  }

  private static <T extends SpecificRecordBase> T jsonRoundTrip(
      Class<T> type, SpecificRecordBase record) {
    EventCodec<T> codec = EventCodec.of(type);
    return codec.fromJson(codec.toJson(type.cast(record)));
  }

  private static byte[] encodeGeneric(GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), record.getSchema())
        .encode(record, out);
    return out.toByteArray();
  }

  private static String hex(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }

  @Test
  void encodeAsAnOldVersionWritesThatVersionAndDecodesWithDefaults() {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    OrderEvent order = Samples.orderEvent();
    order.setShippingMethod("express");
    order.setPromoCode("SPRING10");

    byte[] v1 = codec.encodeAs(order, 1);

    long fingerprint =
        java.nio.ByteBuffer.wrap(v1, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint, equalTo(EventType.ORDER_EVENT.history().get(0).fingerprint()));
    OrderEvent decoded = codec.decode(v1);
    assertThat(decoded.getOrderId(), equalTo(order.getOrderId()));
    assertThat(decoded.getEventTime(), equalTo(order.getEventTime()));
    assertThat(decoded.getShippingMethod(), equalTo("standard"));
    assertThat(decoded.getPromoCode(), equalTo(null));
  }

  @Test
  void deadLettersAndSourceRecordsWrittenBeforePayloadNullStillDecode() {
    EventCodec<DeadLetter> deadLetters = EventCodec.of(DeadLetter.class);
    DeadLetter deadLetter = Samples.deadLetter();
    deadLetter.setPayloadNull(true);
    deadLetter.setPayloadTruncated(true);
    deadLetter.setPayloadSize(5L);
    deadLetter.setPayloadSha256("ab");

    DeadLetter fromV1 = deadLetters.decode(deadLetters.encodeAs(deadLetter, 1));
    DeadLetter fromV1Json =
        deadLetters.fromJson(
            deadLetters
                .toJson(deadLetter)
                .replaceAll(
                    ",\"payload_null\":true,\"payload_truncated\":true,\"payload_size\":5,"
                        + "\"payload_sha256\":\"ab\"",
                    ""));

    for (DeadLetter old : List.of(fromV1, fromV1Json)) {
      assertThat(old.getPayload(), equalTo(deadLetter.getPayload()));
      assertThat(old.getPosition(), equalTo(deadLetter.getPosition()));
      assertThat(old.getPayloadNull(), is(false));
      assertThat(old.getPayloadTruncated(), is(false));
      assertThat(old.getPayloadSize(), is(nullValue()));
      assertThat(old.getPayloadSha256(), is(nullValue()));
    }
    EventCodec<SourceRecord> records = EventCodec.of(SourceRecord.class);
    SourceRecord record = Samples.sourceRecord();
    record.setPayloadNull(true);
    SourceRecord recordFromV1 = records.decode(records.encodeAs(record, 1));
    assertThat(recordFromV1.getPayload(), equalTo(record.getPayload()));
    assertThat(recordFromV1.getPayloadNull(), is(false));
    assertThat(records.decode(records.encode(record)).getPayloadNull(), is(true));
  }

  @Test
  void encodeAsTheLatestVersionEqualsEncode() {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    OrderEvent order = Samples.orderEvent();

    assertThat(codec.encodeAs(order, 3), equalTo(codec.encode(order)));
  }

  @Test
  void encodeAsAnUnknownVersionNamesTheKnownOnes() {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codec.encodeAs(Samples.orderEvent(), 4));
    assertThat(e.getMessage(), equalTo("OrderEvent has no version 4; known: [1, 2, 3]"));
  }
}
