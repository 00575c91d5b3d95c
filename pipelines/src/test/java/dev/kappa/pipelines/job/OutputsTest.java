package dev.kappa.pipelines.job;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.transforms.errors.DeadLetters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console form of dead letters: a null value, an empty one and a truncated one told apart. */
class OutputsTest {

  private static DeadLetter deadLetter(byte[] payload, boolean payloadNull) {
    return DeadLetter.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("kafka")
                .setName("orders")
                .setPartition(1)
                .setOffset(2L)
                .build())
        .setKey(null)
        .setPayload(ByteBuffer.wrap(payload))
        .setPayloadNull(payloadNull)
        .setStep("DecodeOrders")
        .setErrorClass("dev.kappa.schemas.codec.DecodeException")
        .setErrorMessage("the input is empty")
        .setStackTrace("")
        .setFailedAt(Instant.EPOCH)
        .build();
  }

  @Test
  void aNullValueIsShownAsSuchAndAnEmptyOneAsNothing() {
    assertThat(
        Outputs.human(deadLetter(new byte[0], true)),
        equalTo(
            "kafka orders[1]:2 DecodeOrders DecodeException: the input is empty | <null value>"));
    assertThat(
        Outputs.human(deadLetter(new byte[0], false)),
        equalTo("kafka orders[1]:2 DecodeOrders DecodeException: the input is empty | "));
  }

  @Test
  void aTruncatedPayloadSaysItsOriginalSize() {
    byte[] payload = new byte[300];
    Arrays.fill(payload, (byte) 'x');
    DeadLetter bounded = DeadLetters.bounded(deadLetter(payload, false), 200);

    assertThat(
        Outputs.human(bounded),
        endsWith(
            new String(payload, 0, 120, StandardCharsets.UTF_8)
                + "... <truncated from 300 bytes>"));
  }

  @Test
  void binaryBytesAreShownAsHexAndTextAsText() {
    byte[] avro = {(byte) 0xc3, 0x01, 0x05, 0x00, (byte) 0xff, 'O', '-', '1'};
    assertThat(
        Outputs.human(deadLetter(avro, false)),
        endsWith("DecodeException: the input is empty | hex:c3010500ff4f2d31 | text: \"O-1\""));
    assertThat(
        Outputs.excerpt(ByteBuffer.wrap("{\"order_id\": \"O-1\",\n\t\"x\": 1}".getBytes(UTF_8))),
        equalTo("{\"order_id\": \"O-1\",?\t\"x\": 1}"));
    byte[] binary = new byte[100];
    Arrays.fill(binary, (byte) 0x01);
    assertThat(
        Outputs.excerpt(ByteBuffer.wrap(binary)),
        equalTo("hex:" + "01".repeat(48) + "... (100 bytes)"));
  }

  /**
   * An Avro order (single-object encoding: a marker, the schema's fingerprint, then its fields):
   * the hex of its first bytes, then its strings, each a run of printable characters between the
   * length prefixes, as {@code strings} would find them; runs shorter than three characters left
   * out.
   */
  @Test
  void binaryPayloadsShowTheirPrintableRunsBesideTheHex() throws Exception {
    ByteArrayOutputStream avro = new ByteArrayOutputStream();
    // The marker and a fingerprint of bytes that are no UTF-8 (some fingerprints hold printable
    // runs of their own, shown as they are).
    avro.write(new byte[] {(byte) 0xc3, 0x01, (byte) 0x91, (byte) 0x82, 0x13, (byte) 0x84, 0x05});
    avro.write(new byte[] {(byte) 0x96, 0x17, (byte) 0x88});
    for (String field : List.of("O-00204", "C-017", "P-101", "x", "USD", "café")) {
      byte[] utf8 = field.getBytes(UTF_8);
      avro.write(utf8.length * 2); // Avro's zig-zag length prefix: a control byte for these
      avro.write(utf8);
    }
    avro.write(new byte[60]);
    byte[] bytes = avro.toByteArray();

    String excerpt = Outputs.excerpt(ByteBuffer.wrap(bytes));

    assertThat(excerpt, startsWith("hex:c30191821384059617880e4f2d3030323034"));
    assertThat(excerpt, containsString("... (" + bytes.length + " bytes) | text: "));
    assertThat(excerpt, endsWith(" | text: \"O-00204 C-017 P-101 USD café\""));
    // Bytes with no printable run: the hex alone.
    assertThat(
        Outputs.excerpt(ByteBuffer.wrap(new byte[] {0x00, 'a', 'b', 0x01, (byte) 0xff})),
        equalTo("hex:00616201ff"));
  }
}
