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
  void aNullValueStaysDistinguishableFromAnEmptyOne() {
    SourceRecord empty = SourceRecord.newBuilder(RECORD).setPayload(ByteBuffer.allocate(0)).build();
    SourceRecord tombstone = SourceRecord.newBuilder(empty).setPayloadNull(true).build();
    Exception error = new IllegalArgumentException("empty");

    DeadLetter fromEmpty = DeadLetters.of(empty, "DecodeOrders", error, FAILED_AT);
    DeadLetter fromNull = DeadLetters.of(tombstone, "DecodeOrders", error, FAILED_AT);

    assertThat(fromEmpty.getPayloadNull(), equalTo(false));
    assertThat(fromNull.getPayloadNull(), equalTo(true));
    assertThat(fromNull.getPayload().remaining(), equalTo(0));
  }

  @Test
  void aPayloadOverTheBoundKeepsItsPrefixSizeAndDigest() throws Exception {
    byte[] big = new byte[1000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    SourceRecord record = SourceRecord.newBuilder(RECORD).setPayload(ByteBuffer.wrap(big)).build();
    DeadLetter letter =
        DeadLetters.of(record, "DecodeOrders", new IllegalArgumentException("x"), FAILED_AT);

    DeadLetter bounded = DeadLetters.bounded(letter, 100);

    assertThat(bounded.getPayload(), equalTo(ByteBuffer.wrap(big, 0, 100)));
    assertThat(bounded.getPayloadTruncated(), equalTo(true));
    assertThat(bounded.getPayloadSize(), equalTo(1000L));
    assertThat(
        bounded.getPayloadSha256(),
        equalTo(
            java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(big))));
    assertThat(bounded.getPosition(), equalTo(letter.getPosition()));
    assertThat(bounded.getErrorMessage(), equalTo("x"));
    // The dead letter itself is left alone, and one within the bound comes back unchanged.
    assertThat(letter.getPayload().remaining(), equalTo(1000));
    assertThat(letter.getPayloadTruncated(), equalTo(false));
    assertThat(DeadLetters.bounded(letter, 1000), equalTo(letter));
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

  private static StackTraceElement frame(String className, String method) {
    return new StackTraceElement(className, method, className + ".java", 7);
  }

  @Test
  void theStackTraceStopsWhereTheRunnersFramesBeginAndCountsThem() {
    IllegalArgumentException error = new IllegalArgumentException("bad quantity");
    error.setStackTrace(
        new StackTraceElement[] {
          frame("dev.kappa.schemas.validation.OrderEvents", "validate"),
          frame("dev.kappa.pipelines.orderrevenue.OrderDecoder", "parse"),
          frame("dev.kappa.transforms.errors.DecodingFn$DoFnInvoker", "invokeProcessElement"),
          frame("org.apache.beam.runners.core.SimpleDoFnRunner", "processElement"),
          frame("org.apache.flink.streaming.runtime.tasks.StreamTask", "invoke"),
          frame("dev.kappa.io.kafka.CountRecordsFn", "processElement"),
          frame("java.lang.Thread", "run")
        });
    NumberFormatException cause = new NumberFormatException("For input string: \"two\"");
    cause.setStackTrace(
        new StackTraceElement[] {
          frame("java.lang.Long", "parseLong"),
          frame("org.apache.beam.runners.core.SimpleDoFnRunner", "processElement")
        });
    error.initCause(cause);
    IllegalStateException suppressed = new IllegalStateException("also");
    suppressed.setStackTrace(
        new StackTraceElement[] {frame("org.apache.flink.runtime.Task", "run")});
    error.addSuppressed(suppressed);

    assertThat(
        DeadLetters.of(RECORD, "DecodeOrders", error, FAILED_AT).getStackTrace(),
        equalTo(
            "java.lang.IllegalArgumentException: bad quantity\n"
                + "\tat dev.kappa.schemas.validation.OrderEvents.validate("
                + "dev.kappa.schemas.validation.OrderEvents.java:7)\n"
                + "\tat dev.kappa.pipelines.orderrevenue.OrderDecoder.parse("
                + "dev.kappa.pipelines.orderrevenue.OrderDecoder.java:7)\n"
                + "\t... 5 frames of the runner\n"
                // A trace that starts in the runner is kept whole.
                + "\tSuppressed: java.lang.IllegalStateException: also\n"
                + "\t\tat org.apache.flink.runtime.Task.run(org.apache.flink.runtime.Task.java:7)\n"
                + "Caused by: java.lang.NumberFormatException: For input string: \"two\"\n"
                + "\tat java.lang.Long.parseLong(java.lang.Long.java:7)\n"
                + "\t... 1 frame of the runner\n"));
  }
}
