package dev.kappa.transforms.ordered;

import java.io.Serializable;
import java.util.function.Consumer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What {@link OrderedByEventTime} applies to each event of a key, in event-time order: the key's
 * state before the event, the event, its event time; it returns the state after the event and emits
 * any results. Returning null removes the key's state (the next event sees null), so a key that is
 * done (a deleted row, a closed account) leaves nothing behind.
 *
 * <p>It must be a function of its arguments: the stream and the backfill call it with the same
 * arguments in the same order, and get the same results only if it reads nothing else (no clock, no
 * randomness, no outside lookups).
 *
 * @param <K> the key
 * @param <E> the event
 * @param <S> the key's state; never mutate the state passed in, return a new one
 * @param <R> a result
 */
@FunctionalInterface
public interface StateFunction<K, E, S, R> extends Serializable {

  /**
   * Applies {@code event} to {@code state}.
   *
   * @param results receives the results of this event; each is emitted with {@code eventTime}
   * @return the state after the event, or null for none
   */
  @Nullable S apply(K key, @Nullable S state, E event, Instant eventTime, Consumer<R> results);
}
