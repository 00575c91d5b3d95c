package dev.kappa.schemas.codec;

/**
 * Bytes that are not a valid record of the expected type. The message says what was expected, which
 * field was wrong and shows a short excerpt of the input.
 *
 * <p>Unchecked and the only exception decoding throws, so a DoFn can catch exactly this type and
 * turn the record into a dead letter, while bugs (any other exception) still fail the bundle.
 */
public class DecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A decoding failure with no underlying exception. */
  public DecodeException(String message) {
    super(message);
  }

  /** A decoding failure caused by a parser or Avro exception. */
  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
