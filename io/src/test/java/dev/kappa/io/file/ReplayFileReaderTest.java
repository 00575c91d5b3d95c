package dev.kappa.io.file;

import static dev.kappa.io.file.TestData.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.io.file.TestData.JsonEventTime;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay reader driven by a manual clock: pacing, idleness, end of file and restore. */
class ReplayFileReaderTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant CLOCK_START = Instant.parse("2030-01-01T00:00:00Z");
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  private static final String LINE_1 = "{\"id\":1,\"ts\":\"2024-05-01T10:00:00Z\"}";
  private static final String LINE_2 = "{\"id\":2,\"ts\":\"2024-05-01T10:01:00Z\"}";
  private static final String LINE_3_OLDER = "{\"id\":3,\"ts\":\"2024-05-01T10:00:30Z\"}";
  private static final String LINE_4_NO_TIME = "{\"id\":4,\"ts\":\"yesterday\"}";
  private static final String LINE_5 = "{\"id\":5,\"ts\":\"2024-05-01T10:03:00Z\"}";

  @TempDir Path dir;
  private ManualClock clock;
  private Path file;

  /** A processing-time clock that moves only when told. */
  static final class ManualClock implements ProcessingClock {
    private static final long serialVersionUID = 1L;
    private Instant now;

    ManualClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant now() {
      return now;
    }
  }

  @BeforeEach
  void writeFile() throws IOException {
    clock = new ManualClock(CLOCK_START);
    file =
        TestData.write(
            dir,
            "orders.jsonl",
            String.join("\n", LINE_1, LINE_2, LINE_3_OLDER, LINE_4_NO_TIME, LINE_5) + "\n");
  }

  private ReplayFile replay(Path path) {
    return Files.replay(path.toString())
        .withEventTime(new JsonEventTime())
        .withSpeedUp(60.0)
        .withMaxOutOfOrderness(Duration.standardMinutes(1))
        .withIdleTimeout(Duration.standardSeconds(10))
        .withClock(clock);
  }

  private ReplayFileReader reader(ReplayFile replay, ReplayCheckpoint checkpoint) {
    return replay.createSource().createReader(OPTIONS, checkpoint);
  }

  private static void assertCurrent(
      ReplayFileReader reader, String payload, long offset, Instant timestamp) {
    assertThat(utf8(reader.getCurrent().getPayload()), equalTo(payload));
    assertThat(reader.getCurrent().getPosition().getOffset(), equalTo(offset));
    assertThat(reader.getCurrentTimestamp(), equalTo(timestamp));
  }

  @Test
  void releasesEachRecordWhenItsScaledEventTimeHasPassed() throws IOException {
    ReplayFileReader reader = reader(replay(file), null);

    assertTrue(reader.start());
    assertCurrent(reader, LINE_1, 1, T0);

    // Line 2 is 60 s of event time later: 1 s at 60x.
    assertFalse(reader.advance());
    clock.advance(Duration.millis(999));
    assertFalse(reader.advance());
    assertThrows(NoSuchElementException.class, reader::getCurrent);
    clock.advance(Duration.millis(1));
    assertTrue(reader.advance());
    assertCurrent(reader, LINE_2, 2, T0.plus(Duration.standardSeconds(60)));

    // An older record comes right after its predecessor, with its own event time.
    assertTrue(reader.advance());
    assertCurrent(reader, LINE_3_OLDER, 3, T0.plus(Duration.standardSeconds(30)));

    // A record without event time comes too, stamped with the greatest event time so far.
    assertTrue(reader.advance());
    assertCurrent(reader, LINE_4_NO_TIME, 4, T0.plus(Duration.standardSeconds(60)));

    // Line 5 is 180 s after line 1: 3 s after the start.
    assertFalse(reader.advance());
    clock.advance(Duration.millis(1999));
    assertFalse(reader.advance());
    clock.advance(Duration.millis(1));
    assertTrue(reader.advance());
    assertCurrent(reader, LINE_5, 5, T0.plus(Duration.standardSeconds(180)));

    assertFalse(reader.advance());
    reader.close();
  }

  @Test
  void releasesEverythingAtOnceAtInfiniteSpeed() throws IOException {
    ReplayFileReader reader = reader(replay(file).withSpeedUp(Double.POSITIVE_INFINITY), null);

    assertTrue(reader.start());
    for (int i = 2; i <= 5; i++) {
      assertTrue(reader.advance(), "record " + i);
      assertThat(reader.getCurrent().getPosition().getOffset(), equalTo((long) i));
    }
    assertFalse(reader.advance());
    assertThat(clock.now(), equalTo(CLOCK_START));
  }

  @Test
  void watermarkTrailsTheMaximumEventTimeAndEndsAtTheEndOfTime() throws IOException {
    ReplayFileReader reader = reader(replay(file).withSpeedUp(Double.POSITIVE_INFINITY), null);

    assertTrue(reader.start());
    assertThat(reader.getWatermark(), equalTo(T0.minus(Duration.standardMinutes(1))));
    assertTrue(reader.advance()); // line 2, 10:01
    assertThat(reader.getWatermark(), equalTo(T0));
    assertTrue(reader.advance()); // line 3, older
    assertTrue(reader.advance()); // line 4, no event time
    assertThat(reader.getWatermark(), equalTo(T0));
    assertTrue(reader.advance()); // line 5, 10:03
    assertThat(reader.getWatermark(), equalTo(T0.plus(Duration.standardMinutes(2))));

    // The last record is out, but the end of the file is only known at the next advance.
    assertFalse(reader.advance());
    assertThat(reader.getWatermark(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  void watermarkAdvancesWhileWaitingThroughAnIdleGap() throws IOException {
    Path gap =
        TestData.write(
            dir,
            "gap.jsonl",
            "{\"ts\":\"2024-05-01T10:00:00Z\"}\n{\"ts\":\"2024-05-01T11:00:00Z\"}\n");
    ReplayFileReader reader = reader(replay(gap), null);

    assertTrue(reader.start());
    clock.advance(Duration.standardSeconds(5));
    assertFalse(reader.advance());
    assertThat(reader.getWatermark(), equalTo(T0.minus(Duration.standardMinutes(1))));

    // Idle for 20 s at 60x: 20 min of event time, minus the 1 min bound.
    clock.advance(Duration.standardSeconds(15));
    assertFalse(reader.advance());
    assertThat(reader.getWatermark(), equalTo(T0.plus(Duration.standardMinutes(19))));

    // Just before the next record is due, the idle estimate is still behind its bound.
    clock.advance(Duration.millis(39_999));
    assertFalse(reader.advance());
    assertThat(
        reader.getWatermark().isBefore(T0.plus(Duration.standardMinutes(59))), equalTo(true));

    clock.advance(Duration.millis(1));
    assertTrue(reader.advance());
    assertThat(reader.getCurrentTimestamp(), equalTo(T0.plus(Duration.standardHours(1))));
    assertThat(reader.getWatermark(), equalTo(T0.plus(Duration.standardMinutes(59))));
  }

  @Test
  void stampsLeadingRecordsWithoutEventTimeWithTheFirstGoodOne() throws IOException {
    Path leading =
        TestData.write(
            dir,
            "leading.jsonl",
            "not json\n{\"ts\":\"2024-05-01T10:00:00Z\"}\n{\"ts\":\"2024-05-01T09:59:00Z\"}\n");
    ReplayFileReader reader = reader(replay(leading), null);

    assertTrue(reader.start());
    assertCurrent(reader, "not json", 1, T0);
    assertThat(reader.getWatermark(), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
    assertTrue(reader.advance());
    assertCurrent(reader, "{\"ts\":\"2024-05-01T10:00:00Z\"}", 2, T0);
    assertTrue(reader.advance());
    assertCurrent(
        reader, "{\"ts\":\"2024-05-01T09:59:00Z\"}", 3, T0.minus(Duration.standardMinutes(1)));
  }

  /**
   * Rejects event times after 2030, as {@code EventTimeBounds.checking} (in transforms) rejects an
   * event time too far ahead of arrival: the function throws.
   */
  static final class RejectingFarFuture implements SerializableFunction<SourceRecord, Instant> {
    private static final long serialVersionUID = 1L;
    private final JsonEventTime eventTime = new JsonEventTime();

    @Override
    public Instant apply(SourceRecord record) {
      Instant time = eventTime.apply(record);
      if (time.isAfter(Instant.parse("2030-01-01T00:00:00Z"))) {
        throw new IllegalArgumentException("event time " + time + " is implausible");
      }
      return time;
    }
  }

  @Test
  void aRejectedFarFutureEventTimeNeitherPacesTheReplayNorMovesTheWatermark() throws IOException {
    String farFuture = "{\"id\":9,\"ts\":\"2099-01-01T00:00:00Z\"}";
    Path poisoned =
        TestData.write(
            dir, "poisoned.jsonl", String.join("\n", farFuture, LINE_1, farFuture, LINE_2) + "\n");
    ReplayFileReader reader =
        reader(replay(poisoned).withEventTime(new RejectingFarFuture()), null);

    // The first record that has an event time sets the pace, not the 2099 one before it.
    assertTrue(reader.start());
    assertCurrent(reader, farFuture, 1, T0);
    assertThat(reader.getWatermark(), equalTo(BoundedWindow.TIMESTAMP_MIN_VALUE));
    assertTrue(reader.advance());
    assertCurrent(reader, LINE_1, 2, T0);
    // The 2099 record comes right away, stamped with the greatest event time so far, and the
    // watermark stays 1 min behind 10:00.
    assertTrue(reader.advance());
    assertCurrent(reader, farFuture, 3, T0);
    assertThat(reader.getWatermark(), equalTo(T0.minus(Duration.standardMinutes(1))));
    // Line 2 is still paced by its own event time: 1 s at 60x.
    assertFalse(reader.advance());
    clock.advance(Duration.standardSeconds(1));
    assertTrue(reader.advance());
    assertCurrent(reader, LINE_2, 4, T0.plus(Duration.standardSeconds(60)));
    assertThat(reader.getWatermark(), equalTo(T0));
  }

  @Test
  void stampsRecordsOfAFileWithoutAnyEventTimeWithTheStartTime() throws IOException {
    Path noTimes = TestData.write(dir, "none.jsonl", "a\nb\n");
    ReplayFileReader reader = reader(replay(noTimes), null);

    assertTrue(reader.start());
    assertCurrent(reader, "a", 1, CLOCK_START);
    clock.advance(Duration.standardSeconds(1));
    assertTrue(reader.advance());
    assertCurrent(reader, "b", 2, CLOCK_START);
    assertFalse(reader.advance());
    assertThat(reader.getWatermark(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  void restoredReaderSkipsEmittedRecordsAndKeepsThePace() throws Exception {
    ReplayFile replay = replay(file);
    ReplayFileReader first = reader(replay, null);
    assertTrue(first.start());
    clock.advance(Duration.standardSeconds(1));
    assertTrue(first.advance()); // line 2
    assertTrue(first.advance()); // line 3
    ReplayCheckpoint checkpoint = first.getCheckpointMark();
    first.close();
    assertThat(checkpoint, equalTo(new ReplayCheckpoint(3)));
    ReplayCheckpoint restored =
        CoderUtils.clone(replay.createSource().getCheckpointMarkCoder(), checkpoint);

    // Much later, a new reader resumes where the first stopped.
    clock.advance(Duration.standardMinutes(10));
    ReplayFileReader second = reader(replay, restored);

    assertTrue(second.start());
    assertCurrent(second, LINE_4_NO_TIME, 4, T0.plus(Duration.standardSeconds(60)));
    assertThat(second.getWatermark(), equalTo(T0));
    // Line 5 is still 2 s of pacing after line 2: no burst to catch up, no wait from scratch.
    assertFalse(second.advance());
    clock.advance(Duration.millis(1999));
    assertFalse(second.advance());
    clock.advance(Duration.millis(1));
    assertTrue(second.advance());
    assertCurrent(second, LINE_5, 5, T0.plus(Duration.standardSeconds(180)));
    assertFalse(second.advance());
    assertThat(second.getCheckpointMark(), equalTo(new ReplayCheckpoint(5)));
  }

  @Test
  void checkpointOfAFinishedReplayRestoresToTheEnd() throws IOException {
    ReplayFile replay = replay(file).withSpeedUp(Double.POSITIVE_INFINITY);
    ReplayFileReader reader = reader(replay, new ReplayCheckpoint(5));

    assertFalse(reader.start());
    assertThat(reader.getWatermark(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  void checkpointCoderRoundTrips() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(ReplayCheckpoint.CODER, new ReplayCheckpoint(0));
    CoderProperties.coderDecodeEncodeEqual(
        ReplayCheckpoint.CODER, new ReplayCheckpoint(Long.MAX_VALUE));
    CoderProperties.coderDeterministic(
        ReplayCheckpoint.CODER, new ReplayCheckpoint(42), new ReplayCheckpoint(42));
  }

  @Test
  void aFileIsNeverSplit() throws Exception {
    ReplayFileSource source = replay(file).createSource();
    assertThat(source.split(8, OPTIONS).size(), equalTo(1));
  }
}
