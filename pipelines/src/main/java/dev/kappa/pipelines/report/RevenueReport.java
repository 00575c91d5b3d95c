package dev.kappa.pipelines.report;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * What OrderRevenue's report shows, computed from the records a run wrote: each window's latest
 * result (its final pane, or the newest pane of a window still open), revenue per window for each
 * currency and category, what the too-late orders would have added to each window they missed, and
 * the dead letters counted by the step and error that rejected them.
 *
 * <p>Results may hold every pane (files) or only each window's latest (the upserted table); both
 * give the same windows.
 */
public final class RevenueReport {

  /** One category and currency in one window. */
  public record WindowKey(String category, String currency, Instant start, Instant end)
      implements Comparable<WindowKey> {
    private static final Comparator<WindowKey> ORDER =
        Comparator.comparing(WindowKey::start)
            .thenComparing(WindowKey::end)
            .thenComparing(WindowKey::category)
            .thenComparing(WindowKey::currency);

    @Override
    public int compareTo(WindowKey other) {
      return ORDER.compare(this, other);
    }
  }

  /** A window's latest result and how many panes of it the run wrote. */
  public record WindowResult(
      WindowKey key,
      long orders,
      long revenueCents,
      String paneTiming,
      long paneIndex,
      boolean finalPane,
      int panesSeen) {}

  /** What too-late orders would have added to one window of one currency. */
  public record Missed(long orders, long revenueCents) {
    Missed plus(long revenue) {
      return new Missed(orders + 1, revenueCents + revenue);
    }
  }

  /** Dead letters of one step and error class; {@code example} is the first one's message. */
  public record Rejection(String step, String errorClass, long count, String example) {}

  private final SortedMap<WindowKey, WindowResult> windows;
  private final SortedMap<String, Long> panesByTiming;
  private final SortedMap<Instant, SortedMap<String, Missed>> tooLate;
  private final List<Rejection> rejections;
  private final long tooLateCount;
  private final long deadLetterCount;

  private RevenueReport(
      SortedMap<WindowKey, WindowResult> windows,
      SortedMap<String, Long> panesByTiming,
      SortedMap<Instant, SortedMap<String, Missed>> tooLate,
      List<Rejection> rejections,
      long tooLateCount,
      long deadLetterCount) {
    this.windows = windows;
    this.panesByTiming = panesByTiming;
    this.tooLate = tooLate;
    this.rejections = rejections;
    this.tooLateCount = tooLateCount;
    this.deadLetterCount = deadLetterCount;
  }

  /** The report of {@code results} (any panes, in any order), too-late orders and dead letters. */
  public static RevenueReport of(
      List<CategoryRevenue> results, List<TooLateOrder> tooLate, List<DeadLetter> deadLetters) {
    SortedMap<WindowKey, WindowResult> windows = new TreeMap<>();
    SortedMap<String, Long> panesByTiming = new TreeMap<>();
    for (CategoryRevenue pane : results) {
      panesByTiming.merge(pane.getPaneTiming().toString(), 1L, Long::sum);
      WindowKey key =
          new WindowKey(
              pane.getCategory(), pane.getCurrency(), pane.getWindowStart(), pane.getWindowEnd());
      WindowResult seen = windows.get(key);
      int panesSeen = seen == null ? 1 : seen.panesSeen() + 1;
      boolean newer =
          seen == null
              || (!seen.finalPane()
                  && (pane.getFinalPane() || pane.getPaneIndex() > seen.paneIndex()));
      WindowResult latest =
          newer
              ? new WindowResult(
                  key,
                  pane.getOrderCount(),
                  pane.getRevenueCents(),
                  pane.getPaneTiming().toString(),
                  pane.getPaneIndex(),
                  pane.getFinalPane(),
                  panesSeen)
              : new WindowResult(
                  key,
                  seen.orders(),
                  seen.revenueCents(),
                  seen.paneTiming(),
                  seen.paneIndex(),
                  seen.finalPane(),
                  panesSeen);
      windows.put(key, latest);
    }
    SortedMap<Instant, SortedMap<String, Missed>> missed = new TreeMap<>();
    for (TooLateOrder late : tooLate) {
      OrderEvent order = late.getOrder();
      missed
          .computeIfAbsent(late.getMissedWindow().getWindowStart(), start -> new TreeMap<>())
          .merge(
              order.getCurrency(),
              new Missed(1, (long) order.getQuantity() * order.getUnitPriceCents()),
              (before, one) -> before.plus(one.revenueCents()));
    }
    Map<List<String>, Rejection> byReason = new LinkedHashMap<>();
    for (DeadLetter letter : deadLetters) {
      List<String> reason = List.of(letter.getStep(), letter.getErrorClass());
      Rejection before = byReason.get(reason);
      byReason.put(
          reason,
          new Rejection(
              letter.getStep(),
              letter.getErrorClass(),
              before == null ? 1 : before.count() + 1,
              before == null ? letter.getErrorMessage() : before.example()));
    }
    List<Rejection> rejections = new ArrayList<>(byReason.values());
    rejections.sort(
        Comparator.comparingLong(Rejection::count)
            .reversed()
            .thenComparing(Rejection::step)
            .thenComparing(Rejection::errorClass));
    return new RevenueReport(
        windows,
        panesByTiming,
        missed,
        List.copyOf(rejections),
        tooLate.size(),
        deadLetters.size());
  }

  /** Every window's latest result, by window start, then category and currency. */
  public List<WindowResult> windows() {
    return List.copyOf(windows.values());
  }

  /** The currencies of the results, sorted. */
  public SortedSet<String> currencies() {
    SortedSet<String> currencies = new TreeSet<>();
    windows.keySet().forEach(key -> currencies.add(key.currency()));
    return currencies;
  }

  /** The window starts of the results (all currencies), sorted. */
  public SortedSet<Instant> windowStarts() {
    SortedSet<Instant> starts = new TreeSet<>();
    windows.keySet().forEach(key -> starts.add(key.start()));
    return starts;
  }

  /**
   * For {@code currency}, each category's revenue in cents per window start of {@link
   * #windowStarts()}, in that order; {@code null} where the category had no result in a window.
   */
  public SortedMap<String, List<Long>> revenueSeries(String currency) {
    List<Instant> starts = new ArrayList<>(windowStarts());
    SortedMap<String, List<Long>> series = new TreeMap<>();
    for (WindowResult result : windows.values()) {
      if (!result.key().currency().equals(currency)) {
        continue;
      }
      List<Long> values =
          series.computeIfAbsent(
              result.key().category(),
              category -> new ArrayList<>(java.util.Collections.nCopies(starts.size(), null)));
      int index = starts.indexOf(result.key().start());
      Long before = values.get(index);
      values.set(index, (before == null ? 0 : before) + result.revenueCents());
    }
    return series;
  }

  /** Total revenue in cents of every window's latest result, per currency. */
  public SortedMap<String, Long> revenueByCurrency() {
    SortedMap<String, Long> totals = new TreeMap<>();
    windows.values().forEach(r -> totals.merge(r.key().currency(), r.revenueCents(), Long::sum));
    return totals;
  }

  /** Orders counted in every window's latest result. */
  public long orders() {
    return windows.values().stream().mapToLong(WindowResult::orders).sum();
  }

  /** Windows whose final pane the run wrote. */
  public long closedWindows() {
    return windows.values().stream().filter(WindowResult::finalPane).count();
  }

  /** Panes read, by timing (EARLY, ON_TIME, LATE, UNKNOWN). */
  public SortedMap<String, Long> panesByTiming() {
    return panesByTiming;
  }

  /** For each window start that too-late orders missed, their count and revenue per currency. */
  public SortedMap<Instant, SortedMap<String, Missed>> tooLateByWindow() {
    return tooLate;
  }

  /** The too-late orders read. */
  public long tooLateCount() {
    return tooLateCount;
  }

  /** The dead letters read. */
  public long deadLetterCount() {
    return deadLetterCount;
  }

  /** The dead letters by step and error class, most frequent first. */
  public List<Rejection> rejections() {
    return rejections;
  }

  /** The latest result of one window, if the run wrote one. */
  public Optional<WindowResult> window(
      String category, String currency, Instant start, @Nullable Instant end) {
    return windows.values().stream()
        .filter(r -> r.key().category().equals(category))
        .filter(r -> r.key().currency().equals(currency))
        .filter(r -> r.key().start().equals(start))
        .filter(r -> end == null || r.key().end().equals(end))
        .findFirst();
  }
}
