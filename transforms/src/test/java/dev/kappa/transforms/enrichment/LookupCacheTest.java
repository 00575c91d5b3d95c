package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

/** {@link LookupCache}: time-to-live for rows and for misses, and least-recently-used eviction. */
class LookupCacheTest {
  private static final long ROW_TTL = 300_000;
  private static final long MISS_TTL = 30_000;

  @Test
  void aRowIsServedUntilItsTtlHasPassed() {
    LookupCache<String, String> cache = new LookupCache<>(10, ROW_TTL, MISS_TTL);
    cache.put("p1", "toys", 1_000);

    assertThat(cache.get("p1", 1_000 + ROW_TTL - 1).row(), equalTo("toys"));
    assertThat(cache.get("p1", 1_000 + ROW_TTL), nullValue());
    assertThat(cache.size(), equalTo(0));
  }

  @Test
  void aMissIsServedForItsOwnTtl() {
    LookupCache<String, String> cache = new LookupCache<>(10, ROW_TTL, MISS_TTL);
    cache.put("p9", null, 1_000);

    LookupCache.Entry<String> miss = cache.get("p9", 1_000 + MISS_TTL - 1);
    assertThat(miss.found(), equalTo(false));
    assertThat(miss.row(), nullValue());
    assertThat(cache.get("p9", 1_000 + MISS_TTL), nullValue());
  }

  @Test
  void theLeastRecentlyUsedEntryIsEvictedFirst() {
    LookupCache<String, String> cache = new LookupCache<>(2, ROW_TTL, MISS_TTL);
    cache.put("a", "1", 0);
    cache.put("b", "2", 0);
    cache.get("a", 1); // a is now more recent than b
    cache.put("c", "3", 2);

    assertThat(cache.size(), equalTo(2));
    assertThat(cache.get("b", 3), nullValue());
    assertThat(cache.get("a", 3).row(), equalTo("1"));
    assertThat(cache.get("c", 3).row(), equalTo("3"));
  }

  @Test
  void aZeroSizeOrTtlCachesNothing() {
    LookupCache<String, String> none = new LookupCache<>(0, ROW_TTL, MISS_TTL);
    none.put("a", "1", 0);
    LookupCache<String, String> noMisses = new LookupCache<>(10, ROW_TTL, 0);
    noMisses.put("p9", null, 0);

    assertThat(none.get("a", 0), nullValue());
    assertThat(noMisses.get("p9", 0), nullValue());
  }
}
