package dev.kappa.transforms.enrichment;

import java.util.LinkedHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A bounded cache of table rows, least recently used evicted first, that also remembers keys the
 * table did not hold. Rows and misses expire after their own time-to-live: a miss usually expires
 * sooner, because a row that is missing now (not inserted yet) is what a join waits for.
 *
 * <p>One per DoFn instance, so not thread-safe; time is passed in by the caller.
 */
final class LookupCache<K, V> {
  private final int maxEntries;
  private final long rowTtlMillis;
  private final long missTtlMillis;
  private final LinkedHashMap<K, Entry<V>> entries;

  /** A cached answer: a row, or the knowledge that the table had none. */
  static final class Entry<V> {
    private final @Nullable V row;
    private final long expiresAtMillis;

    Entry(@Nullable V row, long expiresAtMillis) {
      this.row = row;
      this.expiresAtMillis = expiresAtMillis;
    }

    /** The row, or null when the table did not hold the key. */
    @Nullable V row() {
      return row;
    }

    boolean found() {
      return row != null;
    }
  }

  LookupCache(int maxEntries, long rowTtlMillis, long missTtlMillis) {
    this.maxEntries = maxEntries;
    this.rowTtlMillis = rowTtlMillis;
    this.missTtlMillis = missTtlMillis;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
            return size() > LookupCache.this.maxEntries;
          }
        };
  }

  /** The cached answer for {@code key}, or null when there is none or it has expired. */
  @Nullable Entry<V> get(K key, long nowMillis) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (nowMillis >= entry.expiresAtMillis) {
      entries.remove(key);
      return null;
    }
    return entry;
  }

  /** Remembers the table's answer for {@code key}: {@code row}, or null for "not there". */
  void put(K key, @Nullable V row, long nowMillis) {
    long ttl = row == null ? missTtlMillis : rowTtlMillis;
    if (maxEntries == 0 || ttl <= 0) {
      return;
    }
    entries.put(key, new Entry<>(row, nowMillis + ttl));
  }

  int size() {
    return entries.size();
  }
}
