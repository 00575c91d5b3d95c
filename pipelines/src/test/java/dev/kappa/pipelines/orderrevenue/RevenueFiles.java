package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.TooLateOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what an OrderRevenue run wrote, and the expected results in test-data, into plain maps.
 *
 * <p>The expected files are parsed with Jackson, not with the project's codecs, so that a codec bug
 * cannot make both sides agree.
 */
final class RevenueFiles {
  private RevenueFiles() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A result's identity: one category and currency in one window. */
  record WindowKey(String category, String currency, Instant windowStart, Instant windowEnd)
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

  static Path testData(String relative) {
    return Path.of(System.getProperty("kappa.testData", "../test-data")).resolve(relative);
  }

  static Path runnersConfig(String relative) {
    return Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
        .resolve(relative);
  }

  /** The complete results a bounded run must produce, from an {@code expected-*revenue.jsonl}. */
  static Map<WindowKey, Totals> expectedRevenue(String file) {
    Map<WindowKey, Totals> expected = new TreeMap<>();
    for (String line : lines(testData(file))) {
      JsonNode row = parse(line);
      expected.put(
          new WindowKey(
              row.get("category").asText(),
              row.get("currency").asText(),
              Instant.parse(row.get("window_start").asText()),
              Instant.parse(row.get("window_end").asText())),
          new Totals(row.get("order_count").asLong(), row.get("revenue_cents").asLong()));
    }
    return expected;
  }

  /** The 1-based line numbers of the records that must become dead letters. */
  static List<Long> expectedDeadLetterLines(String file) {
    List<Long> lines = new ArrayList<>();
    for (String line : lines(testData(file))) {
      lines.add(parse(line).get("line").asLong());
    }
    return lines;
  }

  /**
   * Each order's expected enrichment from {@code expected-enriched-orders.jsonl}: order id to
   * "category|tier|product version|customer version", nulls as "null".
   */
  static Map<String, String> expectedEnrichment(String file) {
    Map<String, String> expected = new TreeMap<>();
    for (String line : lines(testData(file))) {
      JsonNode row = parse(line);
      expected.put(
          row.get("order_id").asText(),
          String.join(
              "|",
              row.get("category").asText("null"),
              row.get("customer_tier").asText("null"),
              row.get("product_version").asText("null"),
              row.get("customer_version").asText("null")));
    }
    return expected;
  }

  /** The same view of what a run wrote to its enriched-orders output. */
  static Map<String, String> enrichment(List<EnrichedOrder> orders) {
    Map<String, String> enrichment = new TreeMap<>();
    for (EnrichedOrder order : orders) {
      String previous =
          enrichment.put(
              order.getOrder().getOrderId(),
              String.join(
                  "|",
                  String.valueOf(order.getCategory()),
                  String.valueOf(order.getCustomerTier()),
                  String.valueOf(order.getProductVersion()),
                  String.valueOf(order.getCustomerVersion())));
      assertThat("order enriched twice: " + order, previous == null, is(true));
    }
    return enrichment;
  }

  /** Order id to category, from {@code expected-enriched-orders.jsonl}; unknown if not found. */
  static Map<String, String> expectedCategories(String file) {
    Map<String, String> categories = new HashMap<>();
    for (String line : lines(testData(file))) {
      JsonNode row = parse(line);
      categories.put(
          row.get("order_id").asText(),
          row.get("category").isNull() ? "unknown" : row.get("category").asText());
    }
    return categories;
  }

  static List<EnrichedOrder> enrichedOrders(Path prefix) {
    EventCodec<EnrichedOrder> codec = EventCodec.of(EnrichedOrder.class);
    return written(prefix).stream().map(codec::fromJson).toList();
  }

  static List<CategoryRevenue> results(Path prefix) {
    EventCodec<CategoryRevenue> codec = EventCodec.of(CategoryRevenue.class);
    return written(prefix).stream().map(codec::fromJson).toList();
  }

  static List<TooLateOrder> tooLate(Path prefix) {
    EventCodec<TooLateOrder> codec = EventCodec.of(TooLateOrder.class);
    return written(prefix).stream().map(codec::fromJson).toList();
  }

  static List<EnrichmentCorrection> corrections(Path prefix) {
    EventCodec<EnrichmentCorrection> codec = EventCodec.of(EnrichmentCorrection.class);
    return written(prefix).stream().map(codec::fromJson).toList();
  }

  static List<DeadLetter> deadLetters(Path prefix) {
    EventCodec<DeadLetter> codec = EventCodec.of(DeadLetter.class);
    return written(prefix).stream().map(codec::fromJson).toList();
  }

  /**
   * Each window's final result: the one pane marked final. Fails if a window has no final pane or
   * more than one, which would mean a result was lost or emitted twice.
   */
  static Map<WindowKey, Totals> finalResults(List<CategoryRevenue> results) {
    Map<WindowKey, Totals> finals = new TreeMap<>();
    Map<WindowKey, Integer> panes = new HashMap<>();
    for (CategoryRevenue result : results) {
      WindowKey key =
          new WindowKey(
              result.getCategory(),
              result.getCurrency(),
              result.getWindowStart(),
              result.getWindowEnd());
      panes.merge(key, 1, Integer::sum);
      if (result.getFinalPane()) {
        Totals previous =
            finals.put(key, new Totals(result.getOrderCount(), result.getRevenueCents()));
        assertThat("a second final pane for " + key, previous == null, is(true));
      }
    }
    assertThat("windows without a final pane", finals.keySet(), is(panes.keySet()));
    return finals;
  }

  /**
   * What the too-late orders would have added to each window, each under its category in {@code
   * categories} (order id to category).
   */
  static Map<WindowKey, Totals> tooLateTotals(
      List<TooLateOrder> tooLate, Map<String, String> categories) {
    Map<WindowKey, Totals> totals = new TreeMap<>();
    for (TooLateOrder late : tooLate) {
      WindowKey key =
          new WindowKey(
              categories.get(late.getOrder().getOrderId()),
              late.getOrder().getCurrency(),
              late.getMissedWindow().getWindowStart(),
              late.getMissedWindow().getWindowEnd());
      long revenue = (long) late.getOrder().getQuantity() * late.getOrder().getUnitPriceCents();
      totals.merge(key, new Totals(1, revenue), Totals::plus);
    }
    return totals;
  }

  /** Every line written under {@code prefix}, sorted: for comparing two runs' output. */
  static List<String> sortedLines(Path prefix) {
    return written(prefix).stream().sorted().toList();
  }

  /** Every line of every file the sink wrote under {@code prefix} ({@code prefix-*.jsonl}). */
  private static List<String> written(Path prefix) {
    List<String> lines = new ArrayList<>();
    Path dir = prefix.getParent();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, prefix.getFileName() + "-*.jsonl")) {
      for (Path file : files) {
        lines.addAll(lines(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
