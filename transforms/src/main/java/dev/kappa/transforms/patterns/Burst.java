package dev.kappa.transforms.patterns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.joda.time.Instant;

/**
 * One event that {@link DetectBursts} found completing a burst: at least {@code minEvents - 1}
 * other events of its key have times in {@code [time - within, time]}.
 *
 * <p>The burst is a fact about {@link #event()}: whether an event raises one does not depend on the
 * order the events arrive in. {@link #evidence()} names the other events of the window that had
 * arrived when the burst was detected, ordered by time, then id: at least {@code minEvents - 1},
 * and every one of them once they all arrived before the burst was complete. When more than the
 * minimum are in the window and they arrive in another order, another subset may be named.
 *
 * @param key the events' key
 * @param event the event that completes the burst
 * @param time the event's time (the burst's timestamp)
 * @param evidence the other events of the key within {@code [time - within, time]} known when the
 *     burst was detected, ordered by time and id
 */
public record Burst<K, E>(K key, E event, Instant time, List<E> evidence) {

  public Burst {
    checkNotNull(key, "key must be set");
    checkNotNull(event, "event must be set");
    checkNotNull(time, "time must be set");
    evidence = List.copyOf(checkNotNull(evidence, "evidence must be set"));
  }

  /** A coder from the key's and the event's coders. */
  public static <K, E> BurstCoder<K, E> coder(Coder<K> keyCoder, Coder<E> eventCoder) {
    return new BurstCoder<>(keyCoder, eventCoder);
  }

  /** Encodes the fields in order. */
  public static final class BurstCoder<K, E> extends StructuredCoder<Burst<K, E>> {
    private static final long serialVersionUID = 1L;
    private final Coder<K> keyCoder;
    private final Coder<E> eventCoder;
    private final ListCoder<E> evidenceCoder;

    private BurstCoder(Coder<K> keyCoder, Coder<E> eventCoder) {
      this.keyCoder = checkNotNull(keyCoder, "keyCoder must be set");
      this.eventCoder = checkNotNull(eventCoder, "eventCoder must be set");
      this.evidenceCoder = ListCoder.of(eventCoder);
    }

    @Override
    public void encode(Burst<K, E> value, OutputStream out) throws IOException {
      keyCoder.encode(value.key(), out);
      eventCoder.encode(value.event(), out);
      InstantCoder.of().encode(value.time(), out);
      evidenceCoder.encode(value.evidence(), out);
    }

    @Override
    public Burst<K, E> decode(InputStream in) throws IOException {
      return new Burst<>(
          keyCoder.decode(in),
          eventCoder.decode(in),
          InstantCoder.of().decode(in),
          evidenceCoder.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(keyCoder, eventCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "the key and event coders must be deterministic", keyCoder);
      verifyDeterministic(this, "the key and event coders must be deterministic", eventCoder);
    }
  }
}
