package dev.kappa.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a contender computed, in a form every contender can write and the race can compare: the
 * category revenue rows ({@code window_start category currency} to {@code order_count
 * revenue_cents}), the number of valid orders and the number of dead letters.
 *
 * <p>The floor contender only decodes: it has counts and no rows ({@link #hasRows()} false), and is
 * compared on its counts.
 */
record RaceResult(
    TreeMap<String, String> rows, boolean hasRows, long validOrders, long deadLetters) {

  static final String FILE = "result.tsv";

  RaceResult {
    Objects.requireNonNull(rows, "rows");
  }

  /** The key of one row: window start (ISO-8601), category and currency. */
  static String key(long windowStartMillis, String category, String currency) {
    return Instant.ofEpochMilli(windowStartMillis) + " " + category + " " + currency;
  }

  static RaceResult of(Map<String, long[]> totals, long validOrders, long deadLetters) {
    TreeMap<String, String> rows = new TreeMap<>();
    totals.forEach((key, sums) -> rows.put(key, sums[0] + " " + sums[1]));
    return new RaceResult(rows, true, validOrders, deadLetters);
  }

  static RaceResult countsOnly(long validOrders, long deadLetters) {
    return new RaceResult(new TreeMap<>(), false, validOrders, deadLetters);
  }

  /** The orders the rows count. */
  long orderCountInRows() {
    return rows.values().stream().mapToLong(v -> Long.parseLong(v.split(" ")[0])).sum();
  }

  /** Writes this result to {@code dir}/{@value #FILE}. */
  void write(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# valid_orders " + validOrders);
    lines.add("# dead_letters " + deadLetters);
    lines.add("# has_rows " + hasRows);
    rows.forEach((key, value) -> lines.add(key + "\t" + value));
    Files.createDirectories(dir);
    Files.write(dir.resolve(FILE), lines, StandardCharsets.UTF_8);
  }

  /** Reads what {@link #write} wrote. */
  static RaceResult read(Path dir) throws IOException {
    TreeMap<String, String> rows = new TreeMap<>();
    long valid = -1;
    long dead = -1;
    boolean hasRows = false;
    for (String line : Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8)) {
      if (line.startsWith("# valid_orders ")) {
        valid = Long.parseLong(line.substring(15));
      } else if (line.startsWith("# dead_letters ")) {
        dead = Long.parseLong(line.substring(15));
      } else if (line.startsWith("# has_rows ")) {
        hasRows = Boolean.parseBoolean(line.substring(11));
      } else if (!line.isBlank()) {
        String[] parts = line.split("\t");
        rows.put(parts[0], parts[1]);
      }
    }
    return new RaceResult(rows, hasRows, valid, dead);
  }

  /**
   * How {@code other} differs from this result (the truth), empty if it does the same work: the
   * same dead letters and valid orders, and, if it has rows, the same rows.
   */
  List<String> differences(RaceResult other) {
    List<String> problems = new ArrayList<>();
    if (other.deadLetters != deadLetters) {
      problems.add("dead letters: " + other.deadLetters + ", expected " + deadLetters);
    }
    long otherValid = other.hasRows ? other.orderCountInRows() : other.validOrders;
    if (otherValid != validOrders) {
      problems.add("valid orders counted: " + otherValid + ", expected " + validOrders);
    }
    if (other.hasRows && !other.rows.equals(rows)) {
      TreeSet<String> keys = new TreeSet<>(rows.keySet());
      keys.addAll(other.rows.keySet());
      int shown = 0;
      int differing = 0;
      for (String key : keys) {
        String expected = rows.get(key);
        String actual = other.rows.get(key);
        if (!Objects.equals(expected, actual)) {
          differing++;
          if (shown++ < 5) {
            problems.add("row " + key + ": " + actual + ", expected " + expected);
          }
        }
      }
      problems.add(
          differing
              + " of "
              + keys.size()
              + " rows differ ("
              + other.rows.size()
              + " rows, "
              + rows.size()
              + " expected)");
    }
    return problems;
  }
}
