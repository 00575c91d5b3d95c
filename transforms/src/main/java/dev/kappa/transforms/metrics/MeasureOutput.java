package dev.kappa.transforms.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * Passes records through unchanged, counting them and measuring their end-to-end event-time
 * latency: the processing time at which the record leaves the pipeline minus its event time (for a
 * window's result, its timestamp is the end of the window, so the latency is how long after the
 * window closed in event time the pane was emitted).
 *
 * <p>Metrics, in the namespace given to {@link #named} (the output's name): counter {@value
 * #RECORDS}, distribution {@value #LATENCY} in milliseconds (count, sum, min, max), and the same as
 * counters {@value #LATENCY_SUM} and {@value #LATENCY_COUNT} for reporters that export only numbers
 * (Flink's Prometheus reporter), and cumulative bucket counters {@code eventTimeLatency_le_<ms>}
 * (and {@code eventTimeLatency_le_inf}) over {@link #LATENCY_BUCKETS_MILLIS}: a histogram from
 * which Prometheus' {@code histogram_quantile} gives percentiles once the bound is made a label.
 *
 * <pre>{@code
 * results.apply("MeasureOutput", MeasureOutput.named("result")).apply("WriteResults", sink);
 * }</pre>
 *
 * @param <T> the records
 */
public final class MeasureOutput<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private static final long serialVersionUID = 1L;

  /** Counter of records emitted. */
  public static final String RECORDS = "recordsOut";

  /** Distribution of emit time minus event time, in milliseconds. */
  public static final String LATENCY = "eventTimeLatencyMillis";

  /**
   * The latency again as two counters, the sum of the latencies in milliseconds and how many were
   * measured: Flink's Prometheus reporter cannot export a Beam distribution (the Flink runner
   * publishes it as text), but it exports counters, and {@code rate(sum) / rate(count)} is the mean
   * latency over any interval.
   */
  public static final String LATENCY_SUM = "eventTimeLatencyMillisSum";

  /** See {@link #LATENCY_SUM}. */
  public static final String LATENCY_COUNT = "eventTimeLatencyCount";

  /**
   * The upper bounds, in milliseconds, of the latency histogram's buckets, from 100 ms to a day;
   * counter {@code eventTimeLatency_le_<bound>} counts the records with a latency of at most the
   * bound (cumulative, as Prometheus histograms), {@value #LATENCY_BUCKET_INF} every measured one.
   */
  public static final List<Long> LATENCY_BUCKETS_MILLIS =
      List.of(
          100L,
          250L,
          500L,
          1_000L,
          2_500L,
          5_000L,
          10_000L,
          30_000L,
          60_000L,
          300_000L,
          900_000L,
          3_600_000L,
          86_400_000L);

  /** The prefix of the latency histogram's bucket counters: {@code eventTimeLatency_le_}. */
  public static final String LATENCY_BUCKET_PREFIX = "eventTimeLatency_le_";

  /** The histogram's last bucket, every measured record (Prometheus' {@code le="+Inf"}). */
  public static final String LATENCY_BUCKET_INF = LATENCY_BUCKET_PREFIX + "inf";

  /** The name of the bucket counter of upper bound {@code millis}. */
  public static String latencyBucket(long millis) {
    return LATENCY_BUCKET_PREFIX + millis;
  }

  private final String output;

  private MeasureOutput(String output) {
    this.output = output;
  }

  /**
   * Measures the output called {@code output} (e.g. results, deadLetters), its metrics namespace.
   */
  public static <T> MeasureOutput<T> named(String output) {
    checkArgument(output != null && !output.isBlank(), "output name must not be blank");
    return new MeasureOutput<>(output);
  }

  @Override
  public PCollection<T> expand(PCollection<T> records) {
    return records.apply(ParDo.of(new MeasureFn<T>(output))).setCoder(records.getCoder());
  }

  private static final class MeasureFn<T> extends DoFn<T, T> {
    private static final long serialVersionUID = 1L;
    private final Counter records;
    private final Distribution latency;
    private final Counter latencySum;
    private final Counter latencyCount;
    private final List<Counter> buckets;
    private final Counter bucketInf;

    MeasureFn(String output) {
      this.records = Metrics.counter(output, RECORDS);
      this.latency = Metrics.distribution(output, LATENCY);
      this.latencySum = Metrics.counter(output, LATENCY_SUM);
      this.latencyCount = Metrics.counter(output, LATENCY_COUNT);
      List<Counter> counters = new ArrayList<>();
      for (long bound : LATENCY_BUCKETS_MILLIS) {
        counters.add(Metrics.counter(output, latencyBucket(bound)));
      }
      this.buckets = counters;
      this.bucketInf = Metrics.counter(output, LATENCY_BUCKET_INF);
    }

    /**
     * Touches every bucket once per bundle: Flink's reporter exports a counter only once it was
     * touched, and a quantile needs the buckets a bundle's latencies were all above too.
     */
    @StartBundle
    public void startBundle() {
      buckets.forEach(bucket -> bucket.inc(0));
    }

    @ProcessElement
    public void process(@Element T record, @Timestamp Instant timestamp, OutputReceiver<T> out) {
      records.inc();
      // Records at the end of the global window (a global-window result) have no event time.
      if (timestamp.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE)
          && timestamp.isBefore(GlobalWindow.INSTANCE.maxTimestamp())) {
        long millis = Math.max(0, Instant.now().getMillis() - timestamp.getMillis());
        latency.update(millis);
        latencySum.inc(millis);
        latencyCount.inc();
        // The buckets whose bound the latency is within (the bounds ascend).
        for (int i = LATENCY_BUCKETS_MILLIS.size() - 1;
            i >= 0 && millis <= LATENCY_BUCKETS_MILLIS.get(i);
            i--) {
          buckets.get(i).inc();
        }
        bucketInf.inc();
      }
      out.output(record);
    }
  }
}
