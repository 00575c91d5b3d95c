package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Kafka records as source records: bytes and coordinates kept, a null value told from empty. */
class SourceRecordsTest {

  @Test
  void keepsTheBytesAndTheCoordinates() {
    byte[] value = {'{', (byte) 0xFF, '}'};
    SourceRecord record =
        SourceRecords.of(
            new ConsumerRecord<>("orders", 2, 41L, "k".getBytes(StandardCharsets.UTF_8), value));

    assertThat(record.getPosition().getSystem(), equalTo("kafka"));
    assertThat(record.getPosition().getName(), equalTo("orders"));
    assertThat(record.getPosition().getPartition(), equalTo(2));
    assertThat(record.getPosition().getOffset(), equalTo(41L));
    assertThat(record.getKey(), equalTo(ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8))));
    assertThat(record.getPayload(), equalTo(ByteBuffer.wrap(value)));
    assertThat(record.getPayloadNull(), is(false));
  }

  @Test
  void aNullValueIsAnEmptyPayloadMarkedNull() {
    SourceRecord tombstone =
        SourceRecords.of(new ConsumerRecord<byte[], byte[]>("orders", 0, 7L, null, null));
    SourceRecord empty =
        SourceRecords.of(new ConsumerRecord<byte[], byte[]>("orders", 0, 8L, null, new byte[0]));

    assertThat(tombstone.getPayload().remaining(), equalTo(0));
    assertThat(tombstone.getPayloadNull(), is(true));
    assertThat(tombstone.getKey(), is(nullValue()));
    assertThat(empty.getPayload().remaining(), equalTo(0));
    assertThat(empty.getPayloadNull(), is(false));
  }
}
