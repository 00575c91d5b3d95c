package dev.kappa.transforms.enrichment;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Answers {@link EnrichFromHistory#versionAt} for one collected history (key to versions by
 * valid-from millis) from sorted arrays, built per key on its first lookup: a binary search over a
 * key's valid-from times instead of a walk down a {@link java.util.TreeMap} of boxed {@code Long}s.
 * A backfill looks up every order in two histories, and that walk was 4-7% of its profile
 * (docs/performance.md, issue 11 part 13).
 *
 * <p>Given another history (another map instance), it starts over. Not thread-safe: one per
 * instance of a step, as a {@code transient} field.
 *
 * @param <K> the key
 * @param <V> the table row
 */
final class HistoryIndex<K, V> {
  private @Nullable Map<K, SortedMap<Long, V>> history;
  private final Map<K, KeyVersions<V>> keys = new HashMap<>();

  /** The same answer as {@link EnrichFromHistory#versionAt} for {@code history}. */
  @Nullable V versionAt(
      Map<K, SortedMap<Long, V>> history, K key, Instant time, MissingKeyPolicy policy) {
    if (history != this.history) {
      keys.clear();
      this.history = history;
    }
    KeyVersions<V> versions = keys.get(key);
    if (versions == null) {
      SortedMap<Long, V> stored = history.get(key);
      if (stored == null) {
        // Not cached: a key missing from the history is rare, and the answer costs no more.
        return null;
      }
      versions = new KeyVersions<>(stored);
      keys.put(key, versions);
    }
    V row = versions.valueAt(time.getMillis());
    if (row == null && policy.waits()) {
      // Waiting for a later version is rare: the sorted map answers it as the join does.
      return EnrichFromHistory.versionAt(history, key, time, policy);
    }
    return row;
  }

  /** One key's versions: valid-from times ascending, and the row of each (null: deleted). */
  private static final class KeyVersions<V> {
    private final long[] validFrom;
    private final @Nullable Object[] rows;

    KeyVersions(SortedMap<Long, V> stored) {
      validFrom = new long[stored.size()];
      rows = new Object[stored.size()];
      int i = 0;
      for (Map.Entry<Long, V> version : stored.entrySet()) {
        validFrom[i] = version.getKey();
        rows[i] = version.getValue();
        i++;
      }
    }

    /** The row valid at {@code millis}: the latest version at or before it; null if none. */
    @SuppressWarnings("unchecked")
    @Nullable V valueAt(long millis) {
      int found = Arrays.binarySearch(validFrom, millis);
      int latest = found >= 0 ? found : -found - 2;
      return latest < 0 ? null : (V) rows[latest];
    }
  }
}
