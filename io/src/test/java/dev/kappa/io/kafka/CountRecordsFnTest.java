package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link CountRecordsFn}: the records pass unchanged and are counted in the read's namespace. */
@ExtendWith(TestPipelineExtension.class)
class CountRecordsFnTest {

  /** Two partitions of one topic and one of another, in runs and interleaved. */
  private static List<SourceRecord> records() {
    List<SourceRecord> records = new ArrayList<>();
    String[][] placed = {
      {"orders", "0"}, {"orders", "0"}, {"orders", "1"}, {"orders", "0"}, {"payments", "0"}
    };
    for (int i = 0; i < placed.length; i++) {
      records.add(
          SourceRecords.of(
              placed[i][0],
              Integer.parseInt(placed[i][1]),
              i,
              1_000L + i,
              i % 2 == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8),
              ("value-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return records;
  }

  @Test
  void countsRecordsBytesAndEachPartitionsRecords(TestPipeline pipeline) {
    PCollection<SourceRecord> counted =
        pipeline
            .apply(Create.of(records()).withCoder(SpecificRecordCoder.of(SourceRecord.class)))
            .apply(ParDo.of(new CountRecordsFn(ReadKafkaRange.class, true)));
    PAssert.that(counted).containsInAnyOrder(records());

    Map<String, Long> counters = counters(pipeline.run(), ReadKafkaRange.class);

    long bytes = 0;
    for (SourceRecord record : records()) {
      bytes +=
          (record.getKey() == null ? 0 : record.getKey().remaining())
              + record.getPayload().remaining();
    }
    assertThat(
        counters,
        equalTo(
            Map.of(
                "records", 5L,
                "bytes", bytes,
                "records-orders-0", 3L,
                "records-orders-1", 1L,
                "records-payments-0", 1L)));
  }

  @Test
  void withoutPartitionsOnlyRecordsAndBytes(TestPipeline pipeline) {
    pipeline
        .apply(Create.of(records()).withCoder(SpecificRecordCoder.of(SourceRecord.class)))
        .apply(ParDo.of(new CountRecordsFn(ReadKafka.class, false)));

    Map<String, Long> counters = counters(pipeline.run(), ReadKafka.class);

    assertThat(counters.keySet(), equalTo(Set.of("records", "bytes")));
    assertThat(counters.get("records"), equalTo(5L));
  }

  /** The attempted counters of {@code namespace}, by name. */
  private static Map<String, Long> counters(PipelineResult result, Class<?> namespace) {
    result.waitUntilFinish();
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (!counter.getName().getNamespace().equals(namespace.getName())) {
        continue;
      }
      counters.merge(counter.getName().getName(), counter.getAttempted(), Long::sum);
    }
    return counters;
  }
}
