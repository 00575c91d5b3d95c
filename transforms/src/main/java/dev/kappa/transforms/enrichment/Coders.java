package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

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

  /**
   * Checks the two inputs of a temporal join (keyed events, and a changelog of the same key coder
   * whose value coder is a {@link NullableCoder}, a null row being a delete, in the same pipeline)
   * and returns the row coder.
   */
  @SuppressWarnings("unchecked")
  static <K, E, V> Coder<V> checkTemporalJoinInputs(
      PCollection<KV<K, E>> events, PCollection<KV<K, V>> changelog) {
    KvCoder<K, E> eventsCoder = kvCoder(events.getCoder(), "events");
    KvCoder<K, V> changesCoder = kvCoder(changelog.getCoder(), "changelog");
    checkArgument(
        eventsCoder.getKeyCoder().equals(changesCoder.getKeyCoder()),
        "the events and the changelog must have the same key coder, but have %s and %s",
        eventsCoder.getKeyCoder(),
        changesCoder.getKeyCoder());
    checkKeyCoder(eventsCoder.getKeyCoder());
    checkArgument(
        changesCoder.getValueCoder() instanceof NullableCoder,
        "the changelog's value coder must be a NullableCoder (a null row is a delete), but is %s",
        changesCoder.getValueCoder());
    checkArgument(
        changelog.getPipeline() == events.getPipeline(),
        "the changelog must belong to the events' pipeline");
    return ((NullableCoder<V>) changesCoder.getValueCoder()).getValueCoder();
  }
}
