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
}
