package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedDeadLetterLines;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test data with events whose time is implausible: three orders dated 2099 and one dated 1970
 * among the 400 orders, a product change dated 2099 and a customer change dated 1970 among the
 * changes. Without event-time bounds the 2099 orders move a stream's watermark to 2099 and the 1970
 * customer version gives customer C-16 a tier before it existed.
 */
final class ImplausibleEvents {
  private ImplausibleEvents() {}

  /** Poison orders, by the original line they follow (three 2099 orders spread over the file). */
  static final Map<Integer, String> ORDERS =
      new TreeMap<>(
          Map.of(
              20, order("O-2099-A", "2099-01-01T00:00:00Z"),
              50, order("O-1970-A", "1970-01-01T00:00:05Z"),
              100, order("O-2099-B", "2099-06-01T12:00:00Z"),
              200, order("O-2099-C", "2099-12-31T23:59:00Z")));

  /** A product change dated 2099, after line 6 of the products' change stream. */
  static final Map<Integer, String> PRODUCT_CHANGES =
      Map.of(
          6,
          "{\"before\": {\"product_id\": \"P-100\"}, \"after\": {\"product_id\": \"P-100\","
              + " \"name\": \"Trail Running Shoes\", \"category\": \"poison-2099\","
              + " \"price_cents\": 1999, \"updated_at\": \"2099-01-01T00:00:00Z\"}, \"source\":"
              + " {\"connector\": \"postgresql\", \"name\": \"kappa\", \"db\": \"kappa\","
              + " \"schema\": \"public\", \"table\": \"products\", \"snapshot\": \"false\","
              + " \"ts_ms\": 4070908800000, \"lsn\": 9000}, \"op\": \"u\", \"ts_ms\":"
              + " 4070908800250}");

  /**
   * A customer change dated 1970 giving C-16 (created at 11:30) a tier from 1970, after line 10.
   */
  static final Map<Integer, String> CUSTOMER_CHANGES =
      Map.of(
          10,
          "{\"before\": null, \"after\": {\"customer_id\": \"C-16\", \"name\": \"Customer 16\","
              + " \"email\": \"customer16@example.com\", \"tier\": \"poison-1970\", \"country\":"
              + " \"FR\", \"updated_at\": \"1970-01-02T00:00:00Z\"}, \"source\": {\"connector\":"
              + " \"postgresql\", \"name\": \"kappa\", \"db\": \"kappa\", \"schema\": \"public\","
              + " \"table\": \"customers\", \"snapshot\": \"false\", \"ts_ms\": 86400000, \"lsn\":"
              + " 9001}, \"op\": \"c\", \"ts_ms\": 86400250}");

  private static String order(String id, String eventTime) {
    return "{\"order_id\": \""
        + id
        + "\", \"customer_id\": \"C-01\", \"product_id\": \"P-100\", \"quantity\": 1,"
        + " \"unit_price_cents\": 100, \"event_time\": \""
        + eventTime
        + "\"}";
  }

  /** The poisoned files, written under a directory. */
  record Poisoned(Path orders, Path products, Path customers) {}

  static Poisoned write(Path dir) {
    return new Poisoned(
        insert(testData("orders/orders.jsonl"), ORDERS, dir.resolve("orders.jsonl")),
        insert(
            testData("enrichment/products.changelog.jsonl"),
            PRODUCT_CHANGES,
            dir.resolve("products.changelog.jsonl")),
        insert(
            testData("enrichment/customers.changelog.jsonl"),
            CUSTOMER_CHANGES,
            dir.resolve("customers.changelog.jsonl")));
  }

  /** The 1-based lines of the poison records in a file written with {@code inserted}. */
  static List<Long> poisonLines(Map<Integer, String> inserted) {
    List<Long> lines = new ArrayList<>();
    int before = 0;
    for (int after : new TreeMap<>(inserted).keySet()) {
      lines.add((long) after + before + 1);
      before++;
    }
    return lines;
  }

  /** The lines of the poisoned orders file whose records the decoder rejects (invalid orders). */
  static List<Long> invalidOrderLines() {
    List<Long> shifted = new ArrayList<>();
    for (long line : expectedDeadLetterLines("orders/expected-dead-letters.jsonl")) {
      shifted.add(line + ORDERS.keySet().stream().filter(after -> after < line).count());
    }
    return shifted;
  }

  private static Path insert(Path source, Map<Integer, String> inserted, Path target) {
    try {
      List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
      List<String> poisoned = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        poisoned.add(lines.get(i));
        String poison = inserted.get(i + 1);
        if (poison != null) {
          poisoned.add(poison);
        }
      }
      return Files.write(target, poisoned, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
