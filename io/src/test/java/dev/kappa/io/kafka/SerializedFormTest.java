package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A Flink savepoint holds each source Java-serialized: the Kafka sources written by an earlier
 * version ({@link dev.kappa.io.WriteSerializedSources}) must still read as the same sources.
 */
class SerializedFormTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  private static Object read(String name) throws Exception {
    try (InputStream in =
            SerializedFormTest.class.getResourceAsStream("/serialized-sources/" + name);
        ObjectInputStream objects = new ObjectInputStream(in)) {
      return objects.readObject();
    }
  }

  @Test
  void aToEndSourceFromAnEarlierVersionKeepsItsSettings() throws Exception {
    Object read = read("kafka-to-end-source.ser");

    assertThat(read, instanceOf(KafkaToEndSource.class));
    KafkaToEndSource source = (KafkaToEndSource) read;
    assertThat(source.ranges(), equalTo(SerializedSources.RANGES));
    assertThat(source.split(4, OPTIONS), hasSize(2));
    assertThat(source.getCheckpointMarkCoder(), equalTo(OffsetCheckpoint.CODER));
    assertThat(source.getOutputCoder(), equalTo(SpecificRecordCoder.of(SourceRecord.class)));
    assertThat(DisplayData.from(source), equalTo(DisplayData.from(SerializedSources.toEnd())));
  }

  @Test
  void aRangeSourceFromAnEarlierVersionKeepsItsSettings() throws Exception {
    Object read = read("kafka-range-source.ser");

    assertThat(read, instanceOf(KafkaRangeSource.class));
    KafkaRangeSource source = (KafkaRangeSource) read;
    assertThat(source.ranges(), equalTo(SerializedSources.RANGES));
    List<KafkaRangeSource> splits = source.split(Long.MAX_VALUE, OPTIONS);
    assertThat(splits, hasSize(2));
    assertThat(
        source.getEstimatedSizeBytes(OPTIONS),
        equalTo((37L + 7L) * KafkaRangeSource.ESTIMATED_RECORD_BYTES));
    assertThat(DisplayData.from(source), equalTo(DisplayData.from(SerializedSources.range())));
  }

  @Test
  void theirEventTimePoliciesStillStampRecords() throws Exception {
    KafkaRangeSource source = (KafkaRangeSource) read("kafka-range-source.ser");
    EventTimePolicyFactory policies = source.policies();
    SourceRecord record = SourceRecords.of("orders", 0, 5, 1500, null, new byte[] {1});

    assertThat(policies.create(null).timestampFor(record, 1500), equalTo(new Instant(0)));
    assertThat(
        policies.watermarkTemplate().getMaxOutOfOrderness(),
        equalTo(org.joda.time.Duration.standardSeconds(30)));
  }
}
