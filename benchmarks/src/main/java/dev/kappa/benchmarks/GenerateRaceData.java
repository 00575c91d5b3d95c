package dev.kappa.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.events.OrderEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes the race's input into a broker, deterministically from a seed, and computes on the way the
 * answer every contender must give: the {@link RaceResult ground truth}.
 *
 * <p><b>Input.</b> A products and a customers table as Debezium-style JSON change streams (a
 * snapshot a day before the first order, then recategorisations, tier changes, deletions and
 * creations spread over the orders' time), each in a one-partition topic keyed by the row's key and
 * stamped with the change's commit time; then {@code orders} order events in a topic of {@value
 * #ORDER_PARTITIONS} partitions (record {@code i} to partition {@code i mod 4}), keyed by order id
 * and stamped with their event time, as our producers write them: Avro single-object bytes of
 * schema versions v1, v2 and v3 and JSON lines, about 20 orders a second of event time, up to 20 s
 * out of order. About 1% of orders name a product that never exists and 2% a customer that never
 * exists (both pass through: category {@code unknown}, no tier). About 0.5% of the records are
 * malformed (not an order, truncated Avro, an unknown schema fingerprint, mistyped JSON), sent
 * keyless, and 0.5% are orders breaking a domain rule (no quantity, a negative price, a lower-case
 * currency, a blank customer): all of them are dead letters.
 *
 * <p><b>Ground truth.</b> A reference that shares no code with the transforms, the pipelines or the
 * native job: it keeps each key's versions as sorted arrays and, for every valid order, takes the
 * latest product version with a change time at or before the order's event time (a deletion, or
 * none, is category {@code unknown}) and adds the order to its (5-minute window, category,
 * currency) totals, from the values it generated, not from decoding the bytes it sent.
 */
final class GenerateRaceData {
  private GenerateRaceData() {}

  static final int ORDER_PARTITIONS = 4;

  /** The first order's event time. */
  static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

  /** The mean gap between orders in event time. */
  static final long ORDER_SPACING_MILLIS = 50;

  static final long WINDOW_MILLIS = 5 * 60 * 1000;

  private static final long DAY_MILLIS = 24 * 3600 * 1000;
  private static final int PRODUCTS = 300;
  private static final int PRODUCTS_AT_START = 280;
  private static final int CUSTOMERS = 5000;
  private static final int CUSTOMERS_AT_START = 4500;
  private static final String[] CATEGORIES = {
    "footwear", "outerwear", "electronics", "wearables", "accessories",
    "hydration", "camping", "outlet", "books", "kitchen"
  };
  private static final String[] TIERS = {"standard", "silver", "gold"};
  private static final String[] CURRENCIES = {"USD", "USD", "USD", "EUR", "EUR", "GBP"};
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The topics of one race. */
  record Topics(String orders, String products, String customers) {}

  /** The event-time range of {@code orders} orders: what a backfill must cover. */
  static Instant end(long orders) {
    return START.plusMillis(orders * ORDER_SPACING_MILLIS + 60_000);
  }

  /** One version of a row: valid from {@code time}; {@code value} null for a deletion. */
  private record Version(long time, String value) {}

  /** A key's versions, sorted by time: the reference's temporal lookup. */
  static final class History {
    private final Map<String, List<Version>> byKey = new HashMap<>();
    private Map<String, long[]> times;
    private Map<String, String[]> values;

    void add(String key, long time, String value) {
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Version(time, value));
    }

    void freeze() {
      times = new HashMap<>();
      values = new HashMap<>();
      byKey.forEach(
          (key, versions) -> {
            versions.sort((a, b) -> Long.compare(a.time(), b.time()));
            times.put(key, versions.stream().mapToLong(Version::time).toArray());
            values.put(key, versions.stream().map(Version::value).toArray(String[]::new));
          });
    }

    /** The value valid at {@code time}, or null (no version yet, or deleted). */
    String asOf(String key, long time) {
      long[] t = times.get(key);
      if (t == null) {
        return null;
      }
      int index = Arrays.binarySearch(t, time);
      if (index < 0) {
        index = -index - 2; // the last version before time
      }
      return index < 0 ? null : values.get(key)[index];
    }
  }

  /**
   * Loads a race of {@code orders} orders into {@code topics} (which must exist) and returns its
   * ground truth.
   */
  static RaceResult load(String bootstrapServers, Topics topics, long orders, long seed)
      throws IOException, InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    long span = orders * ORDER_SPACING_MILLIS;
    History products = new History();
    History customers = new History();
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers, 20)) {
      Sender sender = new Sender(producer);
      writeTables(sender, topics, products, customers, random, START.toEpochMilli(), span, orders);
      producer.flush();
      sender.check();
      RaceResult truth = writeOrders(sender, topics.orders(), products, random, orders);
      producer.flush();
      sender.check();
      return truth;
    }
  }

  /**
   * Writes both tables' change streams: a snapshot a day before {@code start}, then changes spread
   * over {@code [start, start + span)}, as many as {@code orders} orders call for; freezes the two
   * histories.
   */
  static void writeTables(
      Sender sender,
      Topics topics,
      History products,
      History customers,
      SplittableRandom random,
      long start,
      long span,
      long orders)
      throws IOException {
    writeProducts(sender, topics.products(), products, random, start, span, orders);
    writeCustomers(sender, topics.customers(), customers, random, start, span, orders);
    products.freeze();
    customers.freeze();
  }

  private static void writeProducts(
      Sender sender,
      String topic,
      History history,
      SplittableRandom random,
      long start,
      long span,
      long n)
      throws IOException {
    String[] current = new String[PRODUCTS];
    for (int i = 0; i < PRODUCTS_AT_START; i++) {
      current[i] = CATEGORIES[random.nextInt(CATEGORIES.length)];
      sendProduct(sender, topic, history, "r", i, start - DAY_MILLIS, current[i]);
    }
    // Changes at distinct times spread over the orders' span: one slot each.
    int changes = (int) Math.max(60, n / 5000);
    for (int c = 0; c < changes; c++) {
      long time = start + c * (span / changes) + random.nextLong(span / changes);
      int i = random.nextInt(PRODUCTS);
      if (current[i] == null) {
        current[i] = CATEGORIES[random.nextInt(CATEGORIES.length)];
        sendProduct(sender, topic, history, "c", i, time, current[i]);
      } else if (random.nextInt(100) < 12) {
        current[i] = null;
        sendProduct(sender, topic, history, "d", i, time, null);
      } else {
        String next = current[i];
        while (next.equals(current[i])) {
          next = CATEGORIES[random.nextInt(CATEGORIES.length)];
        }
        current[i] = next;
        sendProduct(sender, topic, history, "u", i, time, next);
      }
    }
  }

  private static void sendProduct(
      Sender sender, String topic, History history, String op, int i, long time, String category)
      throws IOException {
    String id = productId(i);
    history.add(id, time, category);
    ObjectNode row = null;
    if (category != null) {
      row = JSON.createObjectNode();
      row.put("product_id", id)
          .put("name", "Product " + i)
          .put("category", category)
          .put("price_cents", 100 + 37L * i)
          .put("updated_at", Instant.ofEpochMilli(time).toString());
    }
    sender.send(topic, null, time, id, envelope("products", "product_id", id, op, row, time));
  }

  private static void writeCustomers(
      Sender sender,
      String topic,
      History history,
      SplittableRandom random,
      long start,
      long span,
      long n)
      throws IOException {
    boolean[] exists = new boolean[CUSTOMERS];
    for (int i = 0; i < CUSTOMERS_AT_START; i++) {
      exists[i] = true;
      sendCustomer(sender, topic, history, "r", i, start - DAY_MILLIS, TIERS[i % TIERS.length]);
    }
    int changes = (int) Math.max(60, n / 2000);
    for (int c = 0; c < changes; c++) {
      long time = start + c * (span / changes) + random.nextLong(span / changes);
      int i = random.nextInt(CUSTOMERS);
      String op = exists[i] ? "u" : "c";
      exists[i] = true;
      sendCustomer(sender, topic, history, op, i, time, TIERS[random.nextInt(TIERS.length)]);
    }
  }

  private static void sendCustomer(
      Sender sender, String topic, History history, String op, int i, long time, String tier)
      throws IOException {
    String id = customerId(i);
    history.add(id, time, tier);
    ObjectNode row = JSON.createObjectNode();
    row.put("customer_id", id)
        .put("name", "Customer " + i)
        .put("email", "customer" + i + "@example.com")
        .put("tier", tier)
        .put("country", i % 2 == 0 ? "DE" : "US")
        .put("updated_at", Instant.ofEpochMilli(time).toString());
    sender.send(topic, null, time, id, envelope("customers", "customer_id", id, op, row, time));
  }

  /** A Debezium change event (JSON converter, schemas disabled), as test-data/enrichment has. */
  private static byte[] envelope(
      String table, String keyField, String key, String op, ObjectNode after, long time)
      throws IOException {
    ObjectNode event = JSON.createObjectNode();
    if (op.equals("c") || op.equals("r")) {
      event.putNull("before");
    } else {
      event.putObject("before").put(keyField, key);
    }
    if (after == null) {
      event.putNull("after");
    } else {
      event.set("after", after);
    }
    event
        .putObject("source")
        .put("connector", "postgresql")
        .put("name", "kappa")
        .put("db", "kappa")
        .put("schema", "public")
        .put("table", table)
        .put("snapshot", op.equals("r") ? "true" : "false")
        .put("ts_ms", time);
    event.put("op", op).put("ts_ms", time + 250);
    return JSON.writeValueAsBytes(event);
  }

  private static RaceResult writeOrders(
      Sender sender, String topic, History products, SplittableRandom random, long n) {
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    Totals totals = new Totals(WINDOW_MILLIS);
    for (long i = 0; i < n; i++) {
      long slot = START.toEpochMilli() + i * ORDER_SPACING_MILLIS;
      long eventTime = Math.max(START.toEpochMilli(), slot + random.nextLong(40_000) - 20_000);
      OrderRecord order = order(codec, random, i, eventTime);
      sender.sendOrder(topic, order.partition(), eventTime, order.key(), order.value());
      totals.add(order, products);
    }
    return totals.result();
  }

  /**
   * One order record as a producer writes it, and, if it is valid, what it adds to the totals:
   * {@code productId} null for a dead letter.
   */
  record OrderRecord(
      int partition,
      long eventTime,
      byte[] key,
      byte[] value,
      String productId,
      String currency,
      long revenueCents) {
    boolean valid() {
      return productId != null;
    }
  }

  /**
   * The {@code i}-th order at {@code eventTime}: its product, customer, amounts, encoding and
   * whether it is bad, drawn from {@code random} (see the class documentation for the mix).
   */
  static OrderRecord order(
      EventCodec<OrderEvent> codec, SplittableRandom random, long i, long eventTime) {
    String orderId = String.format("O-%09d", i);
    int p = random.nextInt(100);
    String productId = p == 0 ? "P-9" + random.nextInt(100) : productId(random.nextInt(PRODUCTS));
    int c = random.nextInt(100);
    String customerId =
        c < 2 ? "C-9" + random.nextInt(1000) : customerId(random.nextInt(CUSTOMERS));
    String currency = CURRENCIES[random.nextInt(CURRENCIES.length)];
    int quantity = 1 + random.nextInt(4);
    long price = 99 + random.nextInt(20_000);
    OrderEvent.Builder order =
        OrderEvent.newBuilder()
            .setOrderId(orderId)
            .setCustomerId(customerId)
            .setProductId(productId)
            .setQuantity(quantity)
            .setUnitPriceCents(price)
            .setCurrency(currency)
            .setEventTime(Instant.ofEpochMilli(eventTime));
    int partition = (int) (i % ORDER_PARTITIONS);
    int kind = random.nextInt(1000);
    byte[] key = orderId.getBytes(StandardCharsets.UTF_8);
    if (kind < 5) {
      return new OrderRecord(
          partition, eventTime, null, malformed(codec, order.build(), kind), null, null, 0);
    }
    if (kind < 10) {
      switch (kind) {
        case 5 -> order.setQuantity(0);
        case 6 -> order.setUnitPriceCents(-price);
        case 7 -> order.setCurrency(currency.toLowerCase(java.util.Locale.ROOT));
        default -> order.setCustomerId(" ");
      }
      return new OrderRecord(
          partition, eventTime, key, codec.encodeAs(order.build(), 3), null, null, 0);
    }
    int format = random.nextInt(10);
    byte[] value;
    if (format == 0) {
      value = codec.toJson(order.build()).getBytes(StandardCharsets.UTF_8);
    } else if (format <= 3) {
      value = codec.encodeAs(order.build(), 1);
    } else if (format <= 6) {
      value = codec.encodeAs(order.setShippingMethod("express").build(), 2);
    } else {
      value = codec.encodeAs(order.setPromoCode(format == 9 ? "SPRING" : null).build(), 3);
    }
    return new OrderRecord(
        partition, eventTime, key, value, productId, currency, (long) quantity * price);
  }

  /** The ground truth as it grows: totals per (window, category, currency) and the counts. */
  static final class Totals {
    private final long windowMillis;
    private final Map<String, long[]> sums = new HashMap<>();
    private long valid;
    private long deadLetters;

    Totals(long windowMillis) {
      this.windowMillis = windowMillis;
    }

    /**
     * Adds {@code order}, under its product's category as of its event time in {@code products}.
     */
    void add(OrderRecord order, History products) {
      if (!order.valid()) {
        deadLetters++;
        return;
      }
      valid++;
      String category = products.asOf(order.productId(), order.eventTime());
      long windowStart = Math.floorDiv(order.eventTime(), windowMillis) * windowMillis;
      long[] totals =
          sums.computeIfAbsent(
              RaceResult.key(
                  windowStart, category == null ? "unknown" : category, order.currency()),
              k -> new long[2]);
      totals[0]++;
      totals[1] += order.revenueCents();
    }

    RaceResult result() {
      return RaceResult.of(sums, valid, deadLetters);
    }
  }

  /** Bytes no decoder can read as an order, in one of five ways. */
  private static byte[] malformed(EventCodec<OrderEvent> codec, OrderEvent order, int kind) {
    byte[] avro = codec.encodeAs(order, 3);
    return switch (kind) {
      case 0 -> ("not an order " + order.getOrderId()).getBytes(StandardCharsets.UTF_8);
      case 1 -> Arrays.copyOf(avro, avro.length / 2);
      case 2 -> {
        byte[] unknown = avro.clone();
        unknown[5] ^= 0x5A; // the fingerprint of no version
        yield unknown;
      }
      case 3 ->
          ("{\"order_id\": \"" + order.getOrderId() + "\", \"quantity\": \"two\"}")
              .getBytes(StandardCharsets.UTF_8);
      default -> new byte[] {'{', '"', 'o', '"', ':', '"', (byte) 0xE9, '"', '}'};
    };
  }

  static String productId(int i) {
    return String.format("P-%04d", i);
  }

  static String customerId(int i) {
    return String.format("C-%05d", i);
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, int lingerMillis) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMillis);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(config);
  }

  /** Sends asynchronously, remembering the first failure. */
  static final class Sender {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    Sender(KafkaProducer<byte[], byte[]> producer) {
      this.producer = producer;
    }

    void send(String topic, Integer partition, long timestamp, String key, byte[] value) {
      sendOrder(topic, partition, timestamp, key.getBytes(StandardCharsets.UTF_8), value);
    }

    void sendOrder(String topic, Integer partition, long timestamp, byte[] key, byte[] value) {
      producer.send(
          new ProducerRecord<>(topic, partition, timestamp, key, value),
          (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
          });
    }

    void check() throws IOException {
      Exception error = failure.get();
      if (error != null) {
        throw new IOException("cannot load the race's records: " + error, error);
      }
    }
  }
}
