package dev.kappa.io.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;

/**
 * How far a replay got: the number of records already emitted. A reader restored from it skips that
 * many records (recomputing the pacing and the watermark from them) and goes on with the next.
 * Nothing needs acknowledging, since a file can always be read again.
 */
final class ReplayCheckpoint implements UnboundedSource.CheckpointMark {
  static final Coder<ReplayCheckpoint> CODER = new ReplayCheckpointCoder();

  private final long emittedRecords;

  ReplayCheckpoint(long emittedRecords) {
    if (emittedRecords < 0) {
      throw new IllegalArgumentException("emittedRecords must be >= 0, was " + emittedRecords);
    }
    this.emittedRecords = emittedRecords;
  }

  long emittedRecords() {
    return emittedRecords;
  }

  @Override
  public void finalizeCheckpoint() {
    // Nothing to acknowledge: the file is not consumed by reading it.
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReplayCheckpoint
        && ((ReplayCheckpoint) other).emittedRecords == emittedRecords;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(emittedRecords);
  }

  @Override
  public String toString() {
    return "ReplayCheckpoint{emittedRecords=" + emittedRecords + "}";
  }

  /** Encodes a checkpoint as its record count, a variable-length long. */
  private static final class ReplayCheckpointCoder extends AtomicCoder<ReplayCheckpoint> {
    private static final VarLongCoder COUNT = VarLongCoder.of();

    @Override
    public void encode(ReplayCheckpoint value, OutputStream out) throws IOException {
      COUNT.encode(value.emittedRecords, out);
    }

    @Override
    public ReplayCheckpoint decode(InputStream in) throws IOException {
      return new ReplayCheckpoint(COUNT.decode(in));
    }
  }
}
