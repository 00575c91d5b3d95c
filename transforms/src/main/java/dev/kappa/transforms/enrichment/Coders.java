package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;

/** Checks on the coders an enrichment's inputs must have, with messages that say what to fix. */
final class Coders {
  private Coders() {}

  /** {@code coder} as a {@link KvCoder}; {@code what} names the input in the message. */
  @SuppressWarnings("unchecked")
  static <K, V> KvCoder<K, V> kvCoder(Coder<?> coder, String what) {
    checkArgument(
        coder instanceof KvCoder,
        "the %s must be a PCollection<KV<key, value>> with a KvCoder, but its coder is %s",
        what,
        coder);
    return (KvCoder<K, V>) coder;
  }

  /**
   * Keys go into keyed state and into hash maps: their coder must be deterministic (the same key,
   * the same bytes) and consistent with {@code equals}.
   */
  static void checkKeyCoder(Coder<?> keyCoder) {
    try {
      keyCoder.verifyDeterministic();
    } catch (Coder.NonDeterministicException e) {
      throw new IllegalArgumentException(
          "the key coder " + keyCoder + " must be deterministic: " + e.getMessage(), e);
    }
    checkArgument(
        keyCoder.consistentWithEquals(),
        "the key coder %s must be consistent with equals: keys are compared in maps",
        keyCoder);
  }
}
