package dev.kappa.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class OffsetCheckpointTest {
  @Test
  void encodesTheOffsetAndTheWatermark() throws Exception {
    OffsetCheckpoint checkpoint =
        new OffsetCheckpoint(12345, Instant.parse("2024-05-01T10:00:00Z"), null);

    CoderProperties.coderDecodeEncodeEqual(OffsetCheckpoint.CODER, checkpoint);
    OffsetCheckpoint decoded = CoderUtils.clone(OffsetCheckpoint.CODER, checkpoint);
    assertThat(decoded.nextOffset(), equalTo(12345L));
    assertThat(decoded.watermark(), equalTo(Instant.parse("2024-05-01T10:00:00Z")));
  }
}
