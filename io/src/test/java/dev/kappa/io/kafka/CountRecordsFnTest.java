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
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
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
  void emitsBatchesRecordByRecordWithTheirOwnTimestampsAndCountsThem(TestPipeline pipeline) {
    // As the range source batches them: each batch from one partition.
    List<TimestampedValue<SourceRecord>> orders0 = new ArrayList<>();
    List<TimestampedValue<SourceRecord>> others = new ArrayList<>();
    List<TimestampedValue<SourceRecord>> all = new ArrayList<>();
    for (SourceRecord record : records()) {
      TimestampedValue<SourceRecord> stamped =
          TimestampedValue.of(record, new Instant(60_000L - record.getPosition().getOffset()));
      all.add(stamped);
      if (record.getPosition().getName().equals("orders")
          && record.getPosition().getPartition() == 0) {
        orders0.add(stamped);
      } else {
        others.add(stamped);
      }
    }
    List<List<TimestampedValue<SourceRecord>>> batches = new ArrayList<>();
    batches.add(orders0);
    for (TimestampedValue<SourceRecord> other : others) {
      batches.add(List.of(other));
    }
    batches.add(List.of());

    PCollection<TimestampedValue<SourceRecord>> emitted =
        pipeline
            .apply(Create.of(batches).withCoder(KafkaRangeSource.batchCoder()))
            .apply(ParDo.of(new CountRecordsFn.OfBatches(ReadKafkaRange.class, true)))
            .apply(Reify.timestamps());
    PAssert.that(emitted).containsInAnyOrder(all);

    Map<String, Long> counters = counters(pipeline.run(), ReadKafkaRange.class);

    assertThat(counters.get("records"), equalTo(5L));
    assertThat(counters.get("records-orders-0"), equalTo(3L));
    assertThat(counters.get("records-orders-1"), equalTo(1L));
    assertThat(counters.get("records-payments-0"), equalTo(1L));
    long bytes = 0;
    for (SourceRecord record : records()) {
      bytes +=
          (record.getKey() == null ? 0 : record.getKey().remaining())
              + record.getPayload().remaining();
    }
    assertThat(counters.get("bytes"), equalTo(bytes));
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
