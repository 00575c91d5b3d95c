package dev.kappa.io.file;

import dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark;
import dev.kappa.io.watermark.ProcessingClock;
import dev.kappa.schemas.common.SourceRecord;
import java.io.IOException;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Replays one file in order, releasing each record once enough processing time has passed.
 *
 * <p><b>Pacing.</b> Let {@code first} be the event time of the file's first record that has one,
 * and {@code max(r)} the greatest event time among the records up to and including {@code r}.
 * Record {@code r} is released once {@code processing time since start >= (max(r) − first) /
 * speedUp}. A record older than one before it does not raise {@code max}, so it is released right
 * after its predecessor.
 *
 * <p><b>Records without event time.</b> If the event-time function throws, returns null or returns
 * a time outside Beam's range, the record is still emitted, with the greatest event time seen so
 * far (or {@code first} if there is none yet; or the processing time at which the reader started if
 * the file has no event time at all), so that the decoding step downstream turns it into a dead
 * letter. It does not move the watermark.
 *
 * <p><b>Restore.</b> A reader restored from a {@link ReplayCheckpoint} of {@code n} records skips
 * the first {@code n}, feeding their event times to the watermark, and shifts its start so that the
 * next record is paced as if the replay had never stopped.
 */
final class ReplayFileReader extends UnboundedSource.UnboundedReader<SourceRecord> {
  private static final Counter RECORDS_WITHOUT_EVENT_TIME =
      Metrics.counter(ReplayFile.class, "recordsWithoutEventTime");
  private static final Counter RECORDS_EMITTED =
      Metrics.counter(ReplayFile.class, "recordsEmitted");

  private final ReplayFileSource source;
  private final long recordsToSkip;
  private final ProcessingClock clock;
  private final BoundedOutOfOrdernessWatermark watermark;

  private @Nullable FileRecordReader records;
  private long emitted;
  private @Nullable Instant firstEventTime;
  private Instant startedAt = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private Instant pacingOrigin = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private @Nullable Pending pending;
  private @Nullable SourceRecord current;
  private @Nullable Instant currentTimestamp;
  private boolean endOfFile;

  /** The next record, read but not yet released. */
  private static final class Pending {
    final SourceRecord record;
    final @Nullable Instant eventTime;
    final double releaseAfterMillis;

    Pending(SourceRecord record, @Nullable Instant eventTime, double releaseAfterMillis) {
      this.record = record;
      this.eventTime = eventTime;
      this.releaseAfterMillis = releaseAfterMillis;
    }
  }

  ReplayFileReader(ReplayFileSource source, long recordsToSkip) {
    this.source = source;
    this.recordsToSkip = recordsToSkip;
    this.clock = source.clock();
    this.watermark = source.newWatermark();
  }

  @Override
  public boolean start() throws IOException {
    Instant now = clock.now();
    startedAt = now;
    firstEventTime = findFirstEventTime();
    FileRecordReader reader = FileRecordReader.open(source.file(), source.format());
    records = reader;
    while (emitted < recordsToSkip) {
      SourceRecord skipped = reader.next();
      if (skipped == null) {
        break;
      }
      Instant eventTime = eventTimeOf(skipped, false);
      if (eventTime != null) {
        watermark.onRecord(eventTime, now);
      } else {
        watermark.onRecordWithoutEventTime(now);
      }
      emitted++;
    }
    long alreadyPacedMillis = (long) Math.ceil(releaseAfterMillis(watermark.getMaxEventTime()));
    pacingOrigin = now.minus(alreadyPacedMillis);
    return advance();
  }

  @Override
  public boolean advance() throws IOException {
    current = null;
    currentTimestamp = null;
    Pending next = pending;
    if (next == null) {
      FileRecordReader reader = records;
      if (endOfFile || reader == null) {
        return false;
      }
      SourceRecord record = reader.next();
      if (record == null) {
        endOfFile = true;
        watermark.onEndOfInput();
        closeRecords();
        return false;
      }
      Instant eventTime = eventTimeOf(record, true);
      next = new Pending(record, eventTime, releaseAfterMillis(maxIncluding(eventTime)));
      pending = next;
    }
    Instant now = clock.now();
    if (now.getMillis() - pacingOrigin.getMillis() < next.releaseAfterMillis) {
      return false;
    }
    Instant eventTime = next.eventTime;
    if (eventTime != null) {
      watermark.onRecord(eventTime, now);
      currentTimestamp = eventTime;
    } else {
      currentTimestamp = timestampWithoutEventTime();
      watermark.onRecordWithoutEventTime(now);
    }
    current = next.record;
    pending = null;
    emitted++;
    RECORDS_EMITTED.inc();
    return true;
  }

  /** The event time of the file's first record that has one, or null if none has. */
  private @Nullable Instant findFirstEventTime() throws IOException {
    try (FileRecordReader scan = FileRecordReader.open(source.file(), source.format())) {
      SourceRecord record;
      while ((record = scan.next()) != null) {
        Instant eventTime = eventTimeOf(record, false);
        if (eventTime != null) {
          return eventTime;
        }
      }
      return null;
    }
  }

  /**
   * The record's event time, or null if it cannot be extracted. The function gets a copy, so that
   * it cannot move the payload's position or otherwise change the record that is emitted.
   */
  private @Nullable Instant eventTimeOf(SourceRecord record, boolean count) {
    Instant eventTime;
    try {
      eventTime = source.eventTime().apply(SourceRecord.newBuilder(record).build());
    } catch (RuntimeException e) {
      eventTime = null;
    }
    if (eventTime == null
        || eventTime.isBefore(BoundedWindow.TIMESTAMP_MIN_VALUE)
        || eventTime.isAfter(GlobalWindow.INSTANCE.maxTimestamp())) {
      if (count) {
        RECORDS_WITHOUT_EVENT_TIME.inc();
      }
      return null;
    }
    return eventTime;
  }

  private @Nullable Instant maxIncluding(@Nullable Instant eventTime) {
    Instant max = watermark.getMaxEventTime();
    if (max == null) {
      return eventTime;
    }
    return eventTime != null && eventTime.isAfter(max) ? eventTime : max;
  }

  /** Processing time after the pacing origin at which a record raising max to {@code max} goes. */
  private double releaseAfterMillis(@Nullable Instant max) {
    Instant first = firstEventTime;
    double speedUp = source.speedUp();
    if (max == null || first == null || Double.isInfinite(speedUp)) {
      return 0;
    }
    return Math.max(0, max.getMillis() - first.getMillis()) / speedUp;
  }

  private Instant timestampWithoutEventTime() {
    Instant max = watermark.getMaxEventTime();
    if (max != null) {
      return max;
    }
    Instant first = firstEventTime;
    return first != null ? first : startedAt;
  }

  @Override
  public SourceRecord getCurrent() {
    SourceRecord record = current;
    if (record == null) {
      throw new NoSuchElementException("No current record in " + source.file());
    }
    return record;
  }

  @Override
  public Instant getCurrentTimestamp() {
    Instant timestamp = currentTimestamp;
    if (timestamp == null) {
      throw new NoSuchElementException("No current record in " + source.file());
    }
    return timestamp;
  }

  /** {@link BoundedWindow#TIMESTAMP_MAX_VALUE} once the whole file has been emitted. */
  @Override
  public Instant getWatermark() {
    return watermark.getWatermark(clock.now());
  }

  @Override
  public ReplayCheckpoint getCheckpointMark() {
    return new ReplayCheckpoint(emitted);
  }

  @Override
  public ReplayFileSource getCurrentSource() {
    return source;
  }

  @Override
  public void close() throws IOException {
    closeRecords();
  }

  private void closeRecords() throws IOException {
    FileRecordReader reader = records;
    records = null;
    if (reader != null) {
      reader.close();
    }
  }
}
