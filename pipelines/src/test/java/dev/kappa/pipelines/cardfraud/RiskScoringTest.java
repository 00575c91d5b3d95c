package dev.kappa.pipelines.cardfraud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.CardTransaction;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RiskScoring}, the pure scoring function, and {@link AmountThresholds}. */
class RiskScoringTest {

  @Test
  void aSinglePurchaseAtHomeScoresNothing() {
    assertThat(RiskScoring.score(1, 0, 1, 1, 0), equalTo(0.0));
    assertThat(RiskScoring.score(0, 0, 0, 0, 0), equalTo(0.0));
  }

  @Test
  void eachSignalAddsItsPointsUpToItsCap() {
    assertThat(RiskScoring.points(3, 0, 1, 1, 0), equalTo(10)); // two after the first
    assertThat(RiskScoring.points(50, 0, 1, 1, 0), equalTo(25)); // capped
    assertThat(RiskScoring.points(1, 1, 1, 1, 0), equalTo(5));
    assertThat(RiskScoring.points(1, 9, 1, 1, 0), equalTo(25));
    assertThat(RiskScoring.points(1, 0, 3, 1, 0), equalTo(10));
    assertThat(RiskScoring.points(1, 0, 9, 1, 0), equalTo(15));
    assertThat(RiskScoring.points(1, 0, 1, 2, 0), equalTo(5));
    assertThat(RiskScoring.points(1, 0, 1, 7, 0), equalTo(15));
    assertThat(RiskScoring.points(1, 0, 1, 1, 1), equalTo(20));
    assertThat(RiskScoring.points(1, 0, 1, 1, 6), equalTo(20));
  }

  @Test
  void everySignalAtItsCapIsOne() {
    assertThat(RiskScoring.score(6, 5, 4, 4, 1), equalTo(1.0));
    assertThat(RiskScoring.score(1000, 1000, 1000, 1000, 1000), equalTo(1.0));
  }

  /** The default threshold (0.85) is exceeded only with nearly every signal, and 0.85 is not. */
  @Test
  void theThresholdIsExceededStrictly() {
    assertThat(RiskScoring.score(6, 5, 4, 2, 1), equalTo(0.90));
    assertThat(RiskScoring.score(6, 5, 4, 2, 1), greaterThan(0.85));
    assertThat(RiskScoring.score(6, 5, 3, 2, 1), equalTo(0.85));
    assertThat(RiskScoring.score(6, 5, 4, 4, 0), lessThanOrEqualTo(0.85));
  }

  @Test
  void thresholdsArePerCurrencyAndStrict() {
    AmountThresholds thresholds = AmountThresholds.parse(10_000, "JPY=1500000, EUR=9000");

    assertThat(thresholds.perCurrency(), equalTo(Map.of("JPY", 1_500_000L, "EUR", 9_000L)));
    assertThat(thresholds.qualifies(tx(10_000, "USD")), equalTo(false));
    assertThat(thresholds.qualifies(tx(10_001, "USD")), equalTo(true));
    assertThat(thresholds.qualifies(tx(20_000, "JPY")), equalTo(false));
    assertThat(thresholds.qualifies(tx(1_500_001, "JPY")), equalTo(true));
    assertThat(thresholds.qualifies(tx(9_001, "EUR")), equalTo(true));
  }

  @Test
  void badThresholdsAreNamed() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> AmountThresholds.parse(1, "yen=5"))
            .getMessage(),
        equalTo("'yen=5' is not CURRENCY=amount with an ISO 4217 code"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> AmountThresholds.parse(1, "JPY=x"))
            .getMessage(),
        equalTo("'JPY=x': the amount is not a whole number of minor units"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> AmountThresholds.parse(1, "JPY=1,JPY=2"))
            .getMessage(),
        equalTo("JPY is given twice"));
  }

  private static CardTransaction tx(long amount, String currency) {
    return CardTransaction.newBuilder()
        .setTransactionId("T")
        .setCardId("K")
        .setCustomerId("C")
        .setMerchantId("M")
        .setAmountCents(amount)
        .setCurrency(currency)
        .setCountry("US")
        .setEventTime(Instant.parse("2026-03-01T10:00:00Z"))
        .build();
  }
}
