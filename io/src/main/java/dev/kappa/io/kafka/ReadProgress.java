package dev.kappa.io.kafka;

import dev.kappa.io.watermark.ProcessingClock;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;

/**
 * Logs how far one reader is through its offset range, every {@link #INTERVAL} and at the end:
 * {@code partition orders-0: 12000/50000 records (24%), 8000 rec/s, ~5 s left}. Counts are offsets,
 * so that the percentage and the time left stay right on compacted topics. The rate counts only
 * what this reader read, not what a reader it was restored from had read. A reader that filters by
 * timestamp ({@link KafkaRangeSource}) also says how many records were in range and how many it
 * skipped, and why: {@code ...; 11990 in range, skipped 6 before from, 4 at or after to}.
 */
final class ReadProgress {
  /** How often a running reader logs. */
  static final Duration INTERVAL = Duration.standardSeconds(5);

  private final Logger log;
  private final String label;
  private final long total;
  private final long alreadyDone;
  private final ProcessingClock clock;
  private final Instant startedAt;
  private Instant lastLoggedAt;
  private long done;
  private boolean filtered;
  private long inRange;
  private long beforeFrom;
  private long atOrAfterTo;

  /**
   * Progress through {@code total} offsets of the partition called {@code label}, of which {@code
   * alreadyDone} were read before this reader started (by the reader it was restored from).
   */
  ReadProgress(Logger log, String label, long total, long alreadyDone, ProcessingClock clock) {
    this.log = log;
    this.label = label;
    this.total = total;
    this.alreadyDone = alreadyDone;
    this.done = alreadyDone;
    this.clock = clock;
    this.startedAt = clock.now();
    this.lastLoggedAt = startedAt;
  }

  /** {@code done} of the offsets have been read; logs if the interval has passed. */
  void update(long done) {
    this.done = done;
    Instant now = clock.now();
    if (!now.isBefore(lastLoggedAt.plus(INTERVAL))) {
      lastLoggedAt = now;
      log.info(describe(now));
    }
  }

  /**
   * So far {@code inRange} records were kept, {@code beforeFrom} skipped as stamped before the
   * range's start and {@code atOrAfterTo} as stamped at or after its end.
   */
  void counted(long inRange, long beforeFrom, long atOrAfterTo) {
    this.filtered = true;
    this.inRange = inRange;
    this.beforeFrom = beforeFrom;
    this.atOrAfterTo = atOrAfterTo;
  }

  /**
   * The range has been read: logs the final line, unless this reader read nothing because the one
   * it was restored from had already finished.
   */
  void finish(long done) {
    this.done = done;
    if (done > alreadyDone || alreadyDone == 0) {
      log.info(describe(clock.now()));
    }
  }

  /** The progress line at {@code now}. */
  String describe(Instant now) {
    long elapsedMillis = Math.max(0, now.getMillis() - startedAt.getMillis());
    long percent = total == 0 ? 100 : done * 100 / total;
    long rate = elapsedMillis == 0 ? 0 : (done - alreadyDone) * 1000 / elapsedMillis;
    String tail;
    if (done >= total) {
      tail = "done in " + Math.round(elapsedMillis / 1000.0) + " s";
    } else if (rate == 0) {
      tail = "time left unknown";
    } else {
      tail = "~" + Math.max(1, Math.round((total - done) / (double) rate)) + " s left";
    }
    return "partition "
        + label
        + ": "
        + done
        + "/"
        + total
        + " records ("
        + percent
        + "%), "
        + rate
        + " rec/s, "
        + tail
        + (filtered
            ? "; "
                + inRange
                + " in range, skipped "
                + beforeFrom
                + " before from, "
                + atOrAfterTo
                + " at or after to"
            : "");
  }
}
