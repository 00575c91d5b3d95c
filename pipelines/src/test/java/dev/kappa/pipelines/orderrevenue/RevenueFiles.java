package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.ProductRevenue;
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

  /** A result's identity: one product and currency in one window. */
  record WindowKey(String productId, String currency, Instant windowStart, Instant windowEnd)
      implements Comparable<WindowKey> {
    @Override
    public int compareTo(WindowKey other) {
      int byStart = windowStart.compareTo(other.windowStart);
      if (byStart != 0) {
        return byStart;
      }
      int byProduct = productId.compareTo(other.productId);
      return byProduct != 0 ? byProduct : currency.compareTo(other.currency);
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

  /** The complete results a bounded run must produce, from {@code expected-revenue.jsonl}. */
  static Map<WindowKey, Totals> expectedRevenue(String file) {
    Map<WindowKey, Totals> expected = new TreeMap<>();
    for (String line : lines(testData(file))) {
      JsonNode row = parse(line);
      expected.put(
          new WindowKey(
              row.get("product_id").asText(),
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

  static List<ProductRevenue> results(Path prefix) {
    EventCodec<ProductRevenue> codec = EventCodec.of(ProductRevenue.class);
    return written(prefix).stream().map(codec::fromJson).toList();
  }

  static List<TooLateOrder> tooLate(Path prefix) {
    EventCodec<TooLateOrder> codec = EventCodec.of(TooLateOrder.class);
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
  static Map<WindowKey, Totals> finalResults(List<ProductRevenue> results) {
    Map<WindowKey, Totals> finals = new TreeMap<>();
    Map<WindowKey, Integer> panes = new HashMap<>();
    for (ProductRevenue result : results) {
      WindowKey key =
          new WindowKey(
              result.getProductId(),
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

  /** What the too-late orders would have added to each window. */
  static Map<WindowKey, Totals> tooLateTotals(List<TooLateOrder> tooLate) {
    Map<WindowKey, Totals> totals = new TreeMap<>();
    for (TooLateOrder late : tooLate) {
      WindowKey key =
          new WindowKey(
              late.getOrder().getProductId(),
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
