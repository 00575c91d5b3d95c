package dev.kappa.schemas;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.CardTransaction;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.InventoryItem;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.PageView;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.events.Product;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The catalog of event types Kappa reads: for each, the generated class, where its schema history
 * lives and which changes it accepts.
 *
 * <p>One list keeps the codecs (which must resolve every historical writer version), the
 * compatibility gate and the drift test between history and generated code in step: an event type
 * added here is checked by all three.
 *
 * <p>Two plumbing records are listed because they are stored and read back: {@link SourceRecord}
 * (archives) and {@link DeadLetter} (dead-letter topics, which operators replay). Results ({@code
 * dev.kappa.schemas.results}) and the other plumbing records are not: they have a single version so
 * far.
 */
public enum EventType {
  /**
   * Orders have three released versions and a backfill replays years of them, so today's schema
   * must read every one of them, not only the previous: BACKWARD_TRANSITIVE.
   */
  ORDER_EVENT(OrderEvent.class, "order_event", CompatibilityMode.BACKWARD_TRANSITIVE),
  PAYMENT(Payment.class, "payment", CompatibilityMode.BACKWARD),
  PAGE_VIEW(PageView.class, "page_view", CompatibilityMode.BACKWARD),
  CARD_TRANSACTION(CardTransaction.class, "card_transaction", CompatibilityMode.BACKWARD),
  PRODUCT(Product.class, "product", CompatibilityMode.BACKWARD),
  CUSTOMER(Customer.class, "customer", CompatibilityMode.BACKWARD),
  /** Rows of the inventory table, in its change stream (the inventory job). */
  INVENTORY_ITEM(InventoryItem.class, "inventory_item", CompatibilityMode.BACKWARD),
  /** v2 adds {@code payload_null}: records stored by v1 must still decode. */
  SOURCE_RECORD(SourceRecord.class, "source_record", CompatibilityMode.BACKWARD_TRANSITIVE),
  /** v2 adds {@code payload_null} and the truncation fields, all with defaults. */
  DEAD_LETTER(DeadLetter.class, "dead_letter", CompatibilityMode.BACKWARD_TRANSITIVE);

  private static final String HISTORY_ROOT = "avro/history/";

  private final Class<? extends SpecificRecordBase> recordClass;
  private final String historyName;
  private final CompatibilityMode compatibility;

  /** Loaded on first use; immutable once set. */
  private volatile List<SchemaVersion> history;

  EventType(
      Class<? extends SpecificRecordBase> recordClass,
      String historyName,
      CompatibilityMode compatibility) {
    this.recordClass = recordClass;
    this.historyName = historyName;
    this.compatibility = compatibility;
  }

  /** The generated class of the current version. */
  public Class<? extends SpecificRecordBase> recordClass() {
    return recordClass;
  }

  /** The classpath directory of the version files, e.g. {@code avro/history/order_event}. */
  public String historyDirectory() {
    return HISTORY_ROOT + historyName;
  }

  /** Which changes new versions of this type must keep. */
  public CompatibilityMode compatibility() {
    return compatibility;
  }

  /** The schema the generated class was built from ({@code SCHEMA$}). */
  public Schema currentSchema() {
    return SpecificData.getForClass(recordClass).getSchema(recordClass);
  }

  /**
   * Every released version, oldest first; the last equals {@link #currentSchema()}.
   *
   * @throws IllegalArgumentException if the history files are missing or do not parse
   */
  public List<SchemaVersion> history() {
    List<SchemaVersion> loaded = history;
    if (loaded == null) {
      loaded = SchemaHistory.load(historyDirectory());
      history = loaded;
    }
    return loaded;
  }

  /** The newest released version. */
  public SchemaVersion latest() {
    List<SchemaVersion> versions = history();
    return versions.get(versions.size() - 1);
  }

  /** The event type whose current version is generated as {@code recordClass}, if any. */
  public static Optional<EventType> forClass(Class<?> recordClass) {
    for (EventType type : values()) {
      if (type.recordClass.equals(recordClass)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
