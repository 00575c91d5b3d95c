package dev.kappa.io.file;

import dev.kappa.io.FixedEventTime;
import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import org.apache.beam.sdk.io.UnboundedSource;
import org.joda.time.Duration;

/** The file replay source as serialized in src/test/resources/serialized-sources. */
public final class SerializedSources {
  private SerializedSources() {}

  static final String FILE = "test-data/orders.jsonl";

  public static UnboundedSource<?, ?> replay() {
    return new ReplayFileSource(
        FILE,
        FileFormat.JSON_LINES,
        new FixedEventTime(),
        600.0,
        BoundedOutOfOrdernessWatermark.create()
            .withMaxOutOfOrderness(Duration.standardSeconds(30))
            .withIdleTimeout(Duration.standardMinutes(2))
            .withSpeedUp(600.0),
        ProcessingClock.system());
  }
}
