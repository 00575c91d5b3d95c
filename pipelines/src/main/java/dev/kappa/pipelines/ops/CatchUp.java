package dev.kappa.pipelines.ops;

import java.time.Duration;
import java.util.List;
import javax.annotation.Nullable;

/**
 * How far a reprocessing version has read through its backlog, as {@code kappa reprocess} shows it:
 * per partition the records read out of the backlog (its committed offset past the start, up to the
 * end offset at launch), the watermark against the live version's, and an estimate of the time left
 * from the rate so far. Pure: the command feeds it what Kafka and Flink report, and prints what
 * {@link Display} returns.
 */
final class CatchUp {
  private CatchUp() {}

  /** One partition: where the version started, the end at launch, and its committed offset. */
  record Partition(String topic, int partition, long start, long target, @Nullable Long committed) {

    long backlog() {
      return Math.max(0, target - start);
    }

    long read() {
      return committed == null ? 0 : Math.max(0, Math.min(committed, target) - start);
    }

    boolean caughtUp() {
      return committed != null && committed >= target;
    }
  }

  /**
   * The two versions' watermarks as Flink reports them (epoch millis), each null while there is
   * none: the new version before its first watermark, the live one when it is not running. {@code
   * embedded}: the new version runs on the embedded runner, whose mini cluster has no REST API the
   * command asks, so its watermark is shown as {@code n/a (embedded)}; {@code liveAsked}: false
   * when no cluster was given to ask for the live version's ({@code n/a}).
   */
  record Watermarks(
      @Nullable Long version, @Nullable Long live, boolean embedded, boolean liveAsked) {

    /** A version on a cluster, the live one asked on a cluster too. */
    Watermarks(@Nullable Long version, @Nullable Long live) {
      this(version, live, false, true);
    }
  }

  /** Whether every partition has committed its end offset at launch. */
  static boolean caughtUp(List<Partition> partitions) {
    return partitions.stream().allMatch(Partition::caughtUp);
  }

  /**
   * One line: {@code [#####.....] 52% 1300/2500 records, 12 s left; watermark 10:25:00 (live
   * 11:59:00)}; with a bar for a terminal, without one ({@code 52% ...}) for a log; without the
   * watermarks when {@code watermarks} is null; {@code watermark n/a (embedded) (live n/a)} for a
   * version on the embedded runner with no cluster given for the live one.
   */
  static String line(
      List<Partition> partitions, Duration elapsed, @Nullable Watermarks watermarks, boolean bar) {
    long backlog = partitions.stream().mapToLong(Partition::backlog).sum();
    long read = partitions.stream().mapToLong(Partition::read).sum();
    double fraction = backlog == 0 ? 1 : (double) read / backlog;
    StringBuilder line = new StringBuilder();
    if (bar) {
      int width = 30;
      int filled = (int) Math.round(fraction * width);
      line.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
    }
    line.append(Math.round(fraction * 100))
        .append("% ")
        .append(read)
        .append('/')
        .append(backlog)
        .append(" records")
        .append(", ")
        .append(left(read, backlog, elapsed));
    if (watermarks != null) {
      line.append("; watermark ")
          .append(
              watermarks.embedded()
                  ? "n/a (embedded)"
                  : watermarks.version() == null
                      ? "none yet"
                      : Formats.watermark(watermarks.version()))
          .append(" (live ")
          .append(
              !watermarks.liveAsked()
                  ? "n/a"
                  : watermarks.live() == null ? "none" : Formats.watermark(watermarks.live()))
          .append(')');
    }
    return line.toString();
  }

  /** Per partition: {@code orders[0] 300/1000}. */
  static String partitions(List<Partition> partitions) {
    StringBuilder text = new StringBuilder();
    for (Partition p : partitions) {
      text.append(text.length() == 0 ? "" : ", ")
          .append(p.topic())
          .append('[')
          .append(p.partition())
          .append("] ")
          .append(p.read())
          .append('/')
          .append(p.backlog());
    }
    return text.toString();
  }

  /** The time left at the rate so far: {@code 12 s left}, or why there is no estimate. */
  static String left(long read, long backlog, Duration elapsed) {
    if (read >= backlog) {
      return "caught up";
    }
    if (read == 0 || elapsed.isZero()) {
      return "time left unknown until the first checkpoint commits offsets";
    }
    double perMilli = (double) read / elapsed.toMillis();
    long millis = (long) Math.ceil((backlog - read) / perMilli);
    return Formats.duration(millis) + " left";
  }

  /**
   * What {@code kappa reprocess} prints for each sample of the progress. On a terminal, the line
   * with its bar is redrawn in place ({@code \r}, padded over a longer previous line) at every
   * sample, and ended with a newline once caught up. Otherwise (a log, a pipe) a plain line with
   * the partitions is printed at the first sample, then once per {@code plainEvery}, and at the
   * sample that finds the version caught up: no control characters, one line each.
   */
  static final class Display {
    private final boolean terminal;
    private final Duration plainEvery;
    @Nullable private Duration lastPlain;
    private int lastWidth;

    Display(boolean terminal, Duration plainEvery) {
      this.terminal = terminal;
      this.plainEvery = plainEvery;
    }

    /**
     * The text to print for a sample taken {@code elapsed} after the start; empty when a plain line
     * is not due.
     */
    String show(List<Partition> now, Duration elapsed, @Nullable Watermarks watermarks) {
      boolean done = caughtUp(now);
      if (terminal) {
        String line = line(now, elapsed, watermarks, true);
        String padding = " ".repeat(Math.max(0, lastWidth - line.length()));
        lastWidth = line.length();
        return "\r" + line + padding + (done ? "\n" : "");
      }
      if (!done && lastPlain != null && elapsed.minus(lastPlain).compareTo(plainEvery) < 0) {
        return "";
      }
      lastPlain = elapsed;
      return line(now, elapsed, watermarks, false) + " (" + partitions(now) + ")\n";
    }
  }
}
