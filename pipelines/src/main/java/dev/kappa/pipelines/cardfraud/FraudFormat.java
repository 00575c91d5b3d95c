package dev.kappa.pipelines.cardfraud;

import dev.kappa.schemas.results.RiskAlert;
import dev.kappa.schemas.results.RiskScore;
import dev.kappa.schemas.results.TooLateTransaction;
import dev.kappa.schemas.results.VelocityAlert;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One-line human forms of CardFraud's outputs, for the console. */
public final class FraudFormat {
  private FraudFormat() {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  /** {@code VELOCITY card C-1 tx T-3 12000 USD at 10:00:40.000 after 2: T-1@..., T-2@...}. */
  public static String human(VelocityAlert alert) {
    return String.format(
        Locale.ROOT,
        "VELOCITY card %s tx %s %d %s in %s at %s after %d: %s",
        alert.getCardId(),
        alert.getTransactionId(),
        alert.getAmountCents(),
        alert.getCurrency(),
        alert.getCountry(),
        TIME.format(alert.getEventTime()),
        alert.getEvidenceCount(),
        alert.getEvidence());
  }

  /** {@code RISK card C-1 [2026-03-01 10:00, 10:05) score=0.95 txs=6 large=5 ...}. */
  public static String human(RiskAlert alert) {
    return String.format(
        Locale.ROOT,
        "RISK card %s [%s, %s) score=%.2f txs=%d large=%d merchants=%d countries=%d foreign=%d",
        alert.getCardId(),
        DATE_TIME.format(alert.getWindowStart()),
        TIME.format(alert.getWindowEnd()).substring(0, 5),
        alert.getScore(),
        alert.getTransactionCount(),
        alert.getQualifyingCount(),
        alert.getDistinctMerchants(),
        alert.getDistinctCountries(),
        alert.getForeignCount());
  }

  /** {@code score card C-1 [2026-03-01 10:00, 10:05) 0.35 txs=2 ... EARLY #0}. */
  public static String human(RiskScore score) {
    return String.format(
        Locale.ROOT,
        "score card %s [%s, %s) %.2f txs=%d large=%d merchants=%d countries=%d foreign=%d %s #%d%s",
        score.getCardId(),
        DATE_TIME.format(score.getWindowStart()),
        TIME.format(score.getWindowEnd()).substring(0, 5),
        score.getScore(),
        score.getTransactionCount(),
        score.getQualifyingCount(),
        score.getDistinctMerchants(),
        score.getDistinctCountries(),
        score.getForeignCount(),
        score.getPaneTiming(),
        score.getPaneIndex(),
        score.getFinalPane() ? " final" : "");
  }

  /** {@code too late for velocity: tx T-9 card C-1 at 10:00:15.000 by 1234 ms}. */
  public static String human(TooLateTransaction late) {
    return String.format(
        Locale.ROOT,
        "too late for %s: tx %s card %s at %s, %d ms beyond the allowed lateness",
        late.getRule(),
        late.getTransaction().getTransactionId(),
        late.getTransaction().getCardId(),
        TIME.format(late.getTransaction().getEventTime()),
        late.getMissedWindow().getLateByMillis());
  }
}
