/**
 * Files: {@link dev.kappa.io.file.Files#read} (bounded), {@link dev.kappa.io.file.Files#replay}
 * (unbounded, paced by event time) and {@link dev.kappa.io.file.Files#writeLines} (bounded or
 * windowed).
 *
 * <p>Records are read as {@link dev.kappa.schemas.common.SourceRecord}s with the position {@code
 * system="file"}, {@code name=} the file's path or URI, {@code offset=} the 1-based line number
 * (JSON lines) or record number (Avro container files).
 */
package dev.kappa.io.file;
