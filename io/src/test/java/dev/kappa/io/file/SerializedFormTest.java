package dev.kappa.io.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;

import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.SourceRecord;
import java.io.InputStream;
import java.io.ObjectInputStream;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A Flink savepoint holds each source Java-serialized: the replay source written by an earlier
 * version ({@link dev.kappa.io.WriteSerializedSources}) must still read as the same source.
 */
class SerializedFormTest {

  @Test
  void aReplaySourceFromAnEarlierVersionKeepsItsSettings() throws Exception {
    Object read;
    try (InputStream in =
            SerializedFormTest.class.getResourceAsStream(
                "/serialized-sources/replay-file-source.ser");
        ObjectInputStream objects = new ObjectInputStream(in)) {
      read = objects.readObject();
    }

    assertThat(read, instanceOf(ReplayFileSource.class));
    ReplayFileSource source = (ReplayFileSource) read;
    assertThat(source.file(), equalTo(SerializedSources.FILE));
    assertThat(source.format(), equalTo(FileFormat.JSON_LINES));
    assertThat(source.speedUp(), equalTo(600.0));
    BoundedOutOfOrdernessWatermark watermark = source.newWatermark();
    assertThat(watermark.getMaxOutOfOrderness(), equalTo(Duration.standardSeconds(30)));
    assertThat(watermark.getIdleTimeout(), equalTo(Duration.standardMinutes(2)));
    assertThat(source.eventTime().apply(null), equalTo(new Instant(0)));
    assertThat(source.getCheckpointMarkCoder(), equalTo(ReplayCheckpoint.CODER));
    assertThat(source.getOutputCoder(), equalTo(SpecificRecordCoder.of(SourceRecord.class)));
    assertThat(DisplayData.from(source), equalTo(DisplayData.from(SerializedSources.replay())));
  }
}
