package dev.kappa.pipelines.cardfraud;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kappa.schemas.events.CardTransaction;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The amount a transaction must exceed to qualify for the velocity rule, per currency (amounts are
 * in minor units, whose worth differs by currency), with a default for the others.
 *
 * @param defaultMinimum the threshold of every currency not in {@code perCurrency}
 * @param perCurrency thresholds by ISO 4217 code
 */
record AmountThresholds(long defaultMinimum, Map<String, Long> perCurrency)
    implements Serializable {

  AmountThresholds {
    checkArgument(
        defaultMinimum >= 0, "the default threshold must be >= 0, was %s", defaultMinimum);
    perCurrency = Map.copyOf(perCurrency);
  }

  /**
   * Parses {@code "JPY=1500000,EUR=9000"} (blank: none).
   *
   * @throws IllegalArgumentException saying what is wrong with which entry
   */
  static AmountThresholds parse(long defaultMinimum, String perCurrency) {
    Map<String, Long> parsed = new TreeMap<>();
    if (perCurrency != null && !perCurrency.isBlank()) {
      for (String entry : perCurrency.split(",")) {
        String[] parts = entry.trim().split("=", -1);
        checkArgument(
            parts.length == 2 && parts[0].trim().matches("[A-Z]{3}"),
            "'%s' is not CURRENCY=amount with an ISO 4217 code",
            entry.trim());
        long amount;
        try {
          amount = Long.parseLong(parts[1].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'" + entry.trim() + "': the amount is not a whole number of minor units", e);
        }
        checkArgument(amount >= 0, "'%s': the amount must be >= 0", entry.trim());
        checkArgument(
            parsed.put(parts[0].trim(), amount) == null, "%s is given twice", parts[0].trim());
      }
    }
    return new AmountThresholds(defaultMinimum, parsed);
  }

  /** Whether {@code transaction}'s amount is over its currency's threshold. */
  boolean qualifies(CardTransaction transaction) {
    return transaction.getAmountCents()
        > perCurrency.getOrDefault(transaction.getCurrency(), defaultMinimum);
  }
}
