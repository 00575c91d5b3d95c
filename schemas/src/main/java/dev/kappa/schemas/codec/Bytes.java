package dev.kappa.schemas.codec;

import java.nio.ByteBuffer;

/**
 * The bytes of an Avro {@code bytes} field, such as a source record's payload or key, as an array
 * for {@link EventCodec#decode}, a JSON parser or a Kafka key. Avro hands such fields out as
 * buffers that the record keeps, so reading one must not move its position: Java's {@code
 * ByteBuffer} has no copy that leaves it where it was, hence this one place.
 */
public final class Bytes {
  private Bytes() {}

  /**
   * A copy of the bytes between {@code buffer}'s position and limit; {@code buffer} is unchanged.
   */
  public static byte[] copyOf(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
