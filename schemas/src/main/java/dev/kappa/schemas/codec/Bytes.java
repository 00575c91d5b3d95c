package dev.kappa.schemas.codec;

import java.nio.ByteBuffer;

/**
 * The bytes of an Avro {@code bytes} field, such as a source record's payload or key, as an array
 * for {@link EventCodec#decode}, a JSON parser or a Kafka key. Avro hands such fields out as
 * buffers that the record keeps, so reading one must not move its position: the copy is an absolute
 * bulk read ({@link ByteBuffer#get(int, byte[])}), in one place.
 */
public final class Bytes {
  private Bytes() {}

  /**
   * A copy of the bytes between {@code buffer}'s position and limit; {@code buffer} is unchanged.
   */
  public static byte[] copyOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(buffer.position(), bytes);
    return bytes;
  }
}
