package dev.kappa.pipelines.reconcile;

import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.reconcile.Comparison.Group;
import dev.kappa.pipelines.reconcile.Comparison.KeyDifference;
import dev.kappa.pipelines.reconcile.Comparison.Side;
import dev.kappa.pipelines.reconcile.Comparison.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * Compares two result sets key by key and explains their differences by too-late records.
 *
 * <p>Each side's answer for a key (window and key values) is its row with the highest pane: a file
 * output holds every pane, a table only the last. Keys whose rows have the same measures are equal;
 * a key on one side only differs by all its measures. Differences are summed per window and group
 * (right minus left). A group is explained when the too-late records of its window and group add up
 * to that sum exactly, measure by measure (the right side counted what the left diverted), or to
 * its negation (the left counted what the right diverted); otherwise it is unexplained, including
 * when no too-late record falls into it.
 */
public final class Reconciler {
  private Reconciler() {}

  /** The window and values that identify a key or a group. */
  private record Id(Instant windowStart, Instant windowEnd, List<String> values) {}

  private static final Comparator<Id> ORDER =
      Comparator.comparing(Id::windowStart)
          .thenComparing(Id::windowEnd)
          .thenComparing(id -> String.join("\u0000", id.values()));

  /**
   * Compares {@code left} with {@code right} over the windows inside {@code [from, to)} (either may
   * be null for no bound), explaining differences by {@code tooLate}.
   *
   * @param measures the measures compared, in the order reports show them
   * @param groupOf the group of a row, as the too-late records name theirs
   */
  public static Comparison compare(
      Collection<Row> left,
      Collection<Row> right,
      Collection<TooLate> tooLate,
      List<String> measures,
      Function<Row, List<String>> groupOf,
      @Nullable Instant from,
      @Nullable Instant to) {
    Map<Id, Row> leftAnswers = answers(left, from, to);
    Map<Id, Row> rightAnswers = answers(right, from, to);
    TreeMap<Id, Row> keys = new TreeMap<>(ORDER);
    keys.putAll(leftAnswers);
    keys.putAll(rightAnswers);

    TreeMap<Id, List<KeyDifference>> differing = new TreeMap<>(ORDER);
    int equal = 0;
    for (Id key : keys.keySet()) {
      Row l = leftAnswers.get(key);
      Row r = rightAnswers.get(key);
      if (l != null && r != null && sameMeasures(l, r, measures)) {
        equal++;
        continue;
      }
      Row any = l != null ? l : r;
      Id group = new Id(key.windowStart(), key.windowEnd(), groupOf.apply(any));
      differing
          .computeIfAbsent(group, g -> new ArrayList<>())
          .add(new KeyDifference(key.values(), l, r));
    }

    TreeMap<Id, List<TooLate>> tooLateByGroup = new TreeMap<>(ORDER);
    for (TooLate record : tooLate) {
      if (inside(record.windowStart(), record.windowEnd(), from, to)) {
        tooLateByGroup
            .computeIfAbsent(
                new Id(record.windowStart(), record.windowEnd(), record.group()),
                g -> new ArrayList<>())
            .add(record);
      }
    }

    List<Group> groups = new ArrayList<>();
    for (Map.Entry<Id, List<KeyDifference>> entry : differing.entrySet()) {
      Id id = entry.getKey();
      Map<String, Long> delta = new TreeMap<>();
      for (String measure : measures) {
        long sum = 0;
        for (KeyDifference key : entry.getValue()) {
          sum += measure(key.right(), measure) - measure(key.left(), measure);
        }
        delta.put(measure, sum);
      }
      List<TooLate> records = tooLateByGroup.getOrDefault(id, List.of());
      Side countedBy = null;
      if (!records.isEmpty()) {
        Map<String, Long> diverted = new TreeMap<>();
        for (String measure : measures) {
          diverted.put(
              measure,
              records.stream().mapToLong(r -> r.measures().getOrDefault(measure, 0L)).sum());
        }
        if (diverted.equals(delta)) {
          countedBy = Side.RIGHT;
        } else if (diverted.equals(negated(delta))) {
          countedBy = Side.LEFT;
        }
      }
      groups.add(
          new Group(
              id.windowStart(),
              id.windowEnd(),
              id.values(),
              List.copyOf(entry.getValue()),
              delta,
              records,
              countedBy == null ? Verdict.UNEXPLAINED : Verdict.EXPLAINED,
              countedBy));
    }

    List<TooLate> unmatched = new ArrayList<>();
    for (Map.Entry<Id, List<TooLate>> entry : tooLateByGroup.entrySet()) {
      if (!differing.containsKey(entry.getKey())) {
        unmatched.addAll(entry.getValue());
      }
    }
    return new Comparison(keys.size(), equal, List.copyOf(groups), List.copyOf(unmatched));
  }

  /** Each key's row with the highest pane (the later one on a tie), inside the range. */
  private static Map<Id, Row> answers(
      Collection<Row> rows, @Nullable Instant from, @Nullable Instant to) {
    Map<Id, Row> answers = new TreeMap<>(ORDER);
    for (Row row : rows) {
      if (!inside(row.windowStart(), row.windowEnd(), from, to)) {
        continue;
      }
      answers.merge(
          new Id(row.windowStart(), row.windowEnd(), row.key()),
          row,
          (had, next) -> later(had, next));
    }
    return answers;
  }

  /**
   * The answer of two rows of one key: the higher pane; on a tie (a file holding one pane twice,
   * with different numbers) the one with the larger measures in name order, so the choice does not
   * depend on the order the files were read in.
   */
  private static Row later(Row had, Row next) {
    if (next.pane() != had.pane()) {
      return next.pane() > had.pane() ? next : had;
    }
    return MEASURES_ORDER.compare(next.measures(), had.measures()) >= 0 ? next : had;
  }

  private static final Comparator<Map<String, Long>> MEASURES_ORDER =
      (a, b) -> {
        for (String name : new java.util.TreeSet<>(a.keySet())) {
          int c = Long.compare(a.getOrDefault(name, 0L), b.getOrDefault(name, 0L));
          if (c != 0) {
            return c;
          }
        }
        return 0;
      };

  private static boolean inside(
      Instant windowStart, Instant windowEnd, @Nullable Instant from, @Nullable Instant to) {
    return (from == null || !windowStart.isBefore(from)) && (to == null || !windowEnd.isAfter(to));
  }

  private static boolean sameMeasures(Row left, Row right, List<String> measures) {
    return measures.stream()
        .allMatch(m -> Objects.equals(left.measures().get(m), right.measures().get(m)));
  }

  private static long measure(@Nullable Row row, String measure) {
    return row == null ? 0 : row.measures().getOrDefault(measure, 0L);
  }

  private static Map<String, Long> negated(Map<String, Long> values) {
    Map<String, Long> negated = new TreeMap<>();
    values.forEach((name, value) -> negated.put(name, -value));
    return negated;
  }
}
