package dev.kappa.io.file;

import dev.kappa.schemas.common.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Splits a JSON-lines file into records: one per non-blank line, with the line's exact bytes (only
 * the {@code \n} or {@code \r\n} terminator removed) and its 1-based line number. Blank lines count
 * towards line numbers but produce no record.
 */
final class JsonLinesRecordReader extends FileRecordReader {
  private final String file;
  private final InputStream in;
  private final byte[] buffer = new byte[64 * 1024];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
  private int position;
  private int limit;
  private long lineNumber;

  JsonLinesRecordReader(String file, InputStream in) {
    this.file = file;
    this.in = in;
  }

  @Override
  @Nullable SourceRecord next() throws IOException {
    byte[] bytes;
    while ((bytes = readLine()) != null) {
      lineNumber++;
      if (!isBlank(bytes)) {
        return record(file, lineNumber, ByteBuffer.wrap(bytes));
      }
    }
    return null;
  }

  /** The next line without its terminator, or null at the end of the input. */
  private byte @Nullable [] readLine() throws IOException {
    line.reset();
    boolean sawAnyByte = false;
    while (true) {
      if (position == limit) {
        int read = in.read(buffer, 0, buffer.length);
        if (read < 0) {
          // The last line has no terminator; a lone trailing '\r' is then content, not a
          // terminator.
          return sawAnyByte ? line.toByteArray() : null;
        }
        position = 0;
        limit = read;
        continue;
      }
      sawAnyByte = true;
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      line.write(buffer, start, position - start);
      if (position < limit) {
        position++; // Consume the '\n'.
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        return length > 0 && bytes[length - 1] == '\r' ? Arrays.copyOf(bytes, length - 1) : bytes;
      }
    }
  }

  /** True for a line of JSON whitespace only (space, tab, carriage return), or an empty one. */
  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
