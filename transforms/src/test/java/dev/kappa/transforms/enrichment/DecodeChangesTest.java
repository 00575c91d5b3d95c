package dev.kappa.transforms.enrichment;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.codec.DecodeException;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.Product;
import dev.kappa.transforms.windowing.DivertImplausibleEventTimes;
import dev.kappa.transforms.windowing.EventTimeBounds;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DecodeChanges} and {@link DebeziumChangeDecoder}: Debezium envelopes of the products table
 * become {@code KV<product_id, Product>} (null: deleted) at their change time; everything else
 * becomes a dead letter that says why.
 */
@ExtendWith(TestPipelineExtension.class)
class DecodeChangesTest {
  private static final long T0 = Instant.parse("2026-03-01T09:00:00Z").getMillis();
  private static final long T1 = Instant.parse("2026-03-01T10:00:00Z").getMillis();
  private static final long T2 = Instant.parse("2026-03-01T10:30:00Z").getMillis();

  private static String row(String id, String category, long updatedAt) {
    return "{\"product_id\":\""
        + id
        + "\",\"name\":\"Atlas\",\"category\":\""
        + category
        + "\",\"price_cents\":1299,\"updated_at\":"
        + updatedAt
        + "}";
  }

  private static String envelope(String op, String before, String after, long sourceMillis) {
    return "{\"before\":"
        + before
        + ",\"after\":"
        + after
        + ",\"op\":\""
        + op
        + "\",\"ts_ms\":"
        + (sourceMillis + 250)
        + ",\"source\":{\"ts_ms\":"
        + sourceMillis
        + ",\"db\":\"shop\",\"table\":\"products\"}}";
  }

  private static Product product(String id, String category, long updatedAt) {
    return Product.newBuilder()
        .setProductId(id)
        .setName("Atlas")
        .setCategory(category)
        .setPriceCents(1299)
        .setUpdatedAt(java.time.Instant.ofEpochMilli(updatedAt))
        .build();
  }

  private static SourceRecord record(long offset, String payload) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("kafka")
                .setName("shop.products")
                .setPartition(0)
                .setOffset(offset)
                .build())
        .setPayload(ByteBuffer.wrap(payload.getBytes(UTF_8)))
        .build();
  }

  private static final DecodeChanges<Product> DECODE =
      DecodeChanges.of(Product.class, "product_id")
          .fromTable("products")
          .withStepName("DecodeProductChanges");

  @Test
  void decodesCreatesUpdatesSnapshotReadsAndDeletesAtTheirChangeTime(TestPipeline p) {
    PCollectionTuple decoded =
        p.apply(
                Create.of(
                        record(1, envelope("r", "null", row("p1", "toys", T0 - 5), T0)),
                        record(2, envelope("c", "null", row("p2", "games", T0), T0)),
                        record(
                            3,
                            envelope("u", row("p1", "toys", T0 - 5), row("p1", "books", T1), T1)),
                        record(4, envelope("d", row("p2", "games", T0), "null", T2)),
                        record(5, ""))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply("DecodeProductChanges", DECODE);
    PCollection<KV<String, Product>> changes = decoded.get(DECODE.changesTag());

    PAssert.that(changes.apply(ParDo.of(new EnrichmentTesting.Describe<>())))
        .containsInAnyOrder(
            KV.of("p1", product("p1", "toys", T0 - 5))
                + " @ 2026-03-01T09:00:00.000Z in GlobalWindow",
            KV.of("p2", product("p2", "games", T0)) + " @ 2026-03-01T09:00:00.000Z in GlobalWindow",
            KV.of("p1", product("p1", "books", T1)) + " @ 2026-03-01T10:00:00.000Z in GlobalWindow",
            "KV{p2, null} @ 2026-03-01T10:30:00.000Z in GlobalWindow");
    PAssert.that(decoded.get(DECODE.deadLetterTag())).empty();
    assertThat(
        changes.getCoder(),
        equalTo(
            KvCoder.of(
                StringUtf8Coder.of(), NullableCoder.of(SpecificRecordCoder.of(Product.class)))));
    PipelineResult result = p.run();

    assertThat(
        EnrichmentTesting.counter(result, DecodeChanges.class, "kafkaTombstones"), equalTo(1L));
  }

  @Test
  void everyMalformedChangeBecomesADeadLetterSayingWhy(TestPipeline p) {
    PCollection<DeadLetter> deadLetters =
        p.apply(
                Create.of(
                        record(1, "{\"op\":\"c\",\"after\":"),
                        record(2, "[1,2]"),
                        record(3, "{\"after\":" + row("p1", "toys", T0) + ",\"ts_ms\":1}"),
                        record(4, envelope("t", "null", "null", T1)),
                        record(5, envelope("x", "null", "null", T1)),
                        record(6, envelope("c", "null", "null", T1)),
                        record(7, envelope("d", "null", "null", T1)),
                        record(8, envelope("c", "null", "{\"product_id\":\"p1\",\"sku\":1}", T1)),
                        record(9, "{\"op\":\"c\",\"after\":" + row("p1", "toys", T0) + "}"),
                        record(
                            10,
                            envelope("c", "null", row("p1", "toys", T0), T0)
                                .replace("\"products\"", "\"customers\"")))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply("DecodeProductChanges", DECODE)
            .get(DECODE.deadLetterTag());

    PAssert.that(
            deadLetters.apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        letter ->
                            letter.getPosition().getOffset()
                                + " "
                                + letter.getStep()
                                + ": "
                                + letter
                                    .getErrorMessage()
                                    .replaceFirst(
                                        "Cannot decode a Debezium change of Product: ", "")
                                    .replaceFirst("; input: .*", ""))))
        .containsInAnyOrder(
            "1 DecodeProductChanges: malformed JSON: Unexpected end-of-input within/between Object"
                + " entries",
            "2 DecodeProductChanges: expected a JSON object",
            "3 DecodeProductChanges: expected a change of table 'products', got no source.table",
            "4 DecodeProductChanges: a truncate ('t') deletes every row and names no key;"
                + " re-snapshot the table instead",
            "5 DecodeProductChanges: unknown op 'x' (expected c, u, r or d)",
            "6 DecodeProductChanges: op 'c' needs an 'after' row object",
            "7 DecodeProductChanges: op 'd' needs a 'before' row object with the key",
            "8 DecodeProductChanges: 'after' is not a valid row: Cannot decode Product from JSON:"
                + " unknown field 'sku' (Product has: product_id, name, category, price_cents,"
                + " updated_at)",
            "9 DecodeProductChanges: expected a change of table 'products', got no source.table",
            "10 DecodeProductChanges: expected a change of table 'products', got source.table"
                + " \"customers\"");
    p.run();
  }

  /**
   * What a launcher decodes itself ({@link DecodeChanges#decodeNow}) equals what the steps a job
   * applies give: a source stamping checked change times, the event-time check, this transform.
   * Good changes, an update and a delete at the same key, a tombstone, malformed records, a change
   * of another table and one whose change time is before the floor.
   */
  @Test
  void decodingAtLaunchGivesWhatTheStepsGive(TestPipeline p) {
    EventTimeBounds bounds = EventTimeBounds.create();
    long beforeFloor = Instant.parse("1999-12-31T00:00:00Z").getMillis();
    List<SourceRecord> records =
        List.of(
            record(1, envelope("r", "null", row("p1", "toys", T0 - 5), T0)),
            record(2, envelope("c", "null", row("p2", "games", T0), T0)),
            record(3, envelope("u", row("p1", "toys", T0 - 5), row("p1", "books", T1), T1)),
            record(4, envelope("d", row("p2", "games", T0), "null", T2)),
            record(5, ""),
            record(6, "{\"op\":\"c\",\"after\":"),
            record(7, envelope("c", "null", row("p3", "toys", T0), beforeFloor)),
            record(
                8,
                envelope("c", "null", row("p4", "toys", T0), T0)
                    .replace("\"products\"", "\"customers\"")));

    DecodeChanges.Decoded<Product> now = DECODE.decodeNow(records, bounds, "CheckChanges");

    SerializableFunction<SourceRecord, Instant> stamp = bounds.checking(DECODE.changeTime());
    List<TimestampedValue<SourceRecord>> stamped = new ArrayList<>();
    for (SourceRecord record : records) {
      Instant time;
      try {
        time = stamp.apply(record);
      } catch (RuntimeException noEventTime) {
        time = BoundedWindow.TIMESTAMP_MIN_VALUE;
      }
      stamped.add(TimestampedValue.of(record, time));
    }
    DivertImplausibleEventTimes check =
        DivertImplausibleEventTimes.of(DECODE.changeTime(), bounds).withStepName("CheckChanges");
    PCollectionTuple checked =
        p.apply(Create.timestamped(stamped).withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply("CheckChanges", check);
    PCollectionTuple decoded =
        checked.get(check.recordsTag()).apply("DecodeProductChanges", DECODE);

    PAssert.that(
            decoded
                .get(DECODE.changesTag())
                .apply("DescribeChanges", ParDo.of(new EnrichmentTesting.Describe<>())))
        .containsInAnyOrder(
            now.changes().stream()
                .map(
                    change ->
                        change.getValue() + " @ " + change.getTimestamp() + " in GlobalWindow")
                .toList());
    PAssert.that(
            PCollectionList.of(checked.get(check.deadLetterTag()))
                .and(decoded.get(DECODE.deadLetterTag()))
                .apply(Flatten.pCollections())
                .apply(
                    "DescribeDeadLetters",
                    MapElements.into(TypeDescriptors.strings()).via(DecodeChangesTest::describe)))
        .containsInAnyOrder(now.deadLetters().stream().map(DecodeChangesTest::describe).toList());
    p.run();

    assertThat(now.changes().size(), equalTo(4));
    assertThat(
        now.deadLetters().stream().map(DecodeChangesTest::where).sorted().toList(),
        equalTo(List.of("6 DecodeProductChanges", "7 CheckChanges", "8 DecodeProductChanges")));
  }

  /** A dead letter's offset, step and error, but not when it failed. */
  private static String describe(DeadLetter letter) {
    return where(letter) + ": " + letter.getErrorClass() + ": " + letter.getErrorMessage();
  }

  private static String where(DeadLetter letter) {
    return letter.getPosition().getOffset() + " " + letter.getStep();
  }

  @Test
  void withoutATableTheChangeTimeFallsBackToTheEnvelopes() {
    DebeziumChangeDecoder<Product> decoder =
        DecodeChanges.of(Product.class, "product_id").decoder();
    SourceRecord noSourceTime =
        record(1, "{\"op\":\"c\",\"after\":" + row("p1", "toys", T0) + ",\"ts_ms\":" + T1 + "}");
    SourceRecord noTime = record(2, "{\"op\":\"c\",\"after\":" + row("p1", "toys", T0) + "}");

    assertThat(decoder.changeTime(noSourceTime), equalTo(new Instant(T1)));
    assertThat(decoder.decode(noSourceTime), equalTo(KV.of("p1", product("p1", "toys", T0))));
    assertThat(
        assertThrows(DecodeException.class, () -> decoder.changeTime(noTime)).getMessage(),
        containsString("no change time: neither source.ts_ms nor ts_ms is an integer"));
  }

  /**
   * In stream order, each change carries its place in the change stream: {@code source.lsn} when it
   * has one (a delete too, whose row is null), else the record's offset; a record with neither
   * cannot be ordered and fails.
   */
  @Test
  void inStreamOrderAChangeCarriesItsLsnElseItsOffset() {
    DebeziumChangeDecoder<Product> decoder = DECODE.decoder();
    String withLsn =
        envelope("u", "null", row("p1", "books", T1), T1)
            .replace("\"table\":\"products\"}", "\"table\":\"products\",\"lsn\":4711}");
    String deleteWithLsn =
        envelope("d", row("p1", "books", T1), "null", T1)
            .replace("\"table\":\"products\"}", "\"table\":\"products\",\"lsn\":4695}");
    String noLsn = envelope("u", "null", row("p1", "toys", T1), T1);
    SourceRecord noPosition =
        SourceRecord.newBuilder()
            .setPosition(SourcePosition.newBuilder().setSystem("test").setName("t").build())
            .setPayload(ByteBuffer.wrap(noLsn.getBytes(UTF_8)))
            .build();

    assertThat(
        decoder.decodeChangeInStreamOrder(record(3, withLsn)),
        equalTo(
            TimestampedValue.of(
                KV.of("p1", KV.of(4711L, product("p1", "books", T1))), new Instant(T1))));
    assertThat(
        decoder.decodeChangeInStreamOrder(record(2, deleteWithLsn)).getValue(),
        equalTo(KV.of("p1", KV.<Long, Product>of(4695L, null))));
    assertThat(
        decoder.decodeChangeInStreamOrder(record(9, noLsn)).getValue(),
        equalTo(KV.of("p1", KV.of(9L, product("p1", "toys", T1)))));
    assertThat(
        assertThrows(DecodeException.class, () -> decoder.decodeChangeInStreamOrder(noPosition))
            .getMessage(),
        containsString("no position in the change stream"));
  }

  @Test
  void aConnectEnvelopeWithItsSchemaIsUnwrapped() {
    DebeziumChangeDecoder<Product> decoder = DECODE.decoder();
    String wrapped =
        "{\"schema\":{\"type\":\"struct\"},\"payload\":"
            + envelope("u", "null", row("p1", "books", T1), T1)
            + "}";

    assertThat(
        decoder.decodeChange(record(1, wrapped)).getValue(),
        equalTo(KV.of("p1", product("p1", "books", T1))));
  }

  @Test
  void theValidFromFieldReplacesTheCommitTimeExceptForDeletes() {
    DebeziumChangeDecoder<Product> decoder = DECODE.withValidFromField("updated_at").decoder();

    assertThat(
        decoder.changeTime(record(1, envelope("r", "null", row("p1", "toys", T0 - 5), T1))),
        equalTo(new Instant(T0 - 5)));
    assertThat(
        decoder.changeTime(record(2, envelope("d", row("p1", "toys", T0), "null", T2))),
        equalTo(new Instant(T2)));
    assertThat(
        decoder.decode(record(2, envelope("d", row("p1", "toys", T0), "null", T2))).getValue(),
        nullValue());
  }

  @Test
  void sourcesGetTheSameChangeTime() {
    SourceRecord update = record(1, envelope("u", "null", row("p1", "books", T1), T1 + 7));

    assertThat(DECODE.changeTime().apply(update), equalTo(new Instant(T1 + 7)));
  }

  @Test
  void namesEachBadField() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> DecodeChanges.of(Product.class, "sku"))
            .getMessage(),
        equalTo("Product has no key field 'sku'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> DecodeChanges.of(Product.class, "price_cents"))
            .getMessage(),
        containsString("the key field 'price_cents' of Product must be a string"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> DECODE.withValidFromField("name"))
            .getMessage(),
        containsString("the valid-from field 'name' of Product must be a timestamp-millis"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> DECODE.fromTable(" ")).getMessage(),
        equalTo("table must not be blank, was  "));
  }

  /**
   * The whole path: Debezium records of the products table decoded into a changelog that a temporal
   * join of orders reads. The order at 10:15 sees the update of 10:00; the one at 10:45 sees the
   * delete of 10:30.
   */
  @Test
  void decodedChangesFeedATemporalJoin(TestPipeline p) {
    PCollection<KV<String, Product>> productChanges =
        p.apply(
                "ProductRecords",
                Create.of(
                        record(1, envelope("r", "null", row("p1", "toys", T0), T0)),
                        record(2, envelope("u", "null", row("p1", "books", T1), T1)),
                        record(3, envelope("d", row("p1", "books", T1), "null", T2)))
                    .withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply("DecodeProductChanges", DECODE)
            .get(DECODE.changesTag());
    PCollection<KV<String, String>> orders =
        p.apply(
                "Orders",
                Create.of(KV.of("p1", "o1"), KV.of("p1", "o2"))
                    .withCoder(EnrichmentTesting.EVENT_CODER))
            .apply(
                "OrderTimes",
                WithTimestamps.of(
                    order ->
                        order.getValue().equals("o1")
                            ? new Instant(T1).plus(org.joda.time.Duration.standardMinutes(15))
                            : new Instant(T2).plus(org.joda.time.Duration.standardMinutes(15))));
    EnrichAsOfEventTime<String, String, Product> enrich =
        EnrichAsOfEventTime.against(productChanges);
    PCollectionTuple out = orders.apply("EnrichWithProduct", enrich);

    PAssert.that(
            out.get(enrich.enrichedTag())
                .apply(
                    "Categories",
                    MapElements.into(TypeDescriptors.strings())
                        .via(kv -> kv.getKey() + " " + kv.getValue().getCategory())))
        .containsInAnyOrder(List.of("o1 books"));
    PAssert.that(out.get(enrich.notFoundTag())).containsInAnyOrder(KV.of("p1", "o2"));
    p.run();
  }
}
