package dev.kappa.transforms.errors;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Set;

/** Builds {@link DeadLetter} records: one place decides what a dead letter carries. */
public final class DeadLetters {
  private DeadLetters() {}

  /**
   * A dead letter for {@code record}, which {@code step} could not process because of {@code
   * error}: keeps the original key and bytes (and whether the value was null rather than empty),
   * the source position, the error and its stack trace down to the step ({@link #stackTrace}).
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
        .setStackTrace(stackTrace(error))
        .setFailedAt(failedAt)
        .build();
  }

  /**
   * {@code error}'s stack trace as {@link Throwable#printStackTrace()} writes it (causes and
   * suppressed errors included), each trace cut where the runner's frames begin: the step's DoFn
   * invoker, Beam's runners, Flink. What the step and the code it called did stays; what runs a
   * step is the same for every dead letter of a job, on Flink about a hundred frames (6 KB of every
   * dead letter). The number of frames cut is given. A trace that starts in the runner is kept
   * whole.
   */
  static String stackTrace(Throwable error) {
    StringBuilder out = new StringBuilder();
    append(out, error, "", "", Collections.newSetFromMap(new IdentityHashMap<>()));
    return out.toString();
  }

  private static void append(
      StringBuilder out, Throwable error, String caption, String indent, Set<Throwable> seen) {
    if (!seen.add(error)) {
      out.append(indent)
          .append(caption)
          .append("[circular reference: ")
          .append(error)
          .append("]\n");
      return;
    }
    out.append(indent).append(caption).append(error).append('\n');
    StackTraceElement[] frames = error.getStackTrace();
    int kept = 0;
    while (kept < frames.length && !isRunnerFrame(frames[kept])) {
      kept++;
    }
    if (kept == 0) {
      kept = frames.length;
    }
    for (int i = 0; i < kept; i++) {
      out.append(indent).append("\tat ").append(frames[i]).append('\n');
    }
    if (kept < frames.length) {
      int cut = frames.length - kept;
      out.append(indent)
          .append("\t... ")
          .append(cut)
          .append(cut == 1 ? " frame" : " frames")
          .append(" of the runner\n");
    }
    for (Throwable suppressed : error.getSuppressed()) {
      append(out, suppressed, "Suppressed: ", indent + "\t", seen);
    }
    Throwable cause = error.getCause();
    if (cause != null) {
      append(out, cause, "Caused by: ", indent, seen);
    }
  }

  /**
   * A frame of what runs a step rather than of the step: Beam's DoFn invokers and runners, Flink.
   */
  private static boolean isRunnerFrame(StackTraceElement frame) {
    String className = frame.getClassName();
    return className.startsWith("org.apache.beam.runners.")
        || className.startsWith("org.apache.flink.")
        || className.startsWith("org.apache.beam.sdk.transforms.reflect.")
        || className.contains("$DoFnInvoker");
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
