package dev.kappa.pipelines;

import dev.kappa.options.BackfillOptions;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.KafkaReadOptions;
import dev.kappa.options.KafkaWriteOptions;
import dev.kappa.options.KafkaWriteOptions.Delivery;
import dev.kappa.options.OptionValues;
import dev.kappa.options.SourceOptions;
import dev.kappa.options.SourceOptions.SourceKind;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Refuses option combinations that lose or duplicate data with Kafka, before anything runs.
 *
 * <ul>
 *   <li>EXACTLY_ONCE sinks commit Kafka transactions on Flink checkpoints: without the Flink runner
 *       and {@code --checkpointingInterval} nothing would ever be committed.
 *   <li>Consumer auto-commit with checkpointing commits offsets of records a failed checkpoint
 *       never processed; after a restore they are skipped (apache/beam#21742).
 *   <li>An EXACTLY_ONCE sink in a stream that ends fails when the Flink job finishes
 *       (apache/beam#28554), so finite streams must use AT_LEAST_ONCE.
 *   <li>A backfill range needs both ends, in order, and a Kafka source.
 * </ul>
 */
public final class KafkaSafety {
  private KafkaSafety() {}

  /** Every check, for a job with source, backfill and Kafka options. */
  public static void check(PipelineOptions options) {
    checkKafka(options);
    SourceOptions source = options.as(SourceOptions.class);
    BackfillOptions backfill = options.as(BackfillOptions.class);
    boolean bounded = source.getSource() == SourceKind.FILES || backfill.getFrom() != null;
    if (options.as(KafkaWriteOptions.class).getKafkaDelivery() == Delivery.EXACTLY_ONCE
        && bounded) {
      throw new InvalidOptionException(
          "kafkaDelivery",
          "EXACTLY_ONCE commits on checkpoints, and a bounded run (a backfill or --source=FILES)"
              + " has none; use AT_LEAST_ONCE: results are keyed by window, so a rerun"
              + " overwrites rather than adds");
    }
    checkRange(source, backfill, options.as(KafkaReadOptions.class));
  }

  /** The checks that apply to any job reading or writing Kafka. */
  public static void checkKafka(PipelineOptions options) {
    KafkaReadOptions read = options.as(KafkaReadOptions.class);
    KafkaWriteOptions write = options.as(KafkaWriteOptions.class);
    boolean flink = options.getRunner() != null && FlinkRunner.class.equals(options.getRunner());
    long checkpointing =
        flink ? options.as(FlinkPipelineOptions.class).getCheckpointingInterval() : -1L;
    if (write.getKafkaDelivery() == Delivery.EXACTLY_ONCE && checkpointing <= 0) {
      throw new InvalidOptionException(
          "kafkaDelivery",
          "EXACTLY_ONCE commits Kafka transactions on Flink checkpoints; run with"
              + " --runner=FlinkRunner --checkpointingInterval=<ms> (e.g. 10000), or use"
              + " AT_LEAST_ONCE");
    }
    boolean finite = read.getStopAtEnd() || read.getStopAtOffsets() != null;
    if (write.getKafkaDelivery() == Delivery.EXACTLY_ONCE && finite) {
      throw new InvalidOptionException(
          "kafkaDelivery",
          "EXACTLY_ONCE with a stream that ends (--stopAtEnd, --stopAtOffsets) fails when the"
              + " Flink job finishes: its stable-input step still holds the watermark"
              + " (apache/beam#28554); use AT_LEAST_ONCE for finite runs, or a backfill");
    }
    if (read.getKafkaAutoCommit() && checkpointing > 0) {
      throw new InvalidOptionException(
          "kafkaAutoCommit",
          "auto-commit with --checkpointingInterval commits offsets of records a failed checkpoint"
              + " never processed, so a restore skips them (apache/beam#21742); offsets are"
              + " committed on each completed checkpoint instead: drop --kafkaAutoCommit");
    }
    if (read.getStopAtEnd() && read.getStopAtOffsets() != null) {
      throw new InvalidOptionException(
          "stopAtOffsets", "choose one of --stopAtEnd and --stopAtOffsets");
    }
  }

  private static void checkRange(
      SourceOptions source, BackfillOptions options, KafkaReadOptions read) {
    boolean from = options.getFrom() != null;
    boolean to = options.getTo() != null;
    if (from != to) {
      throw new InvalidOptionException(
          from ? "to" : "from", "a backfill needs both --from and --to");
    }
    if (from) {
      if (source.getSource() != SourceKind.KAFKA) {
        throw new InvalidOptionException(
            "from",
            "--from and --to select a range of Kafka records; with --source="
                + source.getSource()
                + " choose the input with --input instead");
      }
      if (!OptionValues.instant("from", options.getFrom())
          .isBefore(OptionValues.instant("to", options.getTo()))) {
        throw new InvalidOptionException(
            "to", "must be after --from (" + options.getFrom() + "), was " + options.getTo());
      }
      if (read.getStopAtEnd() || read.getStopAtOffsets() != null) {
        throw new InvalidOptionException(
            read.getStopAtEnd() ? "stopAtEnd" : "stopAtOffsets",
            "a backfill (--from, --to) already ends; drop it");
      }
    }
  }
}
