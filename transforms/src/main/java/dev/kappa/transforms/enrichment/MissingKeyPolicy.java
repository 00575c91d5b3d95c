package dev.kappa.transforms.enrichment;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.joda.time.Duration;

/**
 * What an enrichment does with an event whose key the table does not hold: the same three choices
 * for {@link EnrichByLookup}, {@link EnrichFromSnapshot} and {@link EnrichAsOfEventTime}.
 *
 * <ul>
 *   <li>{@link #deadLetter()} (the default): the event leaves on the transform's {@code
 *       notFoundTag()} output, keyed, and is counted in {@code notFound}.
 *   <li>{@link #passThrough()}: the event leaves on {@code enrichedTag()} with a null value,
 *       counted in {@code passedThrough}; use it when a missing row is normal and downstream copes.
 *   <li>{@link #waitUpTo(Duration)}: the event is held while the row may still appear, then joined
 *       or sent to {@code notFoundTag()}. What "appear" means depends on the enrichment: a
 *       re-lookup in processing time ({@link EnrichByLookup}), or a version valid no later than the
 *       event time plus the timeout ({@link EnrichAsOfEventTime}). {@link EnrichFromSnapshot}
 *       cannot wait and rejects it.
 * </ul>
 *
 * <pre>{@code
 * EnrichByLookup.of(products, SpecificRecordCoder.of(Product.class))
 *     .withMissingKeys(MissingKeyPolicy.waitUpTo(Duration.standardMinutes(5)));
 * }</pre>
 */
@AutoValue
public abstract class MissingKeyPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The three choices. */
  public enum Action {
    /** To the not-found output. */
    DEAD_LETTER,
    /** To the enriched output with a null value. */
    PASS_THROUGH,
    /** Held up to a timeout, then joined or sent to the not-found output. */
    WAIT
  }

  public abstract Action action();

  /** How long {@link Action#WAIT} holds an event; zero for the other actions. */
  public abstract Duration timeout();

  /** Sends events with a missing key to the not-found output. */
  public static MissingKeyPolicy deadLetter() {
    return new AutoValue_MissingKeyPolicy(Action.DEAD_LETTER, Duration.ZERO);
  }

  /** Emits events with a missing key as enriched with a null value. */
  public static MissingKeyPolicy passThrough() {
    return new AutoValue_MissingKeyPolicy(Action.PASS_THROUGH, Duration.ZERO);
  }

  /** Holds events with a missing key for up to {@code timeout}, then sends them to not-found. */
  public static MissingKeyPolicy waitUpTo(Duration timeout) {
    checkArgument(timeout != null, "timeout must be set");
    checkArgument(timeout.isLongerThan(Duration.ZERO), "timeout must be positive, was %s", timeout);
    return new AutoValue_MissingKeyPolicy(Action.WAIT, timeout);
  }

  /** Whether events with a missing key are held for a while. */
  public boolean waits() {
    return action() == Action.WAIT;
  }
}
