/**
 * Sources and sinks for Kappa pipelines, one entry class per system in its own sub-package.
 *
 * <ul>
 *   <li>{@link dev.kappa.io.file.Files}: read and replay JSON-lines and Avro files, write lines,
 *       archive source records.
 *   <li>{@link dev.kappa.io.kafka.Kafka}: stream topics, read a time range as a bounded backfill,
 *       write at least or exactly once.
 *   <li>{@link dev.kappa.io.jdbc.Jdbc}: PostgreSQL; idempotent upserts of results (retried, with
 *       rows that still fail as dead letters), and lookups and snapshots of reference tables for
 *       the enrichment transforms of {@code dev.kappa.transforms.enrichment}.
 *   <li>{@link dev.kappa.io.console.Console}: print lines for demos.
 *   <li>{@link dev.kappa.io.watermark}: watermark policies shared by the unbounded sources.
 * </ul>
 *
 * <p>Every source emits {@link dev.kappa.schemas.common.SourceRecord}: the original bytes and where
 * they came from. Decoding is a separate step downstream, so that a record that cannot be decoded
 * still has its bytes and position when it becomes a dead letter.
 *
 * <p>This package itself holds what the sub-packages share: {@link dev.kappa.io.Checks} (argument
 * checks with the same messages everywhere) and {@link dev.kappa.io.UnboundedRecordSource} (the
 * base of the unbounded sources).
 */
package dev.kappa.io;
