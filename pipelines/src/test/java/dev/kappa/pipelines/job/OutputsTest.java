package dev.kappa.pipelines.job;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.transforms.errors.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
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
        endsWith("DecodeException: the input is empty | hex:c3010500ff4f2d31"));
    assertThat(
        Outputs.excerpt(ByteBuffer.wrap("{\"order_id\": \"O-1\",\n\t\"x\": 1}".getBytes(UTF_8))),
        equalTo("{\"order_id\": \"O-1\",?\t\"x\": 1}"));
    byte[] binary = new byte[100];
    Arrays.fill(binary, (byte) 0x01);
    assertThat(
        Outputs.excerpt(ByteBuffer.wrap(binary)),
        equalTo("hex:" + "01".repeat(48) + "... (100 bytes)"));
  }
}
