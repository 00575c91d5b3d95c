package dev.kappa.transforms.errors;

import com.google.common.base.Throwables;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.time.Instant;

/** Builds {@link DeadLetter} records: one place decides what a dead letter carries. */
public final class DeadLetters {
  private DeadLetters() {}

  /**
   * A dead letter for {@code record}, which {@code step} could not process because of {@code
   * error}: keeps the original key and bytes, the source position, the error and its stack trace.
   */
  public static DeadLetter of(SourceRecord record, String step, Throwable error, Instant failedAt) {
    String message = error.getMessage();
    return DeadLetter.newBuilder()
        .setPosition(record.getPosition())
        .setKey(record.getKey())
        .setPayload(record.getPayload())
        .setStep(step)
        .setErrorClass(error.getClass().getName())
        .setErrorMessage(message == null ? error.getClass().getSimpleName() : message)
        .setStackTrace(Throwables.getStackTraceAsString(error))
        .setFailedAt(failedAt)
        .build();
  }
}
