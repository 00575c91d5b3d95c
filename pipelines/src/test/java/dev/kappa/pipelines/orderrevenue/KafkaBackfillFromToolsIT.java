package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kappa.io.kafka.ReadKafkaRange;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.tools.ProduceChanges;
import dev.kappa.pipelines.tools.ProduceOrders;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loading tools and a Kafka backfill against the same run from files: the products change
 * stream in every form the job accepts (bare Debezium envelopes, wrapped by Kafka Connect's JSON
 * converter, with only the envelope's {@code ts_ms}), and files with lines that are not UTF-8 or
 * not parseable, loaded with {@code produce-changes} and {@code produce-orders}; the orders topic
 * also holds records that a wrong clock stamped in 2099, mid-partition, and one stamped before the
 * range. The OrderRevenue backfill from Kafka gives exactly the results, enrichment and dead
 * letters of the run from the files, and both the expected results of the test data. Orders and
 * changes with implausible event times (2099, 1970) are dead letters in a Kafka stream and a
 * backfill alike.
 */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaBackfillFromToolsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PARTITIONS = 3;
  private static final String FROM = "2026-03-01T00:00:00Z";
  private static final String TO = "2026-03-02T00:00:00Z";
  private static final long FAR_FUTURE =
      java.time.Instant.parse("2099-01-01T00:00:00Z").toEpochMilli();
  private static final long BEFORE_FROM =
      java.time.Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();
  private static final byte[] NOT_UTF8 = {'{', '"', 'o', '"', ':', '"', (byte) 0xE9, '"', '}'};
  private static final byte[] NOT_JSON =
      "{\"op\": \"u\", \"after\": ".getBytes(StandardCharsets.UTF_8);

  /** A file of lines, each given as its exact bytes. */
  private static Path write(Path file, List<byte[]> lines) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      out.write(line);
      out.write('\n');
    }
    Files.write(file, out.toByteArray());
    return file;
  }

  private static List<String> nonBlank(Path file) throws Exception {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .toList();
  }

  /**
   * The products change stream of the test data, change {@code i} in form {@code i mod 3}: bare,
   * Connect-wrapped, envelope-only {@code ts_ms} (the source's {@code ts_ms} moved to the envelope,
   * so the change time stays the same); a line that is not JSON after the fourth change and one
   * that is not UTF-8 after the eighth. Also returns, per line, the Kafka timestamp the tool must
   * give it: the change's commit time, or for the bad lines the previous change's.
   */
  private static Path productChanges(Path dir, List<Long> expectedTimestamps) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    List<String> changes = nonBlank(testData("enrichment/products.changelog.jsonl"));
    for (int i = 0; i < changes.size(); i++) {
      ObjectNode change = (ObjectNode) JSON.readTree(changes.get(i));
      long commitTime = change.path("source").path("ts_ms").longValue();
      JsonNode form;
      switch (i % 3) {
        case 0:
          form = change;
          break;
        case 1:
          ObjectNode wrapped = JSON.createObjectNode();
          wrapped.putObject("schema").put("type", "struct").put("name", "kappa.products.Envelope");
          wrapped.set("payload", change);
          form = wrapped;
          break;
        default:
          ((ObjectNode) change.get("source")).remove("ts_ms");
          change.put("ts_ms", commitTime);
          form = change;
          break;
      }
      lines.add(JSON.writeValueAsBytes(form));
      expectedTimestamps.add(commitTime);
      if (i == 3 || i == 7) {
        lines.add(i == 3 ? NOT_JSON : NOT_UTF8);
        expectedTimestamps.add(commitTime);
      }
    }
    return write(dir.resolve("products.changelog.jsonl"), lines);
  }

  /**
   * The test orders with three more bad lines: one not UTF-8 at the top (stamped with the first
   * order's time), one not JSON after line 100 and one not UTF-8 after line 200.
   */
  private static Path orders(Path dir) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    lines.add(NOT_UTF8);
    List<String> orders = nonBlank(testData("orders/orders.jsonl"));
    for (int i = 0; i < orders.size(); i++) {
      lines.add(orders.get(i).getBytes(StandardCharsets.UTF_8));
      if (i == 99) {
        lines.add("not an order".getBytes(StandardCharsets.UTF_8));
      } else if (i == 199) {
        lines.add(NOT_UTF8);
      }
    }
    return write(dir.resolve("orders.jsonl"), lines);
  }

  @Test
  @Timeout(600)
  void aKafkaBackfillOfWhatTheToolsLoadedEqualsTheRunFromFiles(
      KafkaBroker broker, @TempDir Path dir) throws Exception {
    String servers = broker.bootstrapServers();
    String ordersTopic = "orders-" + UUID.randomUUID();
    String productsTopic = "products-" + UUID.randomUUID();
    String customersTopic = "customers-" + UUID.randomUUID();
    broker.createTopic(ordersTopic, PARTITIONS);
    broker.createTopic(productsTopic, 1);
    broker.createTopic(customersTopic, 1);
    List<Long> changeTimestamps = new ArrayList<>();
    Path products = productChanges(dir, changeTimestamps);
    Path orders = orders(dir);
    Path customers = testData("enrichment/customers.changelog.jsonl");

    // Load: changes, then the orders in two parts with a 2099 record in every partition between
    // them, and one record stamped before the range at the end of partition 0.
    assertThat(ProduceChanges.produce(products, servers, productsTopic, "product_id"), is(14));
    assertThat(ProduceChanges.produce(customers, servers, customersTopic, "customer_id"), is(22));
    ProduceOrders.Summary first =
        ProduceOrders.produce(orders, 0, 150, servers, ordersTopic, Double.POSITIVE_INFINITY);
    List<ProducerRecord<byte[], byte[]>> strays = new ArrayList<>();
    for (int partition = 0; partition < PARTITIONS; partition++) {
      strays.add(stray(ordersTopic, partition, FAR_FUTURE));
    }
    send(servers, strays);
    ProduceOrders.Summary rest =
        ProduceOrders.produce(
            orders, 150, Integer.MAX_VALUE, servers, ordersTopic, Double.POSITIVE_INFINITY);
    send(servers, List.of(stray(ordersTopic, 0, BEFORE_FROM)));
    assertThat(first.total() + rest.total(), is(403));
    assertThat(
        first.byKind().getOrDefault("raw", 0) + rest.byKind().getOrDefault("raw", 0), is(8 + 3));

    // The tools stamped every change with its commit time, whatever its form, and each bad line
    // with the previous change's; they sent every line's exact bytes.
    List<ConsumerRecord<byte[], byte[]>> loaded = readAll(servers, productsTopic, 0);
    assertThat(loaded.stream().map(ConsumerRecord::timestamp).toList(), equalTo(changeTimestamps));
    assertThat(hex(loaded.get(4).value()), equalTo(hex(NOT_JSON)));
    assertThat(hex(loaded.get(9).value()), equalTo(hex(NOT_UTF8)));
    // The order file's first line, not UTF-8, went to partition 0 as is, with the first order's
    // time.
    ConsumerRecord<byte[], byte[]> top = readAll(servers, ordersTopic, 0).get(0);
    assertThat(hex(top.value()), equalTo(hex(NOT_UTF8)));
    String firstOrder = nonBlank(testData("orders/orders.jsonl")).get(0);
    assertThat(
        top.timestamp(),
        equalTo(
            java.time.Instant.parse(JSON.readTree(firstOrder).get("event_time").asText())
                .toEpochMilli()));

    PipelineResult fromKafka =
        run(
            dir.resolve("kafka"),
            "--source=KAFKA",
            "--bootstrapServers=" + servers,
            "--inputTopics=" + ordersTopic,
            "--from=" + FROM,
            "--to=" + TO,
            "--productChanges=kafka:" + productsTopic,
            "--customerChanges=kafka:" + customersTopic);
    run(
        dir.resolve("files"),
        "--source=FILES",
        "--input=" + orders,
        "--productChanges=" + products,
        "--customerChanges=" + customers);

    // Every record in range was read; what was skipped is counted, by reason.
    assertThat(counter(fromKafka, "skippedAtOrAfterTo"), is((long) PARTITIONS));
    assertThat(counter(fromKafka, "skippedBeforeFrom"), is(1L));
    // The job's read counts the orders; the launcher read the two small change topics itself
    // (--preloadChangesUpTo), outside the job's counters (docs/pipelines/order-revenue.md).
    assertThat(counter(fromKafka, "records"), is(403L));

    OrderRevenueRuns.Outputs kafka = OrderRevenueRuns.Outputs.under(dir.resolve("kafka"));
    OrderRevenueRuns.Outputs files = OrderRevenueRuns.Outputs.under(dir.resolve("files"));
    var expected = RevenueFiles.expectedRevenue("enrichment/expected-category-revenue.jsonl");
    assertThat(RevenueFiles.finalResults(RevenueFiles.results(kafka.results())), equalTo(expected));
    assertThat(RevenueFiles.finalResults(RevenueFiles.results(files.results())), equalTo(expected));
    Map<String, String> expectedEnrichment =
        RevenueFiles.expectedEnrichment("enrichment/expected-enriched-orders.jsonl");
    assertThat(
        RevenueFiles.enrichment(RevenueFiles.enrichedOrders(kafka.enriched())),
        equalTo(expectedEnrichment));
    assertThat(
        RevenueFiles.enrichment(RevenueFiles.enrichedOrders(files.enriched())),
        equalTo(expectedEnrichment));
    assertThat(RevenueFiles.tooLate(kafka.tooLate()), is(empty()));
    assertThat(RevenueFiles.tooLate(files.tooLate()), is(empty()));
    // The same dead letters: the orders test data's 12, the 3 bad order lines and the 2 bad change
    // lines, each the same line of the files.
    List<String> kafkaDead = kafkaDeadLetters(kafka.deadLetters());
    assertThat(kafkaDead.size(), is(12 + 3 + 2));
    assertThat(kafkaDead, equalTo(fileDeadLetters(files.deadLetters())));
  }

  /**
   * Orders dated 2099 (one per partition) and 1970 mid-stream, and change events dated 2099 and
   * 1970, all stamped in Kafka with a plausible time inside the range (as a producer stamping its
   * send time would): a stream and a backfill each make them dead letters, not watermark movers, so
   * the stream diverts no more than the reference's too-late orders and the backfill equals the
   * expected results.
   */
  @Test
  @Timeout(600)
  void implausibleEventTimesAreDeadLettersInAStreamAndABackfill(
      KafkaBroker broker, @TempDir Path dir) throws Exception {
    String servers = broker.bootstrapServers();
    String ordersTopic = "orders-" + UUID.randomUUID();
    String productsTopic = "products-" + UUID.randomUUID();
    String customersTopic = "customers-" + UUID.randomUUID();
    broker.createTopic(ordersTopic, PARTITIONS);
    broker.createTopic(productsTopic, 1);
    broker.createTopic(customersTopic, 1);
    long sentAt = java.time.Instant.parse("2026-03-01T10:30:00Z").toEpochMilli();
    Path orders = testData("orders/orders.jsonl");

    ProduceChanges.produce(
        testData("enrichment/products.changelog.jsonl"), servers, productsTopic, "product_id");
    ProduceChanges.produce(
        testData("enrichment/customers.changelog.jsonl"), servers, customersTopic, "customer_id");
    send(
        servers,
        List.of(
            poison(productsTopic, 0, sentAt, ImplausibleEvents.PRODUCT_CHANGES.get(6)),
            poison(customersTopic, 0, sentAt, ImplausibleEvents.CUSTOMER_CHANGES.get(10))));
    ProduceOrders.produce(orders, 0, 150, servers, ordersTopic, Double.POSITIVE_INFINITY);
    List<ProducerRecord<byte[], byte[]>> poisonOrders = new ArrayList<>();
    int partition = 0;
    for (String order : ImplausibleEvents.ORDERS.values()) {
      // One 2099 order per partition; the 1970 one on partition 0.
      boolean future = order.contains("\"2099-");
      poisonOrders.add(poison(ordersTopic, future ? partition++ : 0, sentAt, order));
    }
    send(servers, poisonOrders);
    ProduceOrders.produce(
        orders, 150, Integer.MAX_VALUE, servers, ordersTopic, Double.POSITIVE_INFINITY);

    PipelineResult stream =
        run(
            dir.resolve("stream"),
            "--source=KAFKA",
            "--bootstrapServers=" + servers,
            "--inputTopics=" + ordersTopic,
            "--stopAtEnd",
            "--productChanges=kafka:" + productsTopic,
            "--customerChanges=kafka:" + customersTopic);
    PipelineResult backfill =
        run(
            dir.resolve("backfill"),
            "--source=KAFKA",
            "--bootstrapServers=" + servers,
            "--inputTopics=" + ordersTopic,
            "--from=" + FROM,
            "--to=" + TO,
            "--productChanges=kafka:" + productsTopic,
            "--customerChanges=kafka:" + customersTopic);

    var expected = RevenueFiles.expectedRevenue("enrichment/expected-category-revenue.jsonl");
    Map<String, String> expectedEnrichment =
        RevenueFiles.expectedEnrichment("enrichment/expected-enriched-orders.jsonl");
    List<String> expectedTooLate =
        nonBlank(testData("orders/expected-too-late.jsonl")).stream()
            .map(line -> line.replaceAll(".*\"order_id\": \"([^\"]+)\".*", "$1"))
            .toList();
    List<String> poisonDeadLetters =
        List.of(
            "CheckCustomerChangesEventTimes " + customersTopic + "/0",
            "CheckOrdersEventTimes " + ordersTopic + "/0",
            "CheckOrdersEventTimes " + ordersTopic + "/0",
            "CheckOrdersEventTimes " + ordersTopic + "/1",
            "CheckOrdersEventTimes " + ordersTopic + "/2",
            "CheckProductChangesEventTimes " + productsTopic + "/0");

    // The stream: what it counted plus what it diverted is the whole answer; only orders the
    // reference calls too late were diverted, none because of a 2099 watermark.
    OrderRevenueRuns.Outputs streamed = OrderRevenueRuns.Outputs.under(dir.resolve("stream"));
    var tooLate = RevenueFiles.tooLate(streamed.tooLate());
    System.out.printf(
        "implausibleEventTimes: the stream diverted %d orders as too late (reference: %d)%n",
        tooLate.size(), expectedTooLate.size());
    var accounted =
        new java.util.TreeMap<>(
            RevenueFiles.finalResults(RevenueFiles.results(streamed.results())));
    RevenueFiles.tooLateTotals(
            tooLate, RevenueFiles.expectedCategories("enrichment/expected-enriched-orders.jsonl"))
        .forEach((key, totals) -> accounted.merge(key, totals, RevenueFiles.Totals::plus));
    assertThat(accounted, equalTo(expected));
    assertThat(
        tooLate.stream()
            .map(late -> late.getOrder().getOrderId())
            .filter(id -> !expectedTooLate.contains(id))
            .toList(),
        is(empty()));
    // Every order the stream did not divert is enriched as the reference says. A diverted order's
    // enrichment is not compared: it arrived behind the watermark, and when every partition has
    // stood idle before it (the producer stalled on a loaded machine), the watermark has moved on
    // with the clock and the join may have pruned the version it needed. CI saw that once:
    // O-00389, too late in every run, found no version of P-102 from before its deletion. Its
    // revenue is accounted above with the reference's category.
    List<String> diverted = tooLate.stream().map(late -> late.getOrder().getOrderId()).toList();
    Map<String, String> streamedEnrichment =
        new java.util.TreeMap<>(
            RevenueFiles.enrichment(RevenueFiles.enrichedOrders(streamed.enriched())));
    Map<String, String> expectedStreamEnrichment = new java.util.TreeMap<>(expectedEnrichment);
    streamedEnrichment.keySet().removeAll(diverted);
    expectedStreamEnrichment.keySet().removeAll(diverted);
    assertThat(streamedEnrichment, equalTo(expectedStreamEnrichment));
    assertThat(implausible(streamed.deadLetters()), equalTo(poisonDeadLetters));
    assertThat(implausibleCounter(stream), is(6L));

    // The backfill: exactly the expected results, nothing too late.
    OrderRevenueRuns.Outputs backfilled = OrderRevenueRuns.Outputs.under(dir.resolve("backfill"));
    assertThat(
        RevenueFiles.finalResults(RevenueFiles.results(backfilled.results())), equalTo(expected));
    assertThat(RevenueFiles.tooLate(backfilled.tooLate()), is(empty()));
    assertThat(
        RevenueFiles.enrichment(RevenueFiles.enrichedOrders(backfilled.enriched())),
        equalTo(expectedEnrichment));
    assertThat(implausible(backfilled.deadLetters()), equalTo(poisonDeadLetters));
    // The two implausible changes were judged by the launcher, which loaded the histories: they
    // are dead letters above, but outside the job's counters; the four orders are counted.
    assertThat(implausibleCounter(backfill), is(4L));
    // The 12 invalid orders of the test data are still dead letters from DecodeOrders.
    assertThat(
        RevenueFiles.deadLetters(backfilled.deadLetters()).stream()
            .filter(d -> d.getStep().equals("DecodeOrders"))
            .count(),
        is(12L));
  }

  /** A record whose Kafka timestamp is {@code time} and whose payload is {@code json}. */
  private static ProducerRecord<byte[], byte[]> poison(
      String topic, int partition, long time, String json) {
    return new ProducerRecord<>(
        topic, partition, time, null, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The event-time dead letters as {@code step topic/partition}, sorted; each must carry the bytes
   * of a poison record and an {@code ImplausibleEventTimeException}.
   */
  private static List<String> implausible(Path prefix) {
    List<String> letters = new ArrayList<>();
    for (DeadLetter d : RevenueFiles.deadLetters(prefix)) {
      if (!d.getStep().startsWith("Check")) {
        continue;
      }
      assertThat(
          d.getErrorClass(),
          equalTo("dev.kappa.transforms.windowing.ImplausibleEventTimeException"));
      String payload = utf8(d.getPayload());
      assertThat(
          payload,
          ImplausibleEvents.ORDERS.containsValue(payload)
              || ImplausibleEvents.PRODUCT_CHANGES.containsValue(payload)
              || ImplausibleEvents.CUSTOMER_CHANGES.containsValue(payload),
          is(true));
      letters.add(
          d.getStep() + " " + d.getPosition().getName() + "/" + d.getPosition().getPartition());
    }
    return letters.stream().sorted().toList();
  }

  /** Records dead-lettered for their event time, over every check step of a run. */
  private static long implausibleCounter(PipelineResult result) {
    long total = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("CheckOrdersEventTimes", COUNTER))
                    .addNameFilter(MetricNameFilter.named("CheckProductChangesEventTimes", COUNTER))
                    .addNameFilter(
                        MetricNameFilter.named("CheckCustomerChangesEventTimes", COUNTER))
                    .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  private static final String COUNTER = "recordsWithImplausibleEventTime";

  private static PipelineResult run(Path dir, String... args) {
    OrderRevenueRuns.Outputs outputs = OrderRevenueRuns.Outputs.under(dir);
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--runner=DirectRunner");
    all.add("--output=" + outputs.results());
    all.add("--enrichedOutput=" + outputs.enriched());
    all.add("--tooLateOutput=" + outputs.tooLate());
    all.add("--deadLetterOutput=" + outputs.deadLetters());
    PipelineResult result =
        JobRunner.run(
            new OrderRevenue(),
            PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
                .withValidation()
                .as(OrderRevenue.Options.class));
    assertThat(result.waitUntilFinish(), is(PipelineResult.State.DONE));
    return result;
  }

  /** The attempted value of the Kafka range reads' counter {@code name}, over every read. */
  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(ReadKafkaRange.class, name))
                    .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  /** A record no tool wrote: an order-like payload with a wrong Kafka timestamp. */
  private static ProducerRecord<byte[], byte[]> stray(String topic, int partition, long time) {
    return new ProducerRecord<>(
        topic,
        partition,
        time,
        null,
        "{\"order_id\":\"O-STRAY\"}".getBytes(StandardCharsets.UTF_8));
  }

  private static void send(String servers, List<ProducerRecord<byte[], byte[]>> records)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
      for (ProducerRecord<byte[], byte[]> record : records) {
        producer.send(record).get();
      }
    }
  }

  /** Every record of one partition, in offset order (bounded by its end offset now). */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      String servers, String topic, int partitionNumber) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class))) {
      TopicPartition partition = new TopicPartition(topic, partitionNumber);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        consumer.poll(Duration.ofMillis(500)).records(partition).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * Dead letters of the Kafka run as step and line: an order the tool sent as Avro by its key (the
   * order id), anything sent as raw bytes by its bytes.
   */
  private static List<String> kafkaDeadLetters(Path prefix) {
    return RevenueFiles.deadLetters(prefix).stream()
        .map(
            d ->
                d.getStep()
                    + " "
                    + (d.getKey() == null || !d.getStep().equals("DecodeOrders")
                        ? hex(d.getPayload())
                        : "order " + StandardCharsets.UTF_8.decode(d.getKey().duplicate())))
        .sorted()
        .toList();
  }

  /**
   * Dead letters of the file run the same way: a line that decodes as an order JSON (which the tool
   * sends as Avro) by its order id, anything else by its bytes.
   */
  private static List<String> fileDeadLetters(Path prefix) {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    List<String> lines = new ArrayList<>();
    for (DeadLetter d : RevenueFiles.deadLetters(prefix)) {
      String line = hex(d.getPayload());
      if (d.getStep().equals("DecodeOrders")) {
        try {
          line = "order " + codec.fromJson(utf8(d.getPayload())).getOrderId();
        } catch (RuntimeException notAnOrder) {
          // Sent as raw bytes.
        }
      }
      lines.add(d.getStep() + " " + line);
    }
    return lines.stream().sorted().toList();
  }

  private static String utf8(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static String hex(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return hex(bytes);
  }
}
