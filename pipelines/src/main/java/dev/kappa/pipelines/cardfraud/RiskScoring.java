package dev.kappa.pipelines.cardfraud;

/**
 * The risk score of a card in a window: a pure function of the window's totals, in points out of
 * 100 so that the score and its comparison with the threshold are exact (the reference in {@code
 * test-data/card-fraud} computes the same with Python's floats).
 *
 * <table>
 *   <caption>Points</caption>
 *   <tr><th>Signal</th><th>Points</th><th>Cap</th></tr>
 *   <tr><td>each transaction after the first</td><td>5</td><td>25</td></tr>
 *   <tr><td>each qualifying (large) transaction</td><td>5</td><td>25</td></tr>
 *   <tr><td>each merchant after the first</td><td>5</td><td>15</td></tr>
 *   <tr><td>each country after the first</td><td>5</td><td>15</td></tr>
 *   <tr><td>any transaction outside the customer's home country</td><td>20</td><td>20</td></tr>
 * </table>
 *
 * <p>The score is the points divided by 100: in [0, 1]. With the default threshold (0.85) a window
 * needs nearly every signal: e.g. six transactions, five of them large, at four merchants in three
 * countries, one abroad (25 + 25 + 15 + 10 + 20 = 95).
 */
final class RiskScoring {
  private RiskScoring() {}

  /** The points of a window's totals, 0 to 100. */
  static int points(
      long transactions,
      long qualifying,
      int distinctMerchants,
      int distinctCountries,
      long foreign) {
    if (transactions <= 0) {
      return 0;
    }
    return 5 * (int) Math.min(transactions - 1, 5)
        + 5 * (int) Math.min(qualifying, 5)
        + 5 * Math.min(Math.max(distinctMerchants - 1, 0), 3)
        + 5 * Math.min(Math.max(distinctCountries - 1, 0), 3)
        + (foreign > 0 ? 20 : 0);
  }

  /** The score in [0, 1]: {@link #points} / 100. */
  static double score(
      long transactions,
      long qualifying,
      int distinctMerchants,
      int distinctCountries,
      long foreign) {
    return points(transactions, qualifying, distinctMerchants, distinctCountries, foreign) / 100.0;
  }
}
