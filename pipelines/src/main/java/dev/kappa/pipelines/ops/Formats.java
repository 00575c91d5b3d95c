package dev.kappa.pipelines.ops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How {@code kappa status} and {@code kappa stop} write times, sizes, numbers and tables. */
final class Formats {
  private Formats() {}

  /** Beam's end of time (BoundedWindow.TIMESTAMP_MAX_VALUE) in millis: a source that finished. */
  static final long END_OF_TIME_MILLIS = 9223371950454775L;

  /** Beam's start of time: no watermark yet. */
  static final long START_OF_TIME_MILLIS = -9223372036854775L;

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** {@code 2026-03-01 10:45:10} (UTC). */
  static String instant(long epochMillis) {
    return UTC.format(Instant.ofEpochMilli(epochMillis));
  }

  /**
   * A watermark: an instant, {@code end} once its inputs are done (Beam's end of time), {@code
   * none} before any.
   */
  static String watermark(long epochMillis) {
    if (epochMillis >= END_OF_TIME_MILLIS) {
      return "end";
    }
    if (epochMillis <= START_OF_TIME_MILLIS) {
      return "none";
    }
    return instant(epochMillis);
  }

  /**
   * {@code 850 ms}, {@code 1.6 s}, {@code 47 s}, {@code 3m 05s}, {@code 2h 07m}, {@code 264d 13h}.
   */
  static String duration(long millis) {
    if (millis < 0) {
      return "-" + duration(-millis);
    }
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis < 10_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86_400) {
      return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd %02dh", seconds / 86_400, seconds % 86_400 / 3600);
  }

  /** {@code 512 B}, {@code 818.4 KiB}, {@code 1.2 MiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** {@code 3.4}, {@code 0.0}: one decimal. */
  static String decimal(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  /**
   * Columns padded to their widest cell, two spaces apart; columns listed in {@code rightAligned}
   * (numbers) are right-aligned. Trailing spaces are trimmed.
   */
  static List<String> table(List<List<String>> rows, int... rightAligned) {
    int columns = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          line.append("  ");
        }
        String cell = row.get(i);
        String padding = " ".repeat(widths[i] - cell.length());
        if (contains(rightAligned, i)) {
          line.append(padding).append(cell);
        } else {
          line.append(cell).append(padding);
        }
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  private static boolean contains(int[] values, int value) {
    for (int candidate : values) {
      if (candidate == value) {
        return true;
      }
    }
    return false;
  }
}
