package dev.kappa.pipelines.cardfraud;

import dev.kappa.schemas.codec.Bytes;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.CardTransaction;
import dev.kappa.transforms.errors.RecordDecoder;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.Instant;

/**
 * Decodes a card transaction record (Avro single-object bytes or a JSON line) and rejects one that
 * breaks the domain rules, naming every broken rule.
 */
final class TransactionDecoder implements RecordDecoder<CardTransaction> {
  private static final long serialVersionUID = 1L;
  private static final EventCodec<CardTransaction> CODEC = EventCodec.of(CardTransaction.class);

  @Override
  public CardTransaction decode(SourceRecord record) {
    CardTransaction transaction = CODEC.decode(Bytes.copyOf(record.getPayload()));
    List<String> violations = violations(transaction);
    if (!violations.isEmpty()) {
      throw new InvalidTransactionException(transaction.getTransactionId(), violations);
    }
    return transaction;
  }

  /** The event time of the transaction in {@code record}; throws if it can't be decoded. */
  static Instant eventTime(SourceRecord record) {
    return new Instant(
        CODEC.decode(Bytes.copyOf(record.getPayload())).getEventTime().toEpochMilli());
  }

  static List<String> violations(CardTransaction t) {
    List<String> broken = new ArrayList<>();
    for (String[] field :
        new String[][] {
          {"transaction_id", t.getTransactionId()},
          {"card_id", t.getCardId()},
          {"customer_id", t.getCustomerId()},
          {"merchant_id", t.getMerchantId()}
        }) {
      if (field[1].isBlank()) {
        broken.add(field[0] + " is blank");
      }
    }
    if (t.getAmountCents() < 0) {
      broken.add("amount_cents is negative (" + t.getAmountCents() + ")");
    }
    if (!t.getCurrency().matches("[A-Z]{3}")) {
      broken.add("currency is not an ISO 4217 code ('" + t.getCurrency() + "')");
    }
    if (!t.getCountry().matches("[A-Z]{2}")) {
      broken.add("country is not an ISO 3166-1 alpha-2 code ('" + t.getCountry() + "')");
    }
    return broken;
  }

  /** A transaction that decoded but breaks one or more domain rules. */
  static final class InvalidTransactionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidTransactionException(String transactionId, List<String> violations) {
      super("transaction " + transactionId + " is invalid: " + String.join("; ", violations));
    }
  }
}
