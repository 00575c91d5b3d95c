package dev.kappa.pipelines.reliability;

import dev.kappa.testing.kafka.KafkaBroker;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The small order stream of the reprocessing tests (docs/reprocessing.md's walk-through): orders of
 * one product and customer on 2026-03-01, their JSON, and the totals they must give, computed here
 * sharing no code with the job.
 */
final class ReprocessingOrders {
  private ReprocessingOrders() {}

  private static final Instant DAY = Instant.parse("2026-03-01T10:00:00Z");

  /** One order: its id, event time (minutes after 10:00), quantity and unit price in cents. */
  record Order(String id, int minute, int quantity, int unitPriceCents) {
    Instant eventTime() {
      return DAY.plus(minute, ChronoUnit.MINUTES);
    }

    /** The start of its 5-minute window. */
    Instant windowStart() {
      return DAY.plus(minute / 5 * 5, ChronoUnit.MINUTES);
    }

    String json() {
      return "{\"order_id\": \""
          + id
          + "\", \"event_time\": \""
          + eventTime()
          + "\", \"customer_id\": \"C-01\", \"product_id\": \"P-100\", \"quantity\": "
          + quantity
          + ", \"unit_price_cents\": "
          + unitPriceCents
          + ", \"currency\": \"USD\"}";
    }
  }

  /** Two orders in each of the windows from 10:00 to 10:25, on time. */
  static List<Order> onTime() {
    List<Order> orders = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      orders.add(new Order("O-A" + i, i / 2 * 5 + 1 + i % 2 * 2, 1 + i % 3, 1000 + i));
    }
    return orders;
  }

  /** An order two hours on: it moves the watermark past every window above. */
  static final Order AHEAD = new Order("O-AHEAD", 120, 1, 500);

  /** Totals per window start and currency: {order count, revenue}. */
  static Map<String, List<Long>> totals(List<Order> orders) {
    Map<String, List<Long>> totals = new TreeMap<>();
    for (Order order : orders) {
      totals.merge(
          order.windowStart() + " USD",
          List.of(1L, (long) order.quantity() * order.unitPriceCents()),
          (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
    }
    return totals;
  }

  /** Writes {@code orders} to {@code topic}, keyed by order id, as JSON lines. */
  static void produce(KafkaBroker broker, String topic, List<Order> orders) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      for (Order order : orders) {
        producer.send(new ProducerRecord<>(topic, order.id(), order.json()));
      }
      producer.flush();
    }
  }
}
