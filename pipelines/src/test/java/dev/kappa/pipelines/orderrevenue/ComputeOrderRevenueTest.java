package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.kappa.pipelines.job.TableJoin;
import dev.kappa.schemas.EventType;
import dev.kappa.schemas.SchemaVersion;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.transforms.enrichment.MissingKeyPolicy;
import dev.kappa.transforms.windowing.WindowSpec;
import dev.kappa.transforms.windowing.Windowing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OrderRevenue's logic on the Direct runner, time driven by TestStream: one test per lateness case,
 * asserting the panes, the too-late output and the dead letters.
 */
@ExtendWith(TestPipelineExtension.class)
class ComputeOrderRevenueTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final IntervalWindow W0 = new IntervalWindow(T0, Duration.standardMinutes(5));

  /** OrderRevenue's defaults. */
  private static final Windowing WINDOWING =
      Windowing.of(WindowSpec.fixed(Duration.standardMinutes(5)))
          .withEarlyFiringsEvery(Duration.standardSeconds(30))
          .withLateFiringsEvery(1)
          .withAllowedLateness(Duration.standardHours(1))
          .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES);

  private static int offset;

  private static Instant at(int minutes, int seconds) {
    return T0.plus(Duration.standardMinutes(minutes)).plus(Duration.standardSeconds(seconds));
  }

  private static SourceRecord record(byte[] payload) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("test")
                .setName("orders")
                .setOffset((long) ++offset)
                .build())
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }

  /** A JSON record stamped as the sources stamp them: with its event time, or T0 if it has none. */
  private static TimestampedValue<SourceRecord> json(String json, Instant eventTime) {
    return TimestampedValue.of(record(json.getBytes(StandardCharsets.UTF_8)), eventTime);
  }

  private static TimestampedValue<SourceRecord> order(
      String id, int quantity, long priceCents, Instant eventTime) {
    return json(orderJson(id, quantity, priceCents, eventTime), eventTime);
  }

  private static String orderJson(String id, int quantity, long priceCents, Instant eventTime) {
    return String.format(
        "{\"order_id\":\"%s\",\"customer_id\":\"C-1\",\"product_id\":\"P-1\",\"quantity\":%d,"
            + "\"unit_price_cents\":%d,\"event_time\":\"%s\"}",
        id, quantity, priceCents, eventTime);
  }

  /** Avro single-object bytes written with an old version of the OrderEvent schema. */
  private static byte[] avro(int version, String id, int quantity, long price, Instant time) {
    Schema schema =
        EventType.ORDER_EVENT.history().stream()
            .filter(v -> v.version() == version)
            .map(SchemaVersion::schema)
            .findFirst()
            .orElseThrow();
    GenericRecordBuilder builder =
        new GenericRecordBuilder(schema)
            .set("order_id", id)
            .set("customer_id", "C-1")
            .set("product_id", "P-1")
            .set("quantity", quantity)
            .set("unit_price_cents", price)
            .set("currency", "USD")
            .set("event_time", time.getMillis());
    if (version >= 2) {
      builder.set("shipping_method", "express");
    }
    try {
      GenericRecord record = builder.build();
      return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
          .encode(record)
          .array();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static CategoryRevenue revenue(
      IntervalWindow window, long orders, long cents, String timing, long index, boolean last) {
    return revenue("tools", window, orders, cents, timing, index, last);
  }

  private static CategoryRevenue revenue(
      String category,
      IntervalWindow window,
      long orders,
      long cents,
      String timing,
      long index,
      boolean last) {
    return CategoryRevenue.newBuilder()
        .setCategory(category)
        .setCurrency("USD")
        .setWindowStart(java.time.Instant.ofEpochMilli(window.start().getMillis()))
        .setWindowEnd(java.time.Instant.ofEpochMilli(window.end().getMillis()))
        .setOrderCount(orders)
        .setRevenueCents(cents)
        .setPaneTiming(timing)
        .setPaneIndex(index)
        .setFinalPane(last)
        .build();
  }

  private static TestStream.Builder<SourceRecord> stream() {
    return TestStream.create(SpecificRecordCoder.of(SourceRecord.class)).advanceWatermarkTo(T0);
  }

  private static final Instant YESTERDAY = T0.minus(Duration.standardDays(1));

  private static Product product(String category, Instant validFrom) {
    return Product.newBuilder()
        .setProductId("P-1")
        .setName("Spade")
        .setCategory(category)
        .setPriceCents(1_000)
        .setUpdatedAt(java.time.Instant.ofEpochMilli(validFrom.getMillis()))
        .build();
  }

  /** Product P-1's change stream in most tests: in 'tools' since yesterday. */
  private static final List<TimestampedValue<KV<String, Product>>> TOOLS_SINCE_YESTERDAY =
      List.of(TimestampedValue.of(KV.of("P-1", product("tools", YESTERDAY)), YESTERDAY));

  private static PCollectionTuple compute(TestPipeline p, TestStream<SourceRecord> events) {
    return compute(p, events, TOOLS_SINCE_YESTERDAY);
  }

  private static PCollectionTuple compute(
      TestPipeline p,
      TestStream<SourceRecord> events,
      List<TimestampedValue<KV<String, Product>>> productChanges) {
    PCollection<KV<String, Product>> products =
        p.apply(
            "ProductChanges",
            Create.timestamped(productChanges)
                .withCoder(
                    KvCoder.of(
                        StringUtf8Coder.of(),
                        NullableCoder.of(SpecificRecordCoder.of(Product.class)))));
    // No customer is known: orders pass through without a tier.
    PCollection<KV<String, Customer>> customers =
        p.apply(
            "CustomerChanges",
            Create.empty(
                KvCoder.of(
                    StringUtf8Coder.of(),
                    NullableCoder.of(SpecificRecordCoder.of(Customer.class)))));
    EnrichOrders enrich =
        EnrichOrders.with(
            TableJoin.asOfEventTime(products, MissingKeyPolicy.passThrough()),
            TableJoin.asOfEventTime(customers, MissingKeyPolicy.passThrough()));
    return p.apply(events)
        .apply("ComputeOrderRevenue", ComputeOrderRevenue.with(WINDOWING, enrich));
  }

  @Test
  void onTimePaneCountsOrdersOfEverySchemaVersion(TestPipeline p) {
    TestStream<SourceRecord> events =
        stream()
            .addElements(
                TimestampedValue.of(record(avro(1, "O-1", 2, 1_000, at(1, 0))), at(1, 0)),
                TimestampedValue.of(record(avro(2, "O-2", 1, 500, at(2, 0))), at(2, 0)),
                order("O-3", 3, 100, at(3, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .inOnTimePane(W0)
        // The watermark jumps past the window's expiry: the on-time pane is also the last.
        .containsInAnyOrder(revenue(W0, 3, 2_800, "ON_TIME", 0, true));
    PAssert.that(out.get(ComputeOrderRevenue.tooLateTag())).empty();
    PAssert.that(out.get(ComputeOrderRevenue.deadLettersTag())).empty();
    p.run();
  }

  @Test
  void earlyPaneIsSpeculativeAndOnTimePaneCompletesIt(TestPipeline p) {
    TestStream<SourceRecord> events =
        stream()
            .addElements(order("O-1", 1, 1_000, at(0, 10)))
            // The temporal join releases an order once the watermark has passed its time.
            .advanceWatermarkTo(at(1, 0))
            .advanceProcessingTime(Duration.standardSeconds(31))
            .addElements(order("O-2", 1, 2_000, at(4, 0)))
            .advanceWatermarkTo(at(5, 0))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    PCollection<CategoryRevenue> results = out.get(ComputeOrderRevenue.resultsTag());
    PAssert.that(results)
        .inEarlyPane(W0)
        .containsInAnyOrder(revenue(W0, 1, 1_000, "EARLY", 0, false));
    PAssert.that(results)
        .inOnTimePane(W0)
        .containsInAnyOrder(revenue(W0, 2, 3_000, "ON_TIME", 1, false));
    p.run();
  }

  @Test
  void lateOrderWithinAllowedLatenessUpdatesTheWindow(TestPipeline p) {
    TestStream<SourceRecord> events =
        stream()
            .addElements(order("O-1", 1, 1_000, at(1, 0)))
            .advanceWatermarkTo(at(20, 0))
            .addElements(order("O-2", 2, 1_000, at(2, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    PCollection<CategoryRevenue> results = out.get(ComputeOrderRevenue.resultsTag());
    PAssert.that(results)
        .inOnTimePane(W0)
        .containsInAnyOrder(revenue(W0, 1, 1_000, "ON_TIME", 0, false));
    // Accumulating: the late pane is the whole window so far; the window closes (FIRE_ALWAYS)
    // with a final pane that repeats it.
    PAssert.that(results)
        .inWindow(W0)
        .containsInAnyOrder(
            revenue(W0, 1, 1_000, "ON_TIME", 0, false),
            revenue(W0, 2, 3_000, "LATE", 1, false),
            revenue(W0, 2, 3_000, "LATE", 2, true));
    PAssert.that(out.get(ComputeOrderRevenue.tooLateTag())).empty();
    p.run();
  }

  @Test
  void orderLaterThanAllowedLatenessIsDivertedNotCounted(TestPipeline p) {
    TestStream<SourceRecord> events =
        stream()
            .addElements(order("O-1", 1, 1_000, at(1, 0)))
            .advanceWatermarkTo(at(6, 0))
            // Past the window's end plus one hour of allowed lateness: the window closes.
            .advanceWatermarkTo(at(70, 0))
            .addElements(order("O-2", 5, 9_999, at(2, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .inFinalPane(W0)
        .containsInAnyOrder(revenue(W0, 1, 1_000, "LATE", 1, true));
    PAssert.that(out.get(ComputeOrderRevenue.tooLateTag()))
        .satisfies(
            tooLate -> {
              List<TooLateOrder> all = StreamSupport.stream(tooLate.spliterator(), false).toList();
              assertThat(all.size(), is(1));
              assertThat(all.get(0).getOrder().getOrderId(), equalTo("O-2"));
              MissedWindow missed = all.get(0).getMissedWindow();
              assertThat(
                  missed.getWindowStart(),
                  equalTo(java.time.Instant.parse("2026-03-01T10:00:00Z")));
              assertThat(
                  missed.getWindowEnd(), equalTo(java.time.Instant.parse("2026-03-01T10:05:00Z")));
              assertThat(
                  missed.getWatermark(), equalTo(java.time.Instant.parse("2026-03-01T11:10:00Z")));
              // 11:10:00 - (10:04:59.999 + 1h)
              assertThat(
                  missed.getLateByMillis(), equalTo(Duration.standardMinutes(5).getMillis() + 1));
              return null;
            });
    p.run();
  }

  @Test
  void badRecordsBecomeDeadLettersWithTheirBytesAndPosition(TestPipeline p) {
    String truncated = "{\"order_id\":\"O-9\",\"customer_id\":";
    TestStream<SourceRecord> events =
        stream()
            .addElements(
                json(truncated, T0),
                order("O-8", 0, 1_000, at(1, 0)),
                order("O-1", 1, 1_000, at(1, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .inOnTimePane(W0)
        .containsInAnyOrder(revenue(W0, 1, 1_000, "ON_TIME", 0, true));
    PAssert.that(out.get(ComputeOrderRevenue.deadLettersTag()))
        .satisfies(
            deadLetters -> {
              List<DeadLetter> all =
                  StreamSupport.stream(deadLetters.spliterator(), false)
                      .sorted(
                          (a, b) ->
                              a.getPosition().getOffset().compareTo(b.getPosition().getOffset()))
                      .toList();
              assertThat(all.size(), is(2));
              DeadLetter malformed = all.get(0);
              assertThat(
                  StandardCharsets.UTF_8.decode(malformed.getPayload().duplicate()).toString(),
                  equalTo(truncated));
              assertThat(malformed.getStep(), equalTo("DecodeOrders"));
              assertThat(malformed.getPosition().getName(), equalTo("orders"));
              assertThat(malformed.getErrorMessage(), containsString("malformed JSON"));
              DeadLetter invalid = all.get(1);
              assertThat(invalid.getErrorMessage(), containsString("quantity must be > 0"));
              assertThat(invalid.getStackTrace(), containsString("OrderDecoder"));
              return null;
            });
    p.run();
  }

  @Test
  void ordersCountUnderTheCategoryValidAtTheirEventTime(TestPipeline p) {
    List<TimestampedValue<KV<String, Product>>> changes =
        List.of(
            TimestampedValue.of(KV.of("P-1", product("tools", YESTERDAY)), YESTERDAY),
            TimestampedValue.of(KV.of("P-1", product("garden", at(2, 0))), at(2, 0)));
    TestStream<SourceRecord> events =
        stream()
            .addElements(
                order("O-1", 1, 1_000, at(1, 0)),
                order("O-2", 2, 1_000, at(2, 0)),
                order("O-3", 3, 1_000, at(3, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events, changes);

    // 10:02 is the change's own time: that order already sees the new version.
    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .inOnTimePane(W0)
        .containsInAnyOrder(
            revenue("tools", W0, 1, 1_000, "ON_TIME", 0, true),
            revenue("garden", W0, 2, 5_000, "ON_TIME", 0, true));
    PAssert.that(out.get(ComputeOrderRevenue.enrichedTag()))
        .satisfies(
            enriched -> {
              Map<String, String> categories = new TreeMap<>();
              for (EnrichedOrder order : enriched) {
                categories.put(order.getOrder().getOrderId(), order.getCategory());
                assertThat(order.getCustomerTier(), is(nullValue()));
              }
              assertThat(
                  categories, equalTo(Map.of("O-1", "tools", "O-2", "garden", "O-3", "garden")));
              return null;
            });
    p.run();
  }

  @Test
  void ordersOfAnUnknownProductCountUnderUnknown(TestPipeline p) {
    TestStream<SourceRecord> events =
        stream().addElements(order("O-1", 1, 1_000, at(1, 0))).advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events, List.of());

    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .inOnTimePane(W0)
        .containsInAnyOrder(revenue("unknown", W0, 1, 1_000, "ON_TIME", 0, true));
    PAssert.that(out.get(ComputeOrderRevenue.deadLettersTag())).empty();
    p.run();
  }

  @Test
  void twoValidOrdersWhoseWindowTotalOverflowsALongAreOneDeadLetterNamingWindowAndKey(
      TestPipeline p) {
    // 2^62 cents each: valid orders (quantity > 0, price >= 0) whose sum, 2^63, is one past
    // Long.MAX_VALUE. Before totals were exact, this crashed the job in OrderTotals.plus.
    long twoToThe62 = 1L << 62;
    IntervalWindow w1 = new IntervalWindow(W0.end(), Duration.standardMinutes(5));
    TestStream<SourceRecord> events =
        stream()
            .addElements(
                order("O-1", 1, twoToThe62, at(1, 0)),
                order("O-2", 1, twoToThe62, at(2, 0)),
                order("O-3", 3, 100, at(6, 0)))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    String exactTotal = java.math.BigInteger.TWO.pow(63).toString();
    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .containsInAnyOrder(revenue(w1, 1, 300, "ON_TIME", 0, true));
    PAssert.that(out.get(ComputeOrderRevenue.deadLettersTag()))
        .satisfies(
            deadLetters -> {
              List<DeadLetter> all =
                  StreamSupport.stream(deadLetters.spliterator(), false).toList();
              // One dead letter per pane whose total overflows: the on-time pane, and on a slow
              // run an early pane that already holds both orders.
              assertThat(all.toString(), all.size(), is(greaterThanOrEqualTo(1)));
              for (DeadLetter overflow : all) {
                assertThat(overflow.getStep(), equalTo("FormatResults"));
                assertThat(
                    overflow.getErrorClass(),
                    equalTo(ComputeOrderRevenue.TotalTooLargeException.class.getName()));
                assertThat(overflow.getErrorMessage(), containsString(exactTotal));
                assertThat(overflow.getErrorMessage(), containsString("2 orders"));
                assertThat(overflow.getPosition().getSystem(), equalTo("window"));
                assertThat(
                    overflow.getPosition().getName(),
                    equalTo("tools USD [2026-03-01T10:00:00Z, 2026-03-01T10:05:00Z)"));
                assertThat(
                    StandardCharsets.UTF_8.decode(overflow.getKey().duplicate()).toString(),
                    equalTo("tools|USD|2026-03-01T10:00:00Z"));
                String payload =
                    StandardCharsets.UTF_8.decode(overflow.getPayload().duplicate()).toString();
                assertThat(payload, containsString("\"revenue_cents\":\"" + exactTotal + "\""));
                assertThat(payload, containsString("\"order_count\":2"));
              }
              return null;
            });
    // Both orders are still enriched and counted in the output of every order.
    PAssert.that(out.get(ComputeOrderRevenue.enrichedTag()))
        .satisfies(
            enriched -> {
              assertThat(
                  StreamSupport.stream(enriched.spliterator(), false)
                      .map(order -> order.getOrder().getOrderId())
                      .sorted()
                      .toList(),
                  equalTo(List.of("O-1", "O-2", "O-3")));
              return null;
            });
    p.run();
  }

  @Test
  void anEarlyPaneThatFitsIsAResultAndTheOnTimePaneThatOverflowsIsADeadLetter(TestPipeline p) {
    // (A single order whose quantity * price overflows is invalid, a DecodeOrders dead letter.)
    long twoToThe62 = 1L << 62;
    TestStream<SourceRecord> events =
        stream()
            .addElements(order("O-1", 1, twoToThe62, at(0, 10)))
            // As in earlyPaneIsSpeculativeAndOnTimePaneCompletesIt: an early pane with O-1 alone.
            .advanceWatermarkTo(at(1, 0))
            .advanceProcessingTime(Duration.standardSeconds(31))
            .addElements(order("O-2", 1, twoToThe62, at(4, 0)))
            .advanceWatermarkTo(at(5, 0))
            .advanceWatermarkToInfinity();

    PCollectionTuple out = compute(p, events);

    PAssert.that(out.get(ComputeOrderRevenue.resultsTag()))
        .containsInAnyOrder(revenue(W0, 1, twoToThe62, "EARLY", 0, false));
    PAssert.that(out.get(ComputeOrderRevenue.deadLettersTag()))
        .satisfies(
            deadLetters -> {
              List<DeadLetter> all =
                  StreamSupport.stream(deadLetters.spliterator(), false).toList();
              assertThat(
                  all.stream().map(d -> d.getErrorMessage()).toList().toString(),
                  all.size(),
                  // One per pane that overflows: the on-time pane, and the final pane the window
                  // emits when it closes (as in earlyPaneIsSpeculativeAndOnTimePaneCompletesIt).
                  is(2));
              for (DeadLetter pane : all) {
                assertThat(pane.getStep(), equalTo("FormatResults"));
                assertThat(
                    pane.getPosition().getName(),
                    equalTo("tools USD [2026-03-01T10:00:00Z, 2026-03-01T10:05:00Z)"));
                assertThat(
                    pane.getErrorMessage(),
                    containsString(java.math.BigInteger.TWO.pow(63) + " cents over 2 orders"));
              }
              return null;
            });
    p.run();
  }
}
