package dev.kappa.pipelines.reconcile;

import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What {@link Reconciler#compare} found: how many keys it compared and how many were equal, and
 * every window and group with a difference, with its verdict.
 *
 * @param keys the keys (window and key) found on either side
 * @param equal the keys with the same answer on both sides
 * @param groups the groups with a difference, in window then group order
 * @param unmatchedTooLate too-late records in a group where the two sides agree (the other side
 *     lacks them too, or they are outside the range compared)
 */
public record Comparison(int keys, int equal, List<Group> groups, List<TooLate> unmatchedTooLate) {

  /** How a difference stands. */
  public enum Verdict {
    /** The too-late records of the group account for the difference exactly. */
    EXPLAINED,
    /** Nothing accounts for the difference. */
    UNEXPLAINED
  }

  /** Which side counted the too-late records the other side diverted. */
  public enum Side {
    LEFT,
    RIGHT
  }

  /**
   * A key that differs: its answer on each side (null where that side has none).
   *
   * @param key the key's values within its window
   */
  public record KeyDifference(List<String> key, @Nullable Row left, @Nullable Row right) {}

  /**
   * The differing keys of one window and group, the sums of their differences (right minus left)
   * per measure, the too-late records of that window and group, and the verdict.
   *
   * @param countedBy for an explained group, the side that counted the too-late records
   */
  public record Group(
      Instant windowStart,
      Instant windowEnd,
      List<String> group,
      List<KeyDifference> keys,
      Map<String, Long> rightMinusLeft,
      List<TooLate> tooLate,
      Verdict verdict,
      @Nullable Side countedBy) {}

  /** The number of differing keys in groups of {@code verdict}. */
  public int keysWith(Verdict verdict) {
    return groups.stream()
        .filter(group -> group.verdict() == verdict)
        .mapToInt(group -> group.keys().size())
        .sum();
  }

  /** Whether every difference is explained (exit code 0). */
  public boolean allExplained() {
    return groups.stream().allMatch(group -> group.verdict() == Verdict.EXPLAINED);
  }
}
