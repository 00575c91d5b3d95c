package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.options.EnrichmentOptions;
import dev.kappa.pipelines.ArgumentFiles;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.JobSettings;
import dev.kappa.pipelines.job.TestIo;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole OrderRevenue job, built by the job layer with its sources replaced by one TestStream
 * (orders, product changes and customer changes, split by position name) and every output captured:
 * no Kafka, no files, no database. Each output is asserted.
 *
 * <p>The script, in five-minute windows with five minutes of allowed lateness: P-1 is tools and P-2
 * toys, C-1 is gold, from yesterday. Orders O-1 (P-1, 10:01), O-2 (P-1, 10:03), O-3 (P-2, 10:04)
 * and O-4 (an unknown product, P-404) arrive with a line that is not JSON; the watermark passes
 * 10:08, so [10:00, 10:05) fires. Then P-1 moves to garden from 10:02: a late change, so O-2,
 * counted under tools, is corrected. The watermark passes 10:20, closing the window for good, and
 * O-5 (P-2, 10:02) arrives too late.
 */
@ExtendWith(TestPipelineExtension.class)
class OrderRevenueJobTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant YESTERDAY = T0.minus(Duration.standardDays(1));
  private static final AtomicLong OFFSET = new AtomicLong();

  private static Instant at(int minutes) {
    return T0.plus(Duration.standardMinutes(minutes));
  }

  private static TimestampedValue<SourceRecord> record(String name, String json, Instant time) {
    return TimestampedValue.of(
        SourceRecord.newBuilder()
            .setPosition(
                SourcePosition.newBuilder()
                    .setSystem("test")
                    .setName(name)
                    .setOffset(OFFSET.incrementAndGet())
                    .build())
            .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
            .build(),
        time);
  }

  private static TimestampedValue<SourceRecord> order(String id, String product, Instant time) {
    return record(
        "orders",
        String.format(
            "{\"order_id\":\"%s\",\"customer_id\":\"C-1\",\"product_id\":\"%s\",\"quantity\":1,"
                + "\"unit_price_cents\":1000,\"event_time\":\"%s\"}",
            id, product, time),
        time);
  }

  private static TimestampedValue<SourceRecord> product(
      String id, String category, Instant changedAt) {
    return record(
        "products",
        String.format(
            "{\"before\":null,\"after\":{\"product_id\":\"%s\",\"name\":\"Spade\","
                + "\"category\":\"%s\",\"price_cents\":1000,\"updated_at\":\"%s\"},"
                + "\"source\":{\"table\":\"products\",\"ts_ms\":%d},\"op\":\"u\",\"ts_ms\":%d}",
            id, category, changedAt, changedAt.getMillis(), changedAt.getMillis()),
        changedAt);
  }

  private static TimestampedValue<SourceRecord> customer(String id, String tier, Instant at) {
    return record(
        "customers",
        String.format(
            "{\"before\":null,\"after\":{\"customer_id\":\"%s\",\"name\":\"Ada\","
                + "\"email\":\"ada@example.com\",\"tier\":\"%s\",\"country\":\"FR\","
                + "\"updated_at\":\"%s\"},\"source\":{\"table\":\"customers\",\"ts_ms\":%d},"
                + "\"op\":\"r\",\"ts_ms\":%d}",
            id, tier, at, at.getMillis(), at.getMillis()),
        at);
  }

  private static TestStream<SourceRecord> script() {
    return TestStream.create(SpecificRecordCoder.of(SourceRecord.class))
        .advanceWatermarkTo(YESTERDAY)
        .addElements(
            product("P-1", "tools", YESTERDAY),
            product("P-2", "toys", YESTERDAY),
            customer("C-1", "gold", YESTERDAY))
        .addElements(
            order("O-1", "P-1", at(1)),
            order("O-2", "P-1", at(3)),
            order("O-3", "P-2", at(4)),
            order("O-4", "P-404", at(2)),
            record("orders", "{not json", at(2)))
        .advanceWatermarkTo(at(8))
        .addElements(product("P-1", "garden", at(2)))
        .advanceWatermarkTo(at(20))
        .addElements(order("O-5", "P-2", at(2)))
        .advanceWatermarkToInfinity();
  }

  private static <T> PCollection<String> described(
      PCollection<T> records, String name, SerializableFunction<T, String> describe) {
    return records.apply(name, MapElements.into(TypeDescriptors.strings()).via(describe));
  }

  @Test
  void everyOutputOfTheJobFromTestStreamSources(TestPipeline p) {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=REPLAY",
                "--input=never-read.jsonl",
                "--productChanges=never-read.jsonl",
                "--customerChanges=never-read.jsonl",
                "--window=fixed:PT5M",
                "--earlyFirings=none",
                "--allowedLateness=PT5M",
                "--closingBehavior=FIRE_IF_NON_EMPTY",
                "--missingProduct=DEAD_LETTER",
                "--enrichedOutput=console",
                "--resultsTable=category_revenue",
                "--jdbcUrl=jdbc:postgresql://127.0.0.1:1/never-contacted")
            .as(OrderRevenue.Options.class);
    TestIo io =
        TestIo.reading(script())
            .route("ReadOrders", "orders")
            .route("ReadProductChanges", "products")
            .route("ReadCustomerChanges", "customers");

    JobRunner.build(new OrderRevenue(), p, options, io);

    List<String> results =
        List.of(
            "tools USD [2026-03-01T10:00:00Z) 2 orders 2000 ON_TIME",
            "toys USD [2026-03-01T10:00:00Z) 1 orders 1000 ON_TIME");
    SerializableFunction<CategoryRevenue, String> result =
        r ->
            String.format(
                "%s %s [%s) %d orders %d %s",
                r.getCategory(),
                r.getCurrency(),
                r.getWindowStart(),
                r.getOrderCount(),
                r.getRevenueCents(),
                r.getPaneTiming());
    PAssert.that(described(io.output("WriteResults"), "DescribeResults", result))
        .containsInAnyOrder(results);
    PAssert.that(described(io.output("UpsertResults"), "DescribeUpserts", result))
        .containsInAnyOrder(results);
    PAssert.that(
            described(
                io.<EnrichedOrder>output("WriteEnrichedOrders"),
                "DescribeEnriched",
                e -> e.getOrder().getOrderId() + " " + e.getCategory() + " " + e.getCustomerTier()))
        .containsInAnyOrder("O-1 tools gold", "O-2 tools gold", "O-3 toys gold", "O-5 toys gold");
    PAssert.that(
            described(
                io.<EnrichmentCorrection>output("WriteCorrections"),
                "DescribeCorrections",
                c ->
                    c.getOrder().getOrderId()
                        + " "
                        + c.getField()
                        + " "
                        + c.getEmittedValue()
                        + "->"
                        + c.getCorrectedValue()))
        .containsInAnyOrder("O-2 category tools->garden");
    PAssert.that(
            described(
                io.<TooLateOrder>output("WriteTooLate"),
                "DescribeTooLate",
                late ->
                    late.getOrder().getOrderId()
                        + " missed "
                        + late.getMissedWindow().getWindowStart()))
        .containsInAnyOrder("O-5 missed 2026-03-01T10:00:00Z");
    PAssert.that(
            described(
                io.<DeadLetter>output("WriteDeadLetters"),
                "DescribeDeadLetters",
                d ->
                    d.getStep()
                        + " "
                        + d.getPosition().getName()
                        + " "
                        + (d.getKey() == null
                            ? "no key"
                            : StandardCharsets.UTF_8.decode(d.getKey().duplicate()))))
        // The line that is not JSON, and O-4, whose product the products table lacks.
        .containsInAnyOrder("DecodeOrders orders no key", "EnrichWithProduct products O-4");

    p.run().waitUntilFinish();
  }

  @Test
  void theJobReadsItsOwnDefaultTopic() {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(
                "--source=KAFKA",
                "--productChanges=kafka:products",
                "--customerChanges=kafka:customers")
            .as(OrderRevenue.Options.class);

    JobSettings settings = JobSettings.parse(new OrderRevenue(), options);

    assertThat(
        ((JobSettings.KafkaStream) settings.source()).read().topics(), equalTo(List.of("orders")));
    assertThat(
        ((JobSettings.KafkaStream) settings.source()).read().consumerGroup(),
        equalTo("kappa-order-revenue"));
  }

  @Test
  void theDemosOptionsParseWithoutAServer() {
    // What scripts/kappa demo runs, its ports never contacted. (Not built: a Kafka read that stops
    // at given offsets plans its change streams' end offsets with the broker when it expands.)
    Path config = Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"));
    String[] args =
        ArgumentFiles.expand(
            new String[] {
              "@" + config.resolve("flink-embedded.args"),
              "@" + config.resolve("demo.args"),
              "--source=KAFKA",
              "--bootstrapServers=localhost:1",
              "--inputTopics=orders-demo",
              "--stopAtOffsets=0=134,1=133,2=133",
              "--productChanges=kafka:product-changes",
              "--customerEnrichment=LOOKUP",
              "--jdbcUrl=jdbc:postgresql://localhost:1/kappa",
              "--jdbcUser=kappa",
              "--resultsTable=category_revenue"
            });
    OrderRevenue job = new OrderRevenue();
    OrderRevenue.Options options = JobRunner.parse(job, args);

    JobSettings settings = JobSettings.parse(job, options);

    JobSettings.KafkaRead read = ((JobSettings.KafkaStream) settings.source()).read();
    assertThat(read.topics(), equalTo(List.of("orders-demo")));
    assertThat(read.stopOffsets().size(), equalTo(3));
    assertThat(
        settings.join(OrderRevenue.CUSTOMERS).enrichment(),
        equalTo(EnrichmentOptions.Enrichment.LOOKUP));
    assertThat(settings.resultTable(OrderRevenue.RESULTS_TABLE), equalTo("category_revenue"));
  }
}
