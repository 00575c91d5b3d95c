package dev.kappa.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The time range of a backfill: with both set, a Kafka source reads exactly the records between
 * them as a bounded collection, so runners process it as a batch and nothing is late.
 */
public interface BackfillOptions extends PipelineOptions {

  @Description(
      "Backfill start, ISO-8601 instant (inclusive), e.g. 2026-03-01T10:00:00Z: per partition,"
          + " the first record with a Kafka timestamp at or after it.")
  String getFrom();

  void setFrom(String value);

  @Description(
      "Backfill end, ISO-8601 instant (exclusive): per partition, the first record with a Kafka"
          + " timestamp at or after it, or the partition's end at launch.")
  String getTo();

  void setTo(String value);
}
