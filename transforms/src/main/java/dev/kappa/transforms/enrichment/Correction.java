package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An event that {@link EnrichAsOfEventTime} already emitted with a row that a late table change has
 * since superseded: what the event was given and what it should have had, which is what a backfill
 * over the same data gives it.
 *
 * <p>A stream's joined events with its corrections applied in order (for each correction, replace
 * the event's row by {@link #corrected()}) equal a backfill's. A null row means the key had no row
 * for the event: it went to the not-found output, or through without a row, as the {@link
 * MissingKeyPolicy} says. One event can be corrected more than once, by successive late changes;
 * each correction's {@link #emitted()} is the previous one's {@link #corrected()}.
 *
 * @param key the table key
 * @param event the event as it was joined
 * @param eventTime the event's time, at which the row was looked up
 * @param emitted the row the event was given (or last corrected to); null: none
 * @param corrected the row valid at the event's time now that the late change is known
 * @param changeValidFrom when the late change that supersedes {@code emitted} became valid
 */
public record Correction<K, E, V>(
    K key,
    E event,
    Instant eventTime,
    @Nullable V emitted,
    @Nullable V corrected,
    Instant changeValidFrom) {

  public Correction {
    checkNotNull(key, "key must be set");
    checkNotNull(event, "event must be set");
    checkNotNull(eventTime, "eventTime must be set");
    checkNotNull(changeValidFrom, "changeValidFrom must be set");
  }

  /** A coder from the key's, the event's and the row's coders. */
  public static <K, E, V> CorrectionCoder<K, E, V> coder(
      Coder<K> keyCoder, Coder<E> eventCoder, Coder<V> rowCoder) {
    return new CorrectionCoder<>(keyCoder, eventCoder, rowCoder);
  }

  /** Encodes the fields in order; rows are nullable. */
  public static final class CorrectionCoder<K, E, V> extends StructuredCoder<Correction<K, E, V>> {
    private static final long serialVersionUID = 1L;
    private final Coder<K> keyCoder;
    private final Coder<E> eventCoder;
    private final Coder<V> rowCoder;
    private final NullableCoder<V> nullableRowCoder;

    private CorrectionCoder(Coder<K> keyCoder, Coder<E> eventCoder, Coder<V> rowCoder) {
      this.keyCoder = checkNotNull(keyCoder, "keyCoder must be set");
      this.eventCoder = checkNotNull(eventCoder, "eventCoder must be set");
      this.rowCoder = checkNotNull(rowCoder, "rowCoder must be set");
      this.nullableRowCoder = NullableCoder.of(rowCoder);
    }

    @Override
    public void encode(Correction<K, E, V> value, OutputStream out) throws IOException {
      keyCoder.encode(value.key(), out);
      eventCoder.encode(value.event(), out);
      InstantCoder.of().encode(value.eventTime(), out);
      nullableRowCoder.encode(value.emitted(), out);
      nullableRowCoder.encode(value.corrected(), out);
      InstantCoder.of().encode(value.changeValidFrom(), out);
    }

    @Override
    public Correction<K, E, V> decode(InputStream in) throws IOException {
      return new Correction<>(
          keyCoder.decode(in),
          eventCoder.decode(in),
          InstantCoder.of().decode(in),
          nullableRowCoder.decode(in),
          nullableRowCoder.decode(in),
          InstantCoder.of().decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(keyCoder, eventCoder, rowCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "the key, event and row coders must be deterministic", keyCoder);
      verifyDeterministic(this, "the key, event and row coders must be deterministic", eventCoder);
      verifyDeterministic(this, "the key, event and row coders must be deterministic", rowCoder);
    }
  }
}
