package dev.kappa.pipelines.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.TooLateOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an OrderRevenue stream over {@code test-data/orders/orders.jsonl} must write, and the
 * comparison of what it wrote (read back {@code read_committed}) with that.
 *
 * <p>The expectations come from the independent Python references in {@code test-data}, parsed with
 * Jackson, not with the project's codecs: {@code expected-enriched-orders.jsonl} (the 388 valid
 * orders and the category, tier and row versions each must be enriched with) and {@code
 * expected-category-revenue.jsonl} (the complete revenue per category, currency and window). A
 * stream counts each order in its window or diverts it as too late, so for every window the last
 * pane plus the too-late orders equals the complete revenue.
 *
 * <p>Two inputs are added to the test data so that a live stream, which never ends, releases every
 * test order without waiting for the sources' one-minute idle rule:
 *
 * <ul>
 *   <li>after the orders, one order per partition at {@link #MARKER_TIME} (ids {@code O-9000n}): it
 *       moves each partition's watermark (greatest event time minus a minute) past every test
 *       order. The markers themselves wait in the enrichment for that rule, may or may not have
 *       come out by the time a test reads, and are left out of every comparison: their window is
 *       later than every test window;
 *   <li>in each table's change stream, one more change at {@link #HORIZON_TIME} that re-states a
 *       row unchanged: the change stream's watermark passes every order's event time (the test
 *       data's last changes are at 12:00 and 12:05, its last orders at 12:29), as a live table's
 *       change stream moves on with time. It applies to no test order.
 * </ul>
 */
final class StreamCheck {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final Instant MARKER_TIME = Instant.parse("2026-03-01T12:45:00Z");
  static final Instant HORIZON_TIME = Instant.parse("2026-03-01T13:00:00Z");

  /** Lines of {@code orders.jsonl}; the markers follow as lines 401 to 403. */
  static final int ORDER_LINES = 400;

  static final int PARTITIONS = 3;
  static final int DEAD_LETTERS = 12;

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

    static WindowKey of(CategoryRevenue result) {
      return new WindowKey(
          result.getCategory(),
          result.getCurrency(),
          result.getWindowStart(),
          result.getWindowEnd());
    }
  }

  /** Order count and revenue. */
  record Totals(long orders, long revenueCents) {
    Totals plus(Totals other) {
      return new Totals(orders + other.orders, revenueCents + other.revenueCents);
    }
  }

  private final Path testData;
  private final Map<String, String> expectedEnrichment;
  private final Map<String, String> expectedCategories;
  private final Map<WindowKey, Totals> expectedRevenue;

  StreamCheck(Path testData) {
    this.testData = testData;
    this.expectedEnrichment = new TreeMap<>();
    this.expectedCategories = new HashMap<>();
    for (JsonNode row : rows(testData.resolve("enrichment/expected-enriched-orders.jsonl"))) {
      String id = row.get("order_id").asText();
      expectedEnrichment.put(
          id,
          String.join(
              "|",
              row.get("category").asText("null"),
              row.get("customer_tier").asText("null"),
              row.get("product_version").asText("null"),
              row.get("customer_version").asText("null")));
      expectedCategories.put(
          id, row.get("category").isNull() ? "unknown" : row.get("category").asText());
    }
    this.expectedRevenue = new TreeMap<>();
    for (JsonNode row : rows(testData.resolve("enrichment/expected-category-revenue.jsonl"))) {
      expectedRevenue.put(
          new WindowKey(
              row.get("category").asText(),
              row.get("currency").asText(),
              Instant.parse(row.get("window_start").asText()),
              Instant.parse(row.get("window_end").asText())),
          new Totals(row.get("order_count").asLong(), row.get("revenue_cents").asLong()));
    }
  }

  /** The ids of the valid test orders: what the enriched output must hold, each once. */
  Set<String> validOrderIds() {
    return expectedEnrichment.keySet();
  }

  /**
   * Writes {@code orders.jsonl} followed by the three marker orders to {@code file}: produce lines
   * 0 to 400 as the test's input, then lines 400 to 403 to release them.
   */
  Path ordersWithMarkers(Path file) {
    List<String> lines = new ArrayList<>(lines(testData.resolve("orders/orders.jsonl")));
    if (lines.size() != ORDER_LINES) {
      throw new IllegalStateException("orders.jsonl has " + lines.size() + " lines, not 400");
    }
    for (int i = 1; i <= PARTITIONS; i++) {
      lines.add(
          "{\"order_id\": \"O-9000"
              + i
              + "\", \"customer_id\": \"C-01\", \"product_id\": \"P-100\", \"quantity\": 1,"
              + " \"unit_price_cents\": 100, \"currency\": \"USD\", \"event_time\": \""
              + MARKER_TIME
              + "\", \"shipping_method\": \"standard\"}");
    }
    write(file, lines);
    return file;
  }

  /**
   * Writes the change stream {@code changelog} (under {@code test-data/enrichment}) followed by a
   * change at {@link #HORIZON_TIME} that re-states its last created or updated row as it was.
   */
  Path changesWithHorizon(String changelog, String keyField, Path file) {
    List<String> lines = new ArrayList<>(lines(testData.resolve("enrichment/" + changelog)));
    ObjectNode last = null;
    for (String line : lines) {
      ObjectNode change = (ObjectNode) parse(line);
      if (!change.path("after").isNull()) {
        last = change;
      }
    }
    if (last == null) {
      throw new IllegalStateException(changelog + " has no row to re-state");
    }
    ObjectNode horizon = last.deepCopy();
    ObjectNode after = (ObjectNode) horizon.get("after");
    after.put("updated_at", HORIZON_TIME.toString());
    horizon.putObject("before").put(keyField, after.get(keyField).asText());
    ObjectNode source = (ObjectNode) horizon.get("source");
    source.put("snapshot", "false");
    source.put("ts_ms", HORIZON_TIME.toEpochMilli());
    source.put("lsn", source.get("lsn").asLong() + 1_000_000);
    horizon.put("op", "u");
    horizon.put("ts_ms", HORIZON_TIME.toEpochMilli() + 250);
    lines.add(horizon.toString());
    write(file, lines);
    return file;
  }

  // ---- Enriched orders -------------------------------------------------------------------------

  /** What the enriched-orders topic holds, compared with the valid test orders. */
  record Enriched(
      int records,
      int testOrders,
      int markers,
      List<String> duplicates,
      Set<String> missing,
      Set<String> unexpected,
      Map<String, String> wrongEnrichment) {

    boolean exact() {
      return duplicates.isEmpty()
          && missing.isEmpty()
          && unexpected.isEmpty()
          && wrongEnrichment.isEmpty();
    }

    String summary() {
      return String.format(
          "enriched %d of 388 valid orders, duplicates %d, missing %d, unexpected %d,"
              + " enriched wrongly %d",
          testOrders - duplicates.size(),
          duplicates.size(),
          missing.size(),
          unexpected.size(),
          wrongEnrichment.size());
    }
  }

  Enriched enriched(List<CommittedTopic.Arrival> arrivals) {
    EventCodec<EnrichedOrder> codec = EventCodec.of(EnrichedOrder.class);
    Map<String, String> seen = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    Set<String> unexpected = new TreeSet<>();
    Map<String, String> wrong = new TreeMap<>();
    int markers = 0;
    int testOrders = 0;
    for (CommittedTopic.Arrival arrival : arrivals) {
      EnrichedOrder order = codec.decode(arrival.value());
      String id = order.getOrder().getOrderId();
      if (id.startsWith("O-9000")) {
        markers++;
        continue;
      }
      testOrders++;
      String enrichment =
          String.join(
              "|",
              String.valueOf(order.getCategory()),
              String.valueOf(order.getCustomerTier()),
              String.valueOf(order.getProductVersion()),
              String.valueOf(order.getCustomerVersion()));
      if (seen.put(id, enrichment) != null) {
        duplicates.add(id);
      }
      String expected = expectedEnrichment.get(id);
      if (expected == null) {
        unexpected.add(id);
      } else if (!expected.equals(enrichment)) {
        wrong.put(id, enrichment + " instead of " + expected);
      }
    }
    Set<String> missing = new TreeSet<>(expectedEnrichment.keySet());
    missing.removeAll(seen.keySet());
    return new Enriched(
        arrivals.size(), testOrders, markers, duplicates, missing, unexpected, wrong);
  }

  /** How many distinct valid test orders the arrivals hold (for waiting on progress). */
  int distinctTestOrders(List<CommittedTopic.Arrival> arrivals) {
    EventCodec<EnrichedOrder> codec = EventCodec.of(EnrichedOrder.class);
    Set<String> ids = new TreeSet<>();
    for (CommittedTopic.Arrival arrival : arrivals) {
      String id = codec.decode(arrival.value()).getOrder().getOrderId();
      if (expectedEnrichment.containsKey(id)) {
        ids.add(id);
      }
    }
    return ids.size();
  }

  // ---- Results and too-late orders -------------------------------------------------------------

  /** The revenue the stream accounts for, compared with the complete revenue. */
  record Revenue(
      int panes,
      int windows,
      int tooLate,
      List<String> duplicatePanes,
      List<WindowKey> reopened,
      Map<WindowKey, String> differences) {

    /** No pane twice, and every window's revenue accounted for: nothing lost or counted twice. */
    boolean exact() {
      return duplicatePanes.isEmpty() && differences.isEmpty();
    }

    String summary() {
      return String.format(
          "%d panes for %d windows, %d too-late orders, duplicate panes %d, windows off %d,"
              + " windows re-opened %d",
          panes, windows, tooLate, duplicatePanes.size(), differences.size(), reopened.size());
    }
  }

  /**
   * For every test window, its last pane (highest pane index) plus the orders diverted as too late,
   * against the complete revenue. Panes of the markers' window are left out.
   *
   * <p>A window can be <em>re-opened</em>: after a restore, an order that reaches the windowing
   * step before the first watermark does is judged against no watermark at all (Flink does not
   * checkpoint watermarks, FLINK-5601), so an order too late for a window that has already closed
   * starts the window afresh, with panes from index 0 again, instead of being diverted. Such a
   * window's revenue is then the sum of each incarnation's last pane; the windows are listed in
   * {@link Revenue#reopened()}. A pane index seen again with the same content is a duplicate.
   */
  Revenue revenue(List<CommittedTopic.Arrival> results, List<CommittedTopic.Arrival> tooLate) {
    return revenue(lastPanes(results), results.size(), tooLate);
  }

  /** The same comparison for the rows of a results table (each row a window's last pane). */
  Revenue revenue(Map<WindowKey, Totals> rows, List<CommittedTopic.Arrival> tooLate) {
    return revenue(new LastPanes(new TreeMap<>(rows), List.of(), List.of()), rows.size(), tooLate);
  }

  private record LastPanes(
      Map<WindowKey, Totals> totals, List<String> duplicates, List<WindowKey> reopened) {}

  private LastPanes lastPanes(List<CommittedTopic.Arrival> results) {
    EventCodec<CategoryRevenue> codec = EventCodec.of(CategoryRevenue.class);
    // Per window, its incarnations in the order they were written; each its panes by index.
    Map<WindowKey, List<TreeMap<Long, CategoryRevenue>>> incarnations = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    for (CommittedTopic.Arrival arrival : results) {
      CategoryRevenue result = codec.decode(arrival.value());
      WindowKey key = WindowKey.of(result);
      List<TreeMap<Long, CategoryRevenue>> windows =
          incarnations.computeIfAbsent(key, k -> new ArrayList<>());
      TreeMap<Long, CategoryRevenue> current =
          windows.isEmpty() ? null : windows.get(windows.size() - 1);
      CategoryRevenue earlier = current == null ? null : current.get(result.getPaneIndex());
      if (current == null
          || (earlier != null && result.getPaneIndex() == 0 && !earlier.equals(result))) {
        current = new TreeMap<>();
        windows.add(current);
      } else if (earlier != null) {
        duplicates.add(key + " pane " + result.getPaneIndex());
        continue;
      }
      current.put(result.getPaneIndex(), result);
    }
    Map<WindowKey, Totals> totals = new TreeMap<>();
    List<WindowKey> reopened = new ArrayList<>();
    incarnations.forEach(
        (key, windows) -> {
          if (windows.size() > 1) {
            reopened.add(key);
          }
          for (TreeMap<Long, CategoryRevenue> panes : windows) {
            CategoryRevenue last = panes.lastEntry().getValue();
            totals.merge(
                key, new Totals(last.getOrderCount(), last.getRevenueCents()), Totals::plus);
          }
        });
    return new LastPanes(totals, duplicates, reopened);
  }

  private Revenue revenue(LastPanes last, int panes, List<CommittedTopic.Arrival> tooLate) {
    EventCodec<TooLateOrder> codec = EventCodec.of(TooLateOrder.class);
    Map<WindowKey, Totals> accounted = new TreeMap<>();
    last.totals()
        .forEach(
            (key, totals) -> {
              if (key.windowStart().isBefore(MARKER_TIME)) {
                accounted.put(key, totals);
              }
            });
    Set<String> diverted = new TreeSet<>();
    List<String> duplicates = new ArrayList<>(last.duplicates());
    for (CommittedTopic.Arrival arrival : tooLate) {
      TooLateOrder late = codec.decode(arrival.value());
      String id = late.getOrder().getOrderId();
      if (!diverted.add(id)) {
        duplicates.add("too-late order " + id);
        continue;
      }
      WindowKey key =
          new WindowKey(
              expectedCategories.getOrDefault(id, "?"),
              late.getOrder().getCurrency(),
              late.getMissedWindow().getWindowStart(),
              late.getMissedWindow().getWindowEnd());
      long revenue = (long) late.getOrder().getQuantity() * late.getOrder().getUnitPriceCents();
      accounted.merge(key, new Totals(1, revenue), Totals::plus);
    }
    Map<WindowKey, String> differences = new TreeMap<>();
    Set<WindowKey> keys = new TreeSet<>(expectedRevenue.keySet());
    keys.addAll(accounted.keySet());
    for (WindowKey key : keys) {
      Totals expected = expectedRevenue.get(key);
      Totals actual = accounted.get(key);
      if (expected == null || !expected.equals(actual)) {
        differences.put(key, actual + " instead of " + expected);
      }
    }
    return new Revenue(
        panes, last.totals().size(), diverted.size(), duplicates, last.reopened(), differences);
  }

  // ---- Dead letters ----------------------------------------------------------------------------

  /** Dead letters by step, and the Kafka positions seen more than once. */
  record DeadLetters(Map<String, Integer> byStep, List<String> repeatedPositions) {
    int total() {
      return byStep.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  DeadLetters deadLetters(List<CommittedTopic.Arrival> arrivals) {
    EventCodec<DeadLetter> codec = EventCodec.of(DeadLetter.class);
    Map<String, Integer> byStep = new TreeMap<>();
    Set<String> positions = new TreeSet<>();
    List<String> repeated = new ArrayList<>();
    for (CommittedTopic.Arrival arrival : arrivals) {
      DeadLetter deadLetter = codec.decode(arrival.value());
      byStep.merge(deadLetter.getStep(), 1, Integer::sum);
      String position =
          deadLetter.getPosition().getName()
              + "["
              + deadLetter.getPosition().getPartition()
              + "]:"
              + deadLetter.getPosition().getOffset();
      if (deadLetter.getPosition().getOffset() != null && !positions.add(position)) {
        repeated.add(position);
      }
    }
    return new DeadLetters(byStep, repeated);
  }

  // ---- Files -----------------------------------------------------------------------------------

  private static List<JsonNode> rows(Path file) {
    return lines(file).stream().map(StreamCheck::parse).toList();
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

  private static void write(Path file, List<String> lines) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, lines, StandardCharsets.UTF_8);
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
