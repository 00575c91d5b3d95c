package dev.kappa.io.file;

import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads one file sequentially into {@link SourceRecord}s; shared by {@link ReadFiles} and {@link
 * ReplayFile} so that both produce exactly the same records.
 */
abstract class FileRecordReader implements Closeable {

  /** The {@link SourcePosition#getSystem()} of every record read from a file. */
  static final String SYSTEM = "file";

  /**
   * Reads {@code channel}, already decompressed, in {@code format} (not {@link FileFormat#AUTO}).
   * {@code file} becomes the position's name.
   */
  static FileRecordReader open(String file, FileFormat format, ReadableByteChannel channel)
      throws IOException {
    InputStream in = Channels.newInputStream(channel);
    switch (format) {
      case JSON_LINES:
        return new JsonLinesRecordReader(file, in);
      case AVRO:
        return new AvroRecordReader(file, in);
      default:
        in.close();
        throw new IllegalArgumentException(
            "Resolve the format of " + file + " first, was " + format);
    }
  }

  /**
   * Opens {@code file} (a path or URI naming exactly one file) through Beam's {@link FileSystems},
   * decompressing it by its extension, and reads it in {@code format} ({@link FileFormat#AUTO}
   * resolves by extension).
   */
  static FileRecordReader open(String file, FileFormat format) throws IOException {
    MatchResult.Metadata metadata = FileSystems.matchSingleFileSpec(file);
    String name = metadata.resourceId().toString();
    FileFormat resolved = format.resolveFor(name);
    ReadableByteChannel channel =
        Compression.detect(name).readDecompressed(FileSystems.open(metadata.resourceId()));
    return open(name, resolved, channel);
  }

  /** The next record, or null at the end of the file. */
  abstract @Nullable SourceRecord next() throws IOException;

  static SourceRecord record(String file, long offset, ByteBuffer payload) {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem(SYSTEM)
                .setName(file)
                .setPartition(null)
                .setOffset(offset)
                .build())
        .setKey(null)
        .setPayload(payload)
        .build();
  }
}
