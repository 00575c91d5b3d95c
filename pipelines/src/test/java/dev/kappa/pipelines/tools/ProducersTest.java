package dev.kappa.pipelines.tools;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the loading tools split files into lines and stamp the lines they cannot read. */
class ProducersTest {
  private static final long NOW = 999;

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> hex(List<byte[]> lines) {
    return lines.stream().map(HexFormat.of()::formatHex).toList();
  }

  private static long[] timestamps(Long... parsed) {
    return Producers.timestamps(Arrays.asList(parsed), () -> NOW);
  }

  @Test
  void splitsLinesAsBytesKeepingWhatIsNotUtf8(@TempDir Path dir) throws Exception {
    byte[] notUtf8 = {'{', (byte) 0xE9, (byte) 0xFF, '}'};
    Path file = dir.resolve("lines.jsonl");
    Files.write(
        file,
        concat(
            utf8("{\"a\":1}\r\n"), notUtf8, utf8("\n \t\n\n{\"b\":\"\u00e9\"}\n"), utf8("last")));

    assertThat(
        hex(Producers.lines(file)),
        contains(
            HexFormat.of().formatHex(utf8("{\"a\":1}")),
            HexFormat.of().formatHex(notUtf8),
            HexFormat.of().formatHex(utf8("{\"b\":\"\u00e9\"}")),
            HexFormat.of().formatHex(utf8("last"))));
  }

  @Test
  void decodesOnlyValidUtf8() {
    assertThat(Producers.text(utf8("{\"b\":\"\u00e9\"}")), equalTo("{\"b\":\"\u00e9\"}"));
    assertThat(Producers.text(new byte[] {'{', (byte) 0xE9, '}'}), nullValue());
    assertThat(Producers.text(new byte[] {(byte) 0xC3}), nullValue());
  }

  @Test
  void anUnparseableLineTakesThePreviousParsedLinesTime() {
    assertThat(timestamps(10L, null, null, 30L, null), equalTo(new long[] {10, 10, 10, 30, 30}));
  }

  @Test
  void anUnparseableLineAtTheTopTakesTheFirstFollowingTime() {
    assertThat(timestamps(null, null, 20L, null), equalTo(new long[] {20, 20, 20, 20}));
  }

  @Test
  void aFileWithoutAnyParsedLineIsStampedNow() {
    assertThat(timestamps(null, null), equalTo(new long[] {NOW, NOW}));
    assertThat(timestamps(), equalTo(new long[] {}));
  }

  @Test
  void parsedLinesKeepTheirOwnTimeEvenOutOfOrder() {
    assertThat(timestamps(30L, 10L, null, 20L), equalTo(new long[] {30, 10, 10, 20}));
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
