package dev.kappa.io.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * How far a {@link KafkaToEndSource} reader got in its partition: the next offset to read and the
 * watermark it had. A restored reader seeks to the offset and never lets its watermark fall below
 * the one saved. Finalizing the checkpoint commits the offset for the consumer group, when the read
 * commits offsets, through the reader that took it (a checkpoint restored from its encoded form
 * commits nothing, as in KafkaIO).
 */
final class OffsetCheckpoint implements UnboundedSource.CheckpointMark {
  static final Coder<OffsetCheckpoint> CODER = new OffsetCheckpointCoder();

  private final long nextOffset;
  private final Instant watermark;
  private final transient KafkaToEndSource.@Nullable ToEndReader committer;

  OffsetCheckpoint(
      long nextOffset, Instant watermark, KafkaToEndSource.@Nullable ToEndReader committer) {
    this.nextOffset = nextOffset;
    this.watermark = watermark;
    this.committer = committer;
  }

  long nextOffset() {
    return nextOffset;
  }

  Instant watermark() {
    return watermark;
  }

  @Override
  public void finalizeCheckpoint() {
    KafkaToEndSource.ToEndReader reader = committer;
    if (reader != null) {
      reader.requestCommit(nextOffset);
    }
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof OffsetCheckpoint
        && ((OffsetCheckpoint) other).nextOffset == nextOffset
        && ((OffsetCheckpoint) other).watermark.equals(watermark);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(nextOffset) * 31 + watermark.hashCode();
  }

  @Override
  public String toString() {
    return "OffsetCheckpoint{nextOffset=" + nextOffset + ", watermark=" + watermark + "}";
  }

  /** Encodes a checkpoint as its offset and watermark. */
  private static final class OffsetCheckpointCoder extends AtomicCoder<OffsetCheckpoint> {
    private static final VarLongCoder OFFSET = VarLongCoder.of();
    private static final InstantCoder WATERMARK = InstantCoder.of();

    @Override
    public void encode(OffsetCheckpoint value, OutputStream out) throws IOException {
      OFFSET.encode(value.nextOffset, out);
      WATERMARK.encode(value.watermark, out);
    }

    @Override
    public OffsetCheckpoint decode(InputStream in) throws IOException {
      return new OffsetCheckpoint(OFFSET.decode(in), WATERMARK.decode(in), null);
    }
  }
}
