package dev.kappa.pipelines.job;

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
}
