package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.jupiter.api.Test;

class FormatsTest {

  @Test
  void durationsReadAsAPersonWouldSayThem() {
    assertThat(Formats.duration(850), is("850 ms"));
    assertThat(Formats.duration(1_612), is("1.6 s"));
    assertThat(Formats.duration(47_900), is("47 s"));
    assertThat(Formats.duration(185_000), is("3m 05s"));
    assertThat(Formats.duration(7_620_000), is("2h 07m"));
    assertThat(Formats.duration(22_886_615_647L), is("264d 21h"));
  }

  @Test
  void sizesInBinaryUnits() {
    assertThat(Formats.bytes(512), is("512 B"));
    assertThat(Formats.bytes(643_548), is("628.5 KiB"));
    assertThat(Formats.bytes(3L * 1024 * 1024 * 1024), is("3.0 GiB"));
  }

  @Test
  void watermarksAreInstantsOrTheEndsOfTime() {
    assertThat(Formats.watermark(1772362666000L), is("2026-03-01 10:57:46"));
    assertThat(Formats.watermark(Long.MAX_VALUE), is("end"));
    assertThat(Formats.watermark(9223371950454775L), is("end"));
    assertThat(Formats.watermark(Long.MIN_VALUE), is("none"));
  }

  @Test
  void tablesAlignColumnsAndNumbersToTheRight() {
    assertThat(
        Formats.table(
            List.of(List.of("NAME", "IN"), List.of("a", "5"), List.of("longer", "123")), 1),
        contains("NAME     IN", "a         5", "longer  123"));
  }
}
