package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.TableJoin;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.transforms.enrichment.DecodeChanges;
import dev.kappa.transforms.enrichment.MissingKeyPolicy;
import dev.kappa.transforms.windowing.WindowSpec;
import dev.kappa.transforms.windowing.Windowing;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A products change whose change time goes backwards, through OrderRevenue's own steps ({@code
 * DecodeProductChanges}, {@code ComputeOrderRevenue}) on the Direct runner: streamed, the change
 * arrives after the orders it concerns were counted and is reported as corrections; bounded, the
 * same records give the corrected answer at once. The stream's enriched orders with its corrections
 * applied, and its final revenue reconciled with them as docs/pipelines/order-revenue.md says,
 * equal the bounded run's.
 *
 * <p>Orders and change events share one TestStream (so the changelog's watermark is the orders'),
 * each a {@link SourceRecord} as the sources give them, split by the position's name.
 */
class LateTableChangesTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant YESTERDAY = T0.minus(Duration.standardDays(1));

  private static final Windowing WINDOWING =
      Windowing.of(WindowSpec.fixed(Duration.standardMinutes(5)))
          .withLateFiringsEvery(1)
          .withAllowedLateness(Duration.standardHours(1))
          .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES);

  private static Instant at(int minutes) {
    return T0.plus(Duration.standardMinutes(minutes));
  }

  private static int offset;

  private static SourceRecord record(String name, String json) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("test")
                .setName(name)
                .setOffset((long) ++offset)
                .build())
        .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static TimestampedValue<SourceRecord> order(
      String id, String product, int quantity, Instant time) {
    return TimestampedValue.of(
        record(
            "orders",
            String.format(
                "{\"order_id\":\"%s\",\"customer_id\":\"C-1\",\"product_id\":\"%s\",\"quantity\":%d,"
                    + "\"unit_price_cents\":1000,\"event_time\":\"%s\"}",
                id, product, quantity, time)),
        time);
  }

  /** A Debezium update of the products table, stamped with its change time as the source does. */
  private static TimestampedValue<SourceRecord> product(
      String id, String category, Instant changedAt) {
    return TimestampedValue.of(
        record(
            "products",
            String.format(
                "{\"before\":null,\"after\":{\"product_id\":\"%s\",\"name\":\"Spade\","
                    + "\"category\":\"%s\",\"price_cents\":1000,\"updated_at\":\"%s\"},"
                    + "\"source\":{\"table\":\"products\",\"ts_ms\":%d},\"op\":\"u\",\"ts_ms\":%d}",
                id, category, changedAt, changedAt.getMillis(), changedAt.getMillis())),
        changedAt);
  }

  /**
   * P-1 is tools and P-2 is toys from yesterday. Orders at 10:01, 10:03 and 10:06 of P-1 and one at
   * 10:04 of P-2 are counted while the watermark passes 10:08; then P-1's move to garden from 10:02
   * arrives (its change time behind the watermark: late), followed by an order at 10:09.
   */
  private static final List<TimestampedValue<SourceRecord>> BEFORE_THE_LATE_CHANGE =
      List.of(
          product("P-1", "tools", YESTERDAY),
          product("P-2", "toys", YESTERDAY),
          order("O-1", "P-1", 1, at(1)),
          order("O-2", "P-1", 2, at(3)),
          order("O-3", "P-1", 3, at(6)),
          order("O-4", "P-2", 4, at(4)));

  private static final List<TimestampedValue<SourceRecord>> FROM_THE_LATE_CHANGE =
      List.of(product("P-1", "garden", at(2)), order("O-5", "P-1", 5, at(9)));

  @Test
  void theStreamWithItsCorrectionsAppliedEqualsTheBoundedRun() {
    TestStream.Builder<SourceRecord> script =
        TestStream.create(SpecificRecordCoder.of(SourceRecord.class)).advanceWatermarkTo(YESTERDAY);
    for (TimestampedValue<SourceRecord> record : BEFORE_THE_LATE_CHANGE) {
      script = script.addElements(record);
    }
    script = script.advanceWatermarkTo(at(8));
    for (TimestampedValue<SourceRecord> record : FROM_THE_LATE_CHANGE) {
      script = script.addElements(record);
    }
    TestStream<SourceRecord> stream = script.advanceWatermarkToInfinity();
    List<TimestampedValue<SourceRecord>> all = new ArrayList<>(BEFORE_THE_LATE_CHANGE);
    all.addAll(FROM_THE_LATE_CHANGE);

    Run streamed = run(stream);
    Run bounded =
        run(Create.timestamped(all).withCoder(SpecificRecordCoder.of(SourceRecord.class)));

    // The stream counted O-2 and O-3 under tools and says so; nothing else is corrected.
    assertThat(
        streamed.corrections().stream().map(LateTableChangesTest::describe).sorted().toList(),
        equalTo(
            List.of(
                "O-2 category tools->garden revenue=2000 (from 10:02)",
                "O-3 category tools->garden revenue=3000 (from 10:02)")));
    assertThat(bounded.corrections(), equalTo(List.of()));

    Map<String, String> corrected = categories(streamed.enriched());
    for (EnrichmentCorrection correction : streamed.corrections()) {
      String orderId = correction.getOrder().getOrderId();
      assertThat(corrected.get(orderId), equalTo(correction.getEmittedValue()));
      corrected.put(orderId, correction.getCorrectedValue());
    }
    assertThat(corrected, equalTo(categories(bounded.enriched())));
    assertThat(
        categories(bounded.enriched()),
        equalTo(
            Map.of(
                "O-1", "tools", "O-2", "garden", "O-3", "garden", "O-4", "toys", "O-5", "garden")));

    // Revenue: move each correction's revenue from the category it was counted under to the
    // corrected one, in the order's window.
    Map<String, Long> reconciled = finalRevenue(streamed.results());
    for (EnrichmentCorrection correction : streamed.corrections()) {
      Instant time = new Instant(correction.getOrder().getEventTime().toEpochMilli());
      long revenue = correction.getRevenueCents();
      reconciled.merge(key(correction.getEmittedValue(), time), -revenue, Long::sum);
      reconciled.merge(key(correction.getCorrectedValue(), time), revenue, Long::sum);
    }
    reconciled.values().removeIf(cents -> cents == 0);
    assertThat(reconciled, equalTo(finalRevenue(bounded.results())));
  }

  // ------------------------------------------------------------------------------ the runs

  /** What one run produced, collected in memory. */
  private record Run(
      List<CategoryRevenue> results,
      List<EnrichedOrder> enriched,
      List<EnrichmentCorrection> corrections) {}

  /** Runs OrderRevenue's decode and compute steps over {@code records}; waits until done. */
  private static Run run(PTransform<PBegin, PCollection<SourceRecord>> records) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<SourceRecord> all = p.apply("Records", records);
    DecodeChanges<Product> decode =
        DecodeChanges.of(Product.class, "product_id")
            .fromTable("products")
            .withStepName("DecodeProductChanges");
    PCollectionTuple changes =
        all.apply("ProductRecords", Filter.by(r -> r.getPosition().getName().equals("products")))
            .apply("DecodeProductChanges", decode);
    PCollection<KV<String, Customer>> customers =
        p.apply(
            "CustomerChanges",
            Create.empty(
                KvCoder.of(
                    StringUtf8Coder.of(),
                    NullableCoder.of(SpecificRecordCoder.of(Customer.class)))));
    EnrichOrders enrich =
        EnrichOrders.with(
            TableJoin.asOfEventTime(
                changes.get(decode.changesTag()), MissingKeyPolicy.deadLetter()),
            TableJoin.asOfEventTime(customers, MissingKeyPolicy.passThrough()));
    PCollectionTuple out =
        all.apply("OrderRecords", Filter.by(r -> r.getPosition().getName().equals("orders")))
            .apply("ComputeOrderRevenue", ComputeOrderRevenue.with(WINDOWING, enrich));

    Collected<CategoryRevenue> results =
        Collected.of(out.get(ComputeOrderRevenue.resultsTag()), "Results");
    Collected<EnrichedOrder> enriched =
        Collected.of(out.get(ComputeOrderRevenue.enrichedTag()), "Enriched");
    Collected<EnrichmentCorrection> corrections =
        Collected.of(out.get(ComputeOrderRevenue.correctionsTag()), "Corrections");
    Collected<Object> deadLetters =
        Collected.of(out.get(ComputeOrderRevenue.deadLettersTag()), "DeadLetters");
    Collected<Object> changeDeadLetters =
        Collected.of(changes.get(decode.deadLetterTag()), "ChangeDeadLetters");
    p.run().waitUntilFinish();
    assertThat(deadLetters.values(), equalTo(List.of()));
    assertThat(changeDeadLetters.values(), equalTo(List.of()));
    return new Run(results.values(), enriched.values(), corrections.values());
  }

  /** Elements of a PCollection copied into a static map, to be read after the run. */
  private static final class Collected<T> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> ALL = new ConcurrentHashMap<>();
    private static int runs;

    private final String id;

    private Collected(String id) {
      this.id = id;
    }

    @SuppressWarnings("unchecked")
    static <T> Collected<T> of(PCollection<? extends T> values, String name) {
      Collected<T> collected = new Collected<>(name + "-" + ++runs);
      ALL.put(collected.id, java.util.Collections.synchronizedList(new ArrayList<>()));
      ((PCollection<T>) values).apply("Collect" + name, ParDo.of(new CollectFn<T>(collected.id)));
      return collected;
    }

    /** Adds each element to the list of its collection. */
    private static final class CollectFn<T> extends DoFn<T, Void> {
      private static final long serialVersionUID = 1L;
      private final String id;

      CollectFn(String id) {
        this.id = id;
      }

      @ProcessElement
      public void process(@Element T value) {
        ALL.get(id).add(value);
      }
    }

    @SuppressWarnings("unchecked")
    List<T> values() {
      synchronized (ALL.get(id)) {
        return new ArrayList<>((List<T>) (List<?>) ALL.remove(id));
      }
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private static String describe(EnrichmentCorrection c) {
    return String.format(
        "%s %s %s->%s revenue=%d (from %s)",
        c.getOrder().getOrderId(),
        c.getField(),
        c.getEmittedValue(),
        c.getCorrectedValue(),
        c.getRevenueCents(),
        c.getChangeValidFrom().toString().substring(11, 16));
  }

  private static Map<String, String> categories(List<EnrichedOrder> orders) {
    Map<String, String> categories = new TreeMap<>();
    for (EnrichedOrder order : orders) {
      assertThat(
          "joined once: " + order.getOrder().getOrderId(),
          categories.put(order.getOrder().getOrderId(), order.getCategory()),
          is((String) null));
    }
    return categories;
  }

  /** {@code category|window start}, for the 5-minute windows. */
  private static String key(String category, Instant time) {
    long size = Duration.standardMinutes(5).getMillis();
    return category + "|" + new Instant(time.getMillis() - Math.floorMod(time.getMillis(), size));
  }

  /** Each window's revenue per category: its last pane (panes accumulate). */
  private static Map<String, Long> finalRevenue(List<CategoryRevenue> results) {
    Map<String, CategoryRevenue> last = new TreeMap<>();
    for (CategoryRevenue result : results) {
      Instant start = new Instant(result.getWindowStart().toEpochMilli());
      last.merge(
          key(result.getCategory(), start),
          result,
          (a, b) -> a.getPaneIndex() >= b.getPaneIndex() ? a : b);
    }
    Map<String, Long> revenue = new TreeMap<>();
    last.forEach((key, result) -> revenue.put(key, result.getRevenueCents()));
    return revenue;
  }
}
