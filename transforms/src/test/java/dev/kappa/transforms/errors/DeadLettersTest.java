package dev.kappa.transforms.errors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static final Instant FAILED_AT = Instant.parse("2026-01-01T00:00:00Z");
  private static final SourceRecord RECORD =
      SourceRecord.newBuilder()
          .setPosition(
              SourcePosition.newBuilder()
                  .setSystem("kafka")
                  .setName("orders")
                  .setPartition(3)
                  .setOffset(42L)
                  .build())
          .setKey(null)
          .setPayload(ByteBuffer.wrap(new byte[] {0, (byte) 0xff, 'x'}))
          .build();

  @Test
  void keepsTheRecordTheStepAndTheError() {
    Exception error = new IllegalArgumentException("quantity must be positive, was 0");

    DeadLetter letter = DeadLetters.of(RECORD, "DecodeOrders", error, FAILED_AT);

    assertThat(letter.getPosition(), equalTo(RECORD.getPosition()));
    assertThat(letter.getKey(), equalTo(null));
    assertThat(letter.getPayload(), equalTo(ByteBuffer.wrap(new byte[] {0, (byte) 0xff, 'x'})));
    assertThat(letter.getStep(), equalTo("DecodeOrders"));
    assertThat(letter.getErrorClass(), equalTo("java.lang.IllegalArgumentException"));
    assertThat(letter.getErrorMessage(), equalTo("quantity must be positive, was 0"));
    assertThat(
        letter.getStackTrace(),
        startsWith("java.lang.IllegalArgumentException: quantity must be positive, was 0"));
    assertThat(letter.getStackTrace(), containsString(DeadLettersTest.class.getName()));
    assertThat(letter.getFailedAt(), equalTo(FAILED_AT));
  }

  @Test
  void anErrorWithoutAMessageIsNamedByItsClass() {
    DeadLetter letter =
        DeadLetters.of(RECORD, "DecodeOrders", new NullPointerException(), FAILED_AT);

    assertThat(letter.getErrorMessage(), equalTo("NullPointerException"));
  }

  @Test
  void theStackTraceIncludesTheCause() {
    Exception error =
        new IllegalStateException(
            "could not decode", new NumberFormatException("For input string: \"two\""));

    DeadLetter letter = DeadLetters.of(RECORD, "DecodeOrders", error, FAILED_AT);

    assertThat(
        letter.getStackTrace(),
        containsString("Caused by: java.lang.NumberFormatException: For input string: \"two\""));
  }
}
