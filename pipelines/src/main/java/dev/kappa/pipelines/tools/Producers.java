package dev.kappa.pipelines.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the data-loading tools share: the producer they send with (raw bytes, idempotent, every
 * write acknowledged), how they split a file into lines (as bytes, so that a line that is not UTF-8
 * is sent exactly as it is) and how they stamp a line whose time they cannot read.
 *
 * <p><b>The timestamp of an unparseable line.</b> A line the tool cannot read a time from is
 * stamped with the time of the closest parsed line before it in the file, else (at the top of the
 * file) of the first parsed line after it, else (no line of the file parses) the wall-clock time.
 * So it lies between the times of its neighbours: a backfill over a time range that holds both
 * neighbours holds it too, and it can neither end a range early nor fall outside one that its
 * neighbours are in. The reading job then makes it a dead letter, with its Kafka coordinates.
 */
final class Producers {
  private Producers() {}

  static KafkaProducer<byte[], byte[]> idempotent(
      String bootstrapServers, Map<String, Object> clientConfig) {
    Properties config = new Properties();
    config.putAll(clientConfig);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(config);
  }

  /**
   * The non-blank lines of {@code file}, as bytes without their terminator ({@code \n} or {@code
   * \r\n}). A line is blank when it holds only ASCII whitespace. Nothing is decoded.
   */
  static List<byte[]> lines(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
        if (!isBlank(bytes, start, end)) {
          lines.add(Arrays.copyOfRange(bytes, start, end));
        }
        start = i + 1;
      }
    }
    return lines;
  }

  private static boolean isBlank(byte[] bytes, int start, int end) {
    for (int i = start; i < end; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\f' && b != 0x0B) {
        return false;
      }
    }
    return true;
  }

  /** {@code line} as text, or null if it is not valid UTF-8. */
  static @Nullable String text(byte[] line) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      return null;
    }
  }

  /**
   * The timestamp of each line, given the time read from each (null where none could be read): its
   * own, else the previous parsed line's, else the next parsed line's, else {@code now}'s.
   */
  static long[] timestamps(List<@Nullable Long> parsed, LongSupplier now) {
    int size = parsed.size();
    Long[] nextParsed = new Long[size + 1];
    for (int i = size - 1; i >= 0; i--) {
      Long time = parsed.get(i);
      nextParsed[i] = time != null ? time : nextParsed[i + 1];
    }
    long[] timestamps = new long[size];
    Long previous = null;
    for (int i = 0; i < size; i++) {
      Long time = parsed.get(i);
      if (time != null) {
        previous = time;
      }
      Long stamp = previous != null ? previous : nextParsed[i];
      timestamps[i] = stamp != null ? stamp : now.getAsLong();
    }
    return timestamps;
  }
}
