package dev.kappa.io.file;

import java.util.Locale;
import org.apache.beam.sdk.io.Compression;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The format of the files that {@link Files#read} and {@link Files#replay} take apart into records.
 */
public enum FileFormat {
  /**
   * One JSON document per line (<a href="https://jsonlines.org">jsonlines.org</a>). Lines end with
   * {@code \n} or {@code \r\n}; blank lines are skipped.
   */
  JSON_LINES,
  /**
   * Avro object container files. Each record is re-encoded in Avro single-object encoding with the
   * file's writer schema, so that a decoder downstream finds the writer schema by fingerprint.
   */
  AVRO,
  /**
   * Decide per file by its extension: {@code .jsonl} and {@code .json} are {@link #JSON_LINES},
   * {@code .avro} is {@link #AVRO}. A compression suffix such as {@code .gz} is ignored. Any other
   * extension is an error.
   */
  AUTO;

  /**
   * The concrete format of {@code file}: this format itself unless it is {@link #AUTO}.
   *
   * @throws IllegalArgumentException if this is {@link #AUTO} and the extension is not known
   */
  FileFormat resolveFor(String file) {
    if (this != AUTO) {
      return this;
    }
    FileFormat format = fromExtension(file);
    if (format == null) {
      throw new IllegalArgumentException(
          "Cannot tell the format of "
              + file
              + " from its extension: expected .jsonl, .json or .avro."
              + " Set it with withFormat(FileFormat.JSON_LINES) or withFormat(FileFormat.AVRO).");
    }
    return format;
  }

  /**
   * The format named by the extension of {@code file} (ignoring a compression suffix), or null if
   * the extension is not one we know.
   */
  static @Nullable FileFormat fromExtension(String file) {
    String name = file.toLowerCase(Locale.ROOT);
    Compression compression = Compression.detect(name);
    if (compression != Compression.UNCOMPRESSED) {
      name = name.substring(0, name.lastIndexOf('.'));
    }
    if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return JSON_LINES;
    }
    if (name.endsWith(".avro")) {
      return AVRO;
    }
    return null;
  }
}
