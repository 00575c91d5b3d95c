package dev.kappa.transforms.errors;

import com.google.common.base.Throwables;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** Builds {@link DeadLetter} records: one place decides what a dead letter carries. */
public final class DeadLetters {
  private DeadLetters() {}

  /**
   * A dead letter for {@code record}, which {@code step} could not process because of {@code
   * error}: keeps the original key and bytes (and whether the value was null rather than empty),
   * the source position, the error and its stack trace.
   */
  public static DeadLetter of(SourceRecord record, String step, Throwable error, Instant failedAt) {
    String message = error.getMessage();
    return DeadLetter.newBuilder()
        .setPosition(record.getPosition())
        .setKey(record.getKey())
        .setPayload(record.getPayload())
        .setPayloadNull(record.getPayloadNull())
        .setStep(step)
        .setErrorClass(error.getClass().getName())
        .setErrorMessage(message == null ? error.getClass().getSimpleName() : message)
        .setStackTrace(Throwables.getStackTraceAsString(error))
        .setFailedAt(failedAt)
        .build();
  }

  /**
   * {@code deadLetter} with at most {@code maxPayloadBytes} of its payload, for sinks whose records
   * have a size limit (a Kafka topic takes 1 MiB by default): a longer payload is cut to its first
   * {@code maxPayloadBytes} bytes and the dead letter marked {@code payload_truncated}, with the
   * original size and SHA-256, so that the full bytes can be fetched from the source position and
   * checked. A dead letter within the bound is returned as it is; {@code deadLetter} is never
   * changed.
   */
  public static DeadLetter bounded(DeadLetter deadLetter, int maxPayloadBytes) {
    if (maxPayloadBytes < 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be >= 0, was " + maxPayloadBytes);
    }
    ByteBuffer payload = deadLetter.getPayload().duplicate();
    int size = payload.remaining();
    if (size <= maxPayloadBytes) {
      return deadLetter;
    }
    byte[] original = new byte[size];
    payload.get(original);
    byte[] prefix = new byte[maxPayloadBytes];
    System.arraycopy(original, 0, prefix, 0, maxPayloadBytes);
    return DeadLetter.newBuilder(deadLetter)
        .setPayload(ByteBuffer.wrap(prefix))
        .setPayloadTruncated(true)
        .setPayloadSize((long) size)
        .setPayloadSha256(HexFormat.of().formatHex(sha256().digest(original)))
        .build();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
