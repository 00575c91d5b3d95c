package dev.kappa.transforms.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class MeasureOutputTest {

  @Test
  void passesRecordsThroughAndMeasuresEmitTimeMinusEventTime(TestPipeline p) {
    Instant now = Instant.now();
    Instant anHourAgo = now.minus(Duration.standardHours(1));
    Instant aDayAgo = now.minus(Duration.standardDays(1));
    PCollection<String> out =
        p.apply(
                TestStream.create(StringUtf8Coder.of())
                    .addElements(
                        TimestampedValue.of("an hour ago", anHourAgo),
                        TimestampedValue.of("a day ago", aDayAgo))
                    .advanceWatermarkToInfinity())
            .apply(MeasureOutput.named("results"));

    PAssert.that(out).containsInAnyOrder("an hour ago", "a day ago");
    PipelineResult result = p.run();
    long afterRun = Instant.now().getMillis();

    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace("results"))
                    .build());
    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> counter : metrics.getCounters()) {
      counters.merge(counter.getName().getName(), counter.getAttempted(), Long::sum);
    }
    assertThat(counters.get(MeasureOutput.RECORDS), equalTo(2L));
    assertThat(counters.get(MeasureOutput.LATENCY_COUNT), equalTo(2L));
    DistributionResult latency = metrics.getDistributions().iterator().next().getAttempted();
    assertThat(latency.getCount(), equalTo(2L));
    assertThat(latency.getMin(), greaterThanOrEqualTo(Duration.standardHours(1).getMillis()));
    assertThat(latency.getMin(), lessThanOrEqualTo(afterRun - anHourAgo.getMillis()));
    assertThat(latency.getMax(), greaterThanOrEqualTo(Duration.standardDays(1).getMillis()));
    assertThat(latency.getMax(), lessThanOrEqualTo(afterRun - aDayAgo.getMillis()));
    // The counters' mean is the distribution's.
    assertThat(counters.get(MeasureOutput.LATENCY_SUM), equalTo(latency.getSum()));
    // The histogram's buckets are cumulative: an hour ago is in the buckets of a day and more
    // only (it took a few milliseconds to measure, so not in the hour's), a day ago in none.
    for (long bound : MeasureOutput.LATENCY_BUCKETS_MILLIS) {
      long expected = bound >= latency.getMin() ? 1 : 0;
      expected += bound >= latency.getMax() ? 1 : 0;
      assertThat(
          "bucket le " + bound,
          counters.getOrDefault(MeasureOutput.latencyBucket(bound), 0L),
          equalTo(expected));
    }
    assertThat(counters.get(MeasureOutput.LATENCY_BUCKET_INF), equalTo(2L));
  }

  @Test
  void rejectsABlankName() {
    Assertions.assertThrows(IllegalArgumentException.class, () -> MeasureOutput.named(" "));
  }
}
