/**
 * Kafka: {@link dev.kappa.io.kafka.Kafka#read} (unbounded, live or up to the end offsets at
 * launch), {@link dev.kappa.io.kafka.Kafka#readRange} (bounded, a time range resolved to offsets at
 * launch, for backfills) and {@link dev.kappa.io.kafka.Kafka#write} (at least once or exactly
 * once).
 *
 * <p>Records are read as {@link dev.kappa.schemas.common.SourceRecord}s with the position {@code
 * system="kafka"}, {@code name=} the topic, {@code partition} and {@code offset}, the exact key and
 * value bytes, and their event time as the timestamp. Watermarks follow the shared {@link
 * dev.kappa.io.watermark.BoundedOutOfOrdernessWatermark}.
 */
package dev.kappa.io.kafka;
