package dev.kappa.pipelines.visitorsessions;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.PageView;
import dev.kappa.schemas.results.SessionActivity;
import dev.kappa.schemas.results.VisitorEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * Summarises a session's events: first and last event times, landing page (the earliest view, ties
 * broken by the smallest view id) with its referrer, exit page (the latest view, ties by the
 * largest view id), page count, distinct products viewed, orders, revenue and currencies. Merging
 * is associative and commutative, so the summary does not depend on the order events arrive in.
 */
final class SessionActivityCombineFn
    extends CombineFn<VisitorEvent, SessionActivity, SessionActivity> {
  private static final long serialVersionUID = 1L;

  @Override
  public SessionActivity createAccumulator() {
    return SessionActivity.newBuilder()
        .setFirstTime(Instant.ofEpochMilli(Long.MAX_VALUE))
        .setLastTime(Instant.ofEpochMilli(Long.MIN_VALUE))
        .setPageCount(0)
        .setProducts(new ArrayList<>())
        .setOrders(0)
        .setRevenueMinorUnits(0)
        .setCurrencies(new ArrayList<>())
        .build();
  }

  @Override
  public SessionActivity addInput(SessionActivity activity, VisitorEvent event) {
    return mergeAccumulators(List.of(activity, of(event)));
  }

  /** The summary of one event. */
  static SessionActivity of(VisitorEvent event) {
    PageView view = event.getPageView();
    OrderEvent order = event.getOrder();
    if (view != null) {
      List<String> products = new ArrayList<>();
      if (view.getProductId() != null) {
        products.add(view.getProductId());
      }
      return SessionActivity.newBuilder()
          .setFirstTime(view.getEventTime())
          .setLastTime(view.getEventTime())
          .setLandingTime(view.getEventTime())
          .setLandingViewId(view.getViewId())
          .setLandingPage(view.getUrl())
          .setReferrer(view.getReferrer())
          .setExitTime(view.getEventTime())
          .setExitViewId(view.getViewId())
          .setExitPage(view.getUrl())
          .setPageCount(1)
          .setProducts(products)
          .setOrders(0)
          .setRevenueMinorUnits(0)
          .setCurrencies(new ArrayList<>())
          .build();
    }
    return SessionActivity.newBuilder()
        .setFirstTime(order.getEventTime())
        .setLastTime(order.getEventTime())
        .setPageCount(0)
        .setProducts(new ArrayList<>())
        .setOrders(1)
        .setRevenueMinorUnits(
            Math.multiplyExact((long) order.getQuantity(), order.getUnitPriceCents()))
        .setCurrencies(new ArrayList<>(List.of(order.getCurrency())))
        .build();
  }

  @Override
  public SessionActivity mergeAccumulators(Iterable<SessionActivity> activities) {
    SessionActivity merged = null;
    for (SessionActivity activity : activities) {
      merged =
          merged == null ? SessionActivity.newBuilder(activity).build() : merge(merged, activity);
    }
    return merged == null ? createAccumulator() : merged;
  }

  private static SessionActivity merge(SessionActivity a, SessionActivity b) {
    SessionActivity.Builder out = SessionActivity.newBuilder(a);
    out.setFirstTime(min(a.getFirstTime(), b.getFirstTime()));
    out.setLastTime(max(a.getLastTime(), b.getLastTime()));
    if (b.getLandingTime() != null
        && (a.getLandingTime() == null
            || b.getLandingTime().isBefore(a.getLandingTime())
            || (b.getLandingTime().equals(a.getLandingTime())
                && b.getLandingViewId().compareTo(a.getLandingViewId()) < 0))) {
      out.setLandingTime(b.getLandingTime())
          .setLandingViewId(b.getLandingViewId())
          .setLandingPage(b.getLandingPage())
          .setReferrer(b.getReferrer());
    }
    if (b.getExitTime() != null
        && (a.getExitTime() == null
            || b.getExitTime().isAfter(a.getExitTime())
            || (b.getExitTime().equals(a.getExitTime())
                && b.getExitViewId().compareTo(a.getExitViewId()) > 0))) {
      out.setExitTime(b.getExitTime())
          .setExitViewId(b.getExitViewId())
          .setExitPage(b.getExitPage());
    }
    out.setPageCount(a.getPageCount() + b.getPageCount());
    out.setProducts(union(a.getProducts(), b.getProducts()));
    out.setOrders(a.getOrders() + b.getOrders());
    out.setRevenueMinorUnits(Math.addExact(a.getRevenueMinorUnits(), b.getRevenueMinorUnits()));
    out.setCurrencies(union(a.getCurrencies(), b.getCurrencies()));
    return out.build();
  }

  private static List<String> union(List<String> a, List<String> b) {
    TreeSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return new ArrayList<>(all);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public SessionActivity extractOutput(SessionActivity activity) {
    return activity;
  }

  @Override
  public Coder<SessionActivity> getAccumulatorCoder(
      CoderRegistry registry, Coder<VisitorEvent> inputCoder) {
    return SpecificRecordCoder.of(SessionActivity.class);
  }

  @Override
  public Coder<SessionActivity> getDefaultOutputCoder(
      CoderRegistry registry, Coder<VisitorEvent> inputCoder) {
    return SpecificRecordCoder.of(SessionActivity.class);
  }
}
