package dev.kappa.transforms.enrichment;

import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The versions of one table row, by the time each became valid (epoch millis); a null value is a
 * delete. The version valid at {@code t} is the latest one at or before {@code t}.
 *
 * <p>Kept in keyed state as a sorted map: a row changes rarely compared with the events that read
 * it, and retention keeps the map short, so reading it whole per callback is cheap.
 */
final class VersionHistory<V> {
  private final TreeMap<Long, V> versions;

  private VersionHistory(TreeMap<Long, V> versions) {
    this.versions = versions;
  }

  /** A history over a copy of {@code stored} (which may be null: no history yet). */
  static <V> VersionHistory<V> of(@Nullable SortedMap<Long, V> stored) {
    return new VersionHistory<>(stored == null ? new TreeMap<>() : new TreeMap<>(stored));
  }

  /**
   * A history that reads {@code stored} in place, without copying it (a copy if it is not a {@link
   * TreeMap}): for lookups in a history that nothing modifies, such as a side input.
   */
  static <V> VersionHistory<V> over(SortedMap<Long, V> stored) {
    return new VersionHistory<>(
        stored instanceof TreeMap<Long, V> tree ? tree : new TreeMap<>(stored));
  }

  /** What to store; the same entries, sorted. */
  SortedMap<Long, V> toSortedMap() {
    return versions;
  }

  boolean isEmpty() {
    return versions.isEmpty();
  }

  int size() {
    return versions.size();
  }

  /** Records that {@code value} (null: deleted) became valid at {@code validFromMillis}. */
  void put(long validFromMillis, @Nullable V value) {
    versions.put(validFromMillis, value);
  }

  /** The row valid at {@code millis}, or null if there was none or it was deleted. */
  @Nullable V valueAt(long millis) {
    Map.Entry<Long, V> floor = versions.floorEntry(millis);
    return floor == null ? null : floor.getValue();
  }

  /**
   * The first row that became valid after {@code afterMillis} and at or before {@code upToMillis},
   * skipping deletes; null if there is none.
   */
  @Nullable V firstValueIn(long afterMillis, long upToMillis) {
    if (upToMillis <= afterMillis) {
      return null;
    }
    for (V value : versions.subMap(afterMillis, false, upToMillis, true).values()) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /**
   * Drops the versions no lookup at or after {@code horizonMillis} can need: every version before
   * the one valid at the horizon, and that one too if it is a delete (then "no version" and
   * "deleted" give the same answer). Returns how many versions were dropped.
   */
  int pruneBefore(long horizonMillis) {
    Long floor = versions.floorKey(horizonMillis);
    if (floor == null) {
      return 0;
    }
    NavigableMap<Long, V> superseded = versions.headMap(floor, false);
    int pruned = superseded.size();
    superseded.clear();
    if (versions.get(floor) == null) {
      versions.remove(floor);
      pruned++;
    }
    return pruned;
  }

  /**
   * The earliest horizon at which {@link #pruneBefore} would drop something: when the oldest
   * version is superseded, or when a lone delete becomes the version valid at the horizon. Null
   * when the history is a single live row, which stays as long as the row exists.
   */
  @Nullable Long nextPrunableHorizon() {
    if (versions.isEmpty()) {
      return null;
    }
    if (versions.size() >= 2) {
      return versions.higherKey(versions.firstKey());
    }
    return versions.firstEntry().getValue() == null ? versions.firstKey() : null;
  }
}
