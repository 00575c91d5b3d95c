package dev.kappa.pipelines.visitorsessions;

import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.results.SessionRetraction;
import dev.kappa.schemas.results.TooLateVisitorEvent;
import dev.kappa.schemas.results.VisitorEvent;
import dev.kappa.schemas.results.VisitorSession;

/** How VisitorSessions' outputs look on the console: one line each, starting with the visitor. */
final class SessionFormat {
  private SessionFormat() {}

  static String human(VisitorSession s) {
    return String.format(
        "session %s %s..%s (%ds) pages=%d products=%d landing=%s exit=%s referrer=%s orders=%d"
            + " revenue=%d%s%s",
        s.getVisitorId(),
        s.getSessionStart(),
        s.getSessionEnd(),
        s.getDurationMillis() / 1000,
        s.getPageCount(),
        s.getDistinctProducts(),
        s.getLandingPage(),
        s.getExitPage(),
        s.getReferrer(),
        s.getOrders(),
        s.getRevenueMinorUnits(),
        s.getCurrencies().isEmpty() ? "" : " " + s.getCurrencies(),
        s.getConverted() ? " CONVERTED" : "");
  }

  static String human(SessionRetraction r) {
    return String.format(
        "retract %s %s..%s: merged into %s..%s",
        r.getVisitorId(),
        r.getSessionStart(),
        r.getSessionEnd(),
        r.getReplacedByStart(),
        r.getReplacedByEnd());
  }

  static String human(TooLateVisitorEvent late) {
    VisitorEvent event = late.getEvent();
    MissedWindow missed = late.getMissedSession();
    String what =
        event.getPageView() != null
            ? "view " + event.getPageView().getViewId()
            : "order " + event.getOrder().getOrderId();
    return String.format(
        "too late %s %s at %s: session %s..%s closed, watermark %s (late by %d ms)",
        late.getVisitorId(),
        what,
        missed.getEventTime(),
        missed.getWindowStart(),
        missed.getWindowEnd(),
        missed.getWatermark(),
        missed.getLateByMillis());
  }
}
