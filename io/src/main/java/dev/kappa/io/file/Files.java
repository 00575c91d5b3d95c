package dev.kappa.io.file;

import dev.kappa.schemas.common.SourceRecord;

/**
 * Files as a source and a sink: the entry point for reading recorded data in batch, replaying it as
 * a stream, and writing results as lines.
 *
 * <pre>{@code
 * // Batch or backfill: every matching file, all at once.
 * PCollection<SourceRecord> orders = pipeline.apply("ReadOrders", Files.read("data/orders-*.jsonl"));
 *
 * // Streaming on recorded data: one file, paced by event time, with a watermark.
 * PCollection<SourceRecord> live =
 *     pipeline.apply(
 *         "ReplayOrders", Files.replay("data/orders.jsonl").withEventTime(new OrderEventTime()));
 *
 * // Results, bounded or windowed.
 * lines.apply("WriteRevenue", Files.writeLines("out/revenue"));
 * }</pre>
 *
 * <p>Both sources emit undecoded {@link SourceRecord}s with {@code system="file"}, the file's path
 * as the name and the 1-based line (JSON lines) or record (Avro) number as the offset.
 */
public final class Files {
  private Files() {}

  /**
   * Reads the JSON-lines or Avro files matching {@code filepattern} (a path or glob on any Beam
   * file system) into {@link SourceRecord}s; bounded. See {@link ReadFiles}.
   */
  public static ReadFiles read(String filepattern) {
    return ReadFiles.of(filepattern);
  }

  /**
   * Replays one JSON-lines or Avro {@code file} as an unbounded stream paced by event time; set the
   * event time with {@link ReplayFile#withEventTime}. See {@link ReplayFile}.
   */
  public static ReplayFile replay(String file) {
    return ReplayFile.of(file);
  }

  /**
   * Writes strings as lines to {@code .jsonl} files whose names start with {@code outputPrefix} (a
   * path ending in a file-name prefix), from bounded or unbounded input. See {@link WriteLines}.
   */
  public static WriteLines writeLines(String outputPrefix) {
    return WriteLines.to(outputPrefix);
  }

  /**
   * Archives source records to Avro files that {@link #read} gives back unchanged, positions
   * included; see {@link WriteArchive}.
   */
  public static WriteArchive writeArchive(String outputPrefix) {
    return WriteArchive.to(outputPrefix);
  }

  /** {@code path} if it is not empty; else an error naming {@code setting} and what it expects. */
  static String checkPath(String setting, String expected, String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(
          setting
              + " must be a non-empty "
              + expected
              + ", was "
              + (path == null ? "null" : "\"\""));
    }
    return path;
  }
}
