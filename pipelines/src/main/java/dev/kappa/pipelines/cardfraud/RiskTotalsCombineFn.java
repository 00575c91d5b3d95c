package dev.kappa.pipelines.cardfraud;

import dev.kappa.schemas.events.CardTransaction;
import java.io.Serializable;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.KV;

/**
 * A card's totals in one window, from its transactions each marked foreign or not: what {@link
 * RiskScoring} scores. Merchants and countries are kept as sets (a window holds minutes of one
 * card's transactions: a few).
 */
final class RiskTotalsCombineFn
    extends Combine.CombineFn<
        KV<CardTransaction, Boolean>, RiskTotalsCombineFn.Totals, RiskTotalsCombineFn.Totals> {
  private static final long serialVersionUID = 1L;
  private final AmountThresholds thresholds;

  RiskTotalsCombineFn(AmountThresholds thresholds) {
    this.thresholds = thresholds;
  }

  /** The accumulator, also the output. */
  static final class Totals implements Serializable {
    private static final long serialVersionUID = 1L;
    long transactions;
    long qualifying;
    long totalAmountCents;
    long foreign;
    final TreeSet<String> merchants = new TreeSet<>();
    final TreeSet<String> countries = new TreeSet<>();
    String customerId;

    double score() {
      return RiskScoring.score(
          transactions, qualifying, merchants.size(), countries.size(), foreign);
    }
  }

  @Override
  public Totals createAccumulator() {
    return new Totals();
  }

  @Override
  public Totals addInput(Totals totals, KV<CardTransaction, Boolean> input) {
    CardTransaction t = input.getKey();
    totals.transactions++;
    totals.qualifying += thresholds.qualifies(t) ? 1 : 0;
    totals.totalAmountCents = Math.addExact(totals.totalAmountCents, t.getAmountCents());
    totals.foreign += Boolean.TRUE.equals(input.getValue()) ? 1 : 0;
    totals.merchants.add(t.getMerchantId());
    totals.countries.add(t.getCountry());
    if (totals.customerId == null || t.getCustomerId().compareTo(totals.customerId) < 0) {
      totals.customerId = t.getCustomerId();
    }
    return totals;
  }

  @Override
  public Totals mergeAccumulators(Iterable<Totals> accumulators) {
    Totals merged = new Totals();
    for (Totals a : accumulators) {
      merged.transactions += a.transactions;
      merged.qualifying += a.qualifying;
      merged.totalAmountCents = Math.addExact(merged.totalAmountCents, a.totalAmountCents);
      merged.foreign += a.foreign;
      merged.merchants.addAll(a.merchants);
      merged.countries.addAll(a.countries);
      if (a.customerId != null
          && (merged.customerId == null || a.customerId.compareTo(merged.customerId) < 0)) {
        merged.customerId = a.customerId;
      }
    }
    return merged;
  }

  @Override
  public Totals extractOutput(Totals totals) {
    return totals;
  }

  @Override
  public Coder<Totals> getAccumulatorCoder(
      CoderRegistry registry, Coder<KV<CardTransaction, Boolean>> inputCoder)
      throws CannotProvideCoderException {
    return SerializableCoder.of(Totals.class);
  }

  @Override
  public Coder<Totals> getDefaultOutputCoder(
      CoderRegistry registry, Coder<KV<CardTransaction, Boolean>> inputCoder)
      throws CannotProvideCoderException {
    return SerializableCoder.of(Totals.class);
  }
}
