package dev.kappa.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a job reads its events from, and whether that input is bounded or unbounded. */
public interface SourceOptions extends PipelineOptions {

  /** The kinds of source a job can read. */
  enum SourceKind {
    /** Files read once: a bounded run (backfill) that counts every record. */
    FILES,
    /** One file replayed as an unbounded stream, paced in event time: demos and tests. */
    REPLAY,
    /**
     * Kafka topics: unbounded (streaming), or bounded between {@code --from} and {@code --to} (a
     * backfill).
     */
    KAFKA
  }

  @Description(
      "Where events come from: FILES (bounded: read the --input files once), REPLAY (unbounded:"
          + " replay one --input file in file order, paced by --replaySpeedUp) or KAFKA (the"
          + " --inputTopics; unbounded, or bounded with --from and --to).")
  @Default.Enum("FILES")
  SourceKind getSource();

  void setSource(SourceKind value);

  @Description(
      "Input file or file pattern: JSON lines (.jsonl, .json) or Avro container files (.avro).")
  String getInput();

  void setInput(String value);

  @Description(
      "REPLAY only: how much faster than event time to replay, e.g. 60 plays an hour in a minute;"
          + " 'max' for as fast as possible.")
  @Default.String("60")
  String getReplaySpeedUp();

  void setReplaySpeedUp(String value);

  @Description(
      "REPLAY and KAFKA: how far out of event-time order records may arrive before they count"
          + " as late; the watermark trails the highest event time seen by this much (ISO-8601,"
          + " e.g. PT1M).")
  @Default.String("PT1M")
  String getMaxOutOfOrderness();

  void setMaxOutOfOrderness(String value);

  @Description(
      "Every source: how far an event time may be ahead of the record's arrival (its Kafka"
          + " timestamp, or the processing time if earlier; the processing time for files) before"
          + " the record is a dead letter instead of moving the watermark (ISO-8601, e.g. PT1H;"
          + " 'none' for no limit).")
  @Default.String("PT1H")
  String getMaxEventTimeAhead();

  void setMaxEventTimeAhead(String value);

  @Description(
      "Every source: the earliest event time believed; an earlier one makes the record a dead"
          + " letter (ISO-8601 instant, e.g. 2000-01-01T00:00:00Z; 'none' for no floor).")
  @Default.String("2000-01-01T00:00:00Z")
  String getMinEventTime();

  void setMinEventTime(String value);
}
