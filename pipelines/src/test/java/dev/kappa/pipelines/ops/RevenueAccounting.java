package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an OrderRevenue run wrote to files, checked against test-data: a small copy of {@code
 * orderrevenue.RevenueFiles} (package-private there) for the {@code ops} ITs. Both sides are read
 * with Jackson, not the project's codecs.
 */
final class RevenueAccounting {
  private RevenueAccounting() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A result's identity: one category and currency in one window (start, as written). */
  record WindowKey(String category, String currency, String windowStart)
      implements Comparable<WindowKey> {
    @Override
    public int compareTo(WindowKey other) {
      int byStart = windowStart.compareTo(other.windowStart);
      if (byStart != 0) {
        return byStart;
      }
      int byCategory = category.compareTo(other.category);
      return byCategory != 0 ? byCategory : currency.compareTo(other.currency);
    }
  }

  /** Order count and revenue. */
  record Totals(long orders, long revenueCents) {
    Totals plus(Totals other) {
      return new Totals(orders + other.orders, revenueCents + other.revenueCents);
    }
  }

  /** What one streaming run accounted for. */
  record Accounting(
      Map<WindowKey, Totals> finalPlusTooLate,
      Map<WindowKey, Integer> finalPanes,
      int results,
      int tooLate) {

    /** Windows that got more than one final pane. */
    List<WindowKey> windowsWithSeveralFinalPanes() {
      return finalPanes.entrySet().stream()
          .filter(e -> e.getValue() > 1)
          .map(Map.Entry::getKey)
          .toList();
    }
  }

  static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data"))
        .toAbsolutePath()
        .normalize()
        .resolve(relative);
  }

  /** {@code expected-category-revenue.jsonl}: the complete answer per window. */
  static Map<WindowKey, Totals> expectedRevenue() {
    Map<WindowKey, Totals> expected = new TreeMap<>();
    for (JsonNode row : rows(testData("enrichment/expected-category-revenue.jsonl"))) {
      expected.put(
          key(row), new Totals(row.get("order_count").asLong(), row.get("revenue_cents").asLong()));
    }
    return expected;
  }

  /**
   * Every window's final panes (summed, should a window have had several) plus the orders diverted
   * as too late from it, under their category in {@code expected-enriched-orders.jsonl}.
   */
  static Accounting account(Path results, Path tooLate) {
    Map<String, String> categories = new HashMap<>();
    for (JsonNode row : rows(testData("enrichment/expected-enriched-orders.jsonl"))) {
      categories.put(
          row.get("order_id").asText(),
          row.get("category").isNull() ? "unknown" : row.get("category").asText());
    }
    Map<WindowKey, Totals> accounted = new TreeMap<>();
    Map<WindowKey, Integer> finalPanes = new TreeMap<>();
    List<JsonNode> resultRows = written(results);
    for (JsonNode row : resultRows) {
      if (row.get("final_pane").asBoolean()) {
        WindowKey key = key(row);
        finalPanes.merge(key, 1, Integer::sum);
        accounted.merge(
            key,
            new Totals(row.get("order_count").asLong(), row.get("revenue_cents").asLong()),
            Totals::plus);
      }
    }
    List<JsonNode> tooLateRows = written(tooLate);
    for (JsonNode late : tooLateRows) {
      JsonNode order = late.get("order");
      WindowKey key =
          new WindowKey(
              categories.get(order.get("order_id").asText()),
              order.get("currency").asText(),
              late.get("missed_window").get("window_start").asText());
      accounted.merge(
          key,
          new Totals(1, order.get("quantity").asLong() * order.get("unit_price_cents").asLong()),
          Totals::plus);
    }
    return new Accounting(accounted, finalPanes, resultRows.size(), tooLateRows.size());
  }

  /** The order ids of the too-late output, one per record. */
  static List<String> tooLateOrderIds(Path tooLate) {
    return written(tooLate).stream().map(row -> row.get("order").get("order_id").asText()).toList();
  }

  /** The source offsets (1-based lines) of the dead letters, one per record. */
  static List<Long> deadLetterLines(Path deadLetters) {
    return written(deadLetters).stream()
        .map(row -> row.get("position").get("offset").asLong())
        .sorted()
        .toList();
  }

  /** {@code orders/expected-dead-letters.jsonl}: the lines that must become dead letters. */
  static List<Long> expectedDeadLetterLines() {
    return rows(testData("orders/expected-dead-letters.jsonl")).stream()
        .map(row -> row.get("line").asLong())
        .sorted()
        .toList();
  }

  private static WindowKey key(JsonNode row) {
    return new WindowKey(
        row.get("category").asText(),
        row.get("currency").asText(),
        row.get("window_start").asText());
  }

  /** Every record the file sink wrote under {@code prefix} ({@code prefix-*.jsonl}). */
  private static List<JsonNode> written(Path prefix) {
    List<JsonNode> rows = new ArrayList<>();
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(prefix.getParent(), prefix.getFileName() + "-*.jsonl")) {
      for (Path file : files) {
        rows.addAll(rows(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  static List<JsonNode> rows(Path file) {
    try {
      List<JsonNode> rows = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
