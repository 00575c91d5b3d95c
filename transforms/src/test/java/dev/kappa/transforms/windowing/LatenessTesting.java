package dev.kappa.transforms.windowing;

import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.transforms.lateness.DivertTooLateEvents;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Shared fixtures for the lateness tests: a test stream of {@code KV<String, Long>} events, the
 * windowing under test, and its outputs summed per key.
 *
 * <p>Times are written as offsets from {@link #BASE} ({@code minutes(3)} is 00:03), values are
 * powers of ten so that every sum says which events it contains.
 */
final class LatenessTesting {
  static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

  /** The allowed lateness of every windowing under test, except the global window's. */
  static final Duration ALLOWED_LATENESS = Duration.standardMinutes(10);

  /** Processing time from a pane's first element to its early firing. */
  static final Duration EARLY_FIRING_DELAY = Duration.standardMinutes(1);

  private LatenessTesting() {}

  static Duration minutes(long minutes) {
    return Duration.standardMinutes(minutes);
  }

  static Duration seconds(long seconds) {
    return Duration.standardSeconds(seconds);
  }

  /** The instant {@code sinceBase} after {@link #BASE}. */
  static Instant at(Duration sinceBase) {
    return BASE.plus(sinceBase);
  }

  /** The window {@code [BASE + start, BASE + end)}. */
  static IntervalWindow window(Duration start, Duration end) {
    return new IntervalWindow(at(start), at(end));
  }

  static TimestampedValue<KV<String, Long>> event(String key, long value, Duration sinceBase) {
    return TimestampedValue.of(KV.of(key, value), at(sinceBase));
  }

  /** A test stream whose watermark starts at {@link #BASE}. */
  static TestStream.Builder<KV<String, Long>> events() {
    return TestStream.create(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .advanceWatermarkTo(BASE);
  }

  /**
   * {@code spec} with early firings every {@link #EARLY_FIRING_DELAY}, a late firing after every
   * late element, {@link #ALLOWED_LATENESS} and the given accumulation; the rest defaults.
   */
  static Windowing windowing(WindowSpec spec, AccumulationMode mode) {
    return Windowing.of(spec)
        .withEarlyFiringsEvery(EARLY_FIRING_DELAY)
        .withLateFiringsEvery(1)
        .withAllowedLateness(ALLOWED_LATENESS)
        .withAccumulationMode(mode);
  }

  /** What a too-late record must say, with every time given as an offset from {@link #BASE}. */
  static MissedWindow missed(
      IntervalWindow window, Duration eventTime, Duration watermark, Duration lateBy) {
    return missed(window, eventTime, watermark, ALLOWED_LATENESS, lateBy);
  }

  static MissedWindow missed(
      IntervalWindow window,
      Duration eventTime,
      Duration watermark,
      Duration allowedLateness,
      Duration lateBy) {
    return MissedWindow.newBuilder()
        .setWindowStart(java.time.Instant.ofEpochMilli(window.start().getMillis()))
        .setWindowEnd(java.time.Instant.ofEpochMilli(window.end().getMillis()))
        .setEventTime(java.time.Instant.ofEpochMilli(at(eventTime).getMillis()))
        .setWatermark(java.time.Instant.ofEpochMilli(at(watermark).getMillis()))
        .setAllowedLatenessMillis(allowedLateness.getMillis())
        .setLateByMillis(lateBy.getMillis())
        .build();
  }

  /** The outputs of {@link WindowEvents} with the windowed events summed per key and window. */
  static final class Outputs {
    /** One sum per key, window and pane. */
    final PCollection<KV<String, Long>> sums;

    /** The same panes described as text, e.g. {@code "#1 LATE final a=11"}; see {@link #pane}. */
    final PCollection<String> panes;

    final PCollection<KV<KV<String, Long>, MissedWindow>> tooLate;

    private Outputs(
        PCollection<KV<String, Long>> sums,
        PCollection<String> panes,
        PCollection<KV<KV<String, Long>, MissedWindow>> tooLate) {
      this.sums = sums;
      this.panes = panes;
      this.tooLate = tooLate;
    }
  }

  /** Applies {@code WindowEvents.using(windowing)} to {@code events} and sums per key. */
  static Outputs windowAndSum(
      TestPipeline p, TestStream<KV<String, Long>> events, Windowing windowing) {
    WindowEvents<KV<String, Long>> windowEvents = WindowEvents.using(windowing);
    PCollectionTuple split = p.apply("Events", events).apply("WindowEvents", windowEvents);
    PCollection<KV<String, Long>> sums =
        split.get(windowEvents.windowedTag()).apply("SumPerKey", Sum.longsPerKey());
    PCollection<String> panes = sums.apply("DescribePanes", ParDo.of(new DescribePaneFn()));
    return new Outputs(sums, panes, split.get(windowEvents.tooLateTag()));
  }

  /**
   * How {@link Outputs#panes} describes a pane: its index, timing, whether it is the window's last
   * pane, and the key's sum, e.g. {@code pane(2, "ON_TIME", "a", 111)} is {@code "#2 ON_TIME
   * a=111"}.
   */
  static String pane(int index, String timing, String key, long sum) {
    return "#" + index + " " + timing + " " + key + "=" + sum;
  }

  /** As {@link #pane}, for the window's last pane. */
  static String finalPane(int index, String timing, String key, long sum) {
    return "#" + index + " " + timing + " final " + key + "=" + sum;
  }

  private static final class DescribePaneFn extends DoFn<KV<String, Long>, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, Long> sum, PaneInfo pane, OutputReceiver<String> out) {
      String key = sum.getKey();
      long value = sum.getValue();
      int index = (int) pane.getIndex();
      String timing = pane.getTiming().name();
      out.output(
          pane.isLast() ? finalPane(index, timing, key, value) : pane(index, timing, key, value));
    }
  }

  /** The {@code tooLateRecords} counter, summed over steps. */
  static long tooLateCount(PipelineResult result) {
    return counter(result, DivertTooLateEvents.TOO_LATE_COUNTER);
  }

  /** The {@code lateRecordsAccepted} counter, summed over steps. */
  static long lateAcceptedCount(PipelineResult result) {
    return counter(result, DivertTooLateEvents.LATE_ACCEPTED_COUNTER);
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(DivertTooLateEvents.class, name))
                    .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
