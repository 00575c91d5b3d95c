package dev.kappa.pipelines.job;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.options.EnrichmentOptions.Enrichment;
import dev.kappa.options.EnrichmentOptions.MissingKey;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A reference table a job joins its events to, and the job's options that choose how: a temporal
 * join against the table's change stream, a lookup, or a snapshot ({@link Enrichment}), and what
 * happens to an event whose key the table lacks ({@link MissingKey}). {@link JobContext#join} gives
 * the {@link TableJoin}. A table without {@code joinedBy} is a change stream the job reads as an
 * input ({@link JobContext#changes}), such as the inventory job's stock changes:
 *
 * <pre>{@code
 * static final Table<Options, InventoryItem> INVENTORY =
 *     Table.<Options, InventoryItem>of("inventory", "product_id", InventoryItem.class,
 *             "InventoryChanges")
 *         .changesIn("inventoryChanges", Options::getInventoryChanges);
 * }</pre>
 *
 * <pre>{@code
 * static final Table<Options, Product> PRODUCTS =
 *     Table.<Options, Product>of("products", "product_id", Product.class, "ProductChanges")
 *         .joinedBy("productEnrichment", Options::getProductEnrichment)
 *         .changesIn("productChanges", Options::getProductChanges)
 *         .missingKeys("missingProduct", Options::getMissingProduct);
 * }</pre>
 *
 * @param <O> the job's options
 * @param <V> a row of the table
 */
public final class Table<O, V extends SpecificRecordBase> implements JobPart<O> {
  private final String name;
  private final String keyField;
  private final Class<V> rowClass;
  private final String changesStep;
  @Nullable private final OptionRef<O, Enrichment> enrichment;
  @Nullable private final OptionRef<O, String> changes;
  @Nullable private final OptionRef<O, MissingKey> missingKeys;

  private Table(
      String name,
      String keyField,
      Class<V> rowClass,
      String changesStep,
      @Nullable OptionRef<O, Enrichment> enrichment,
      @Nullable OptionRef<O, String> changes,
      @Nullable OptionRef<O, MissingKey> missingKeys) {
    this.name = name;
    this.keyField = keyField;
    this.rowClass = rowClass;
    this.changesStep = changesStep;
    this.enrichment = enrichment;
    this.changes = changes;
    this.missingKeys = missingKeys;
  }

  /**
   * Table {@code name} (in the database and in its change events), keyed by {@code keyField}; its
   * change stream is read by {@code Read<changesStep>}, checked by {@code
   * Check<changesStep>EventTimes} and decoded by {@code Decode<changesStep>}.
   */
  public static <O, V extends SpecificRecordBase> Table<O, V> of(
      String name, String keyField, Class<V> rowClass, String changesStep) {
    checkArgument(name != null && !name.isBlank(), "table name must be set");
    checkArgument(keyField != null && !keyField.isBlank(), "key field must be set");
    checkNotNull(rowClass, "row class must be set");
    checkArgument(changesStep != null && !changesStep.isBlank(), "changes step must be set");
    return new Table<>(name, keyField, rowClass, changesStep, null, null, null);
  }

  /** The option that chooses the join. */
  public Table<O, V> joinedBy(String option, Function<O, Enrichment> getter) {
    return new Table<>(
        name,
        keyField,
        rowClass,
        changesStep,
        new OptionRef<>(option, getter),
        changes,
        missingKeys);
  }

  /** The option naming the change stream: {@code kafka:<topic>}, or a path or glob of files. */
  public Table<O, V> changesIn(String option, Function<O, String> getter) {
    return new Table<>(
        name,
        keyField,
        rowClass,
        changesStep,
        enrichment,
        new OptionRef<>(option, getter),
        missingKeys);
  }

  /** The option saying what happens to an event whose key is missing. */
  public Table<O, V> missingKeys(String option, Function<O, MissingKey> getter) {
    return new Table<>(
        name,
        keyField,
        rowClass,
        changesStep,
        enrichment,
        changes,
        new OptionRef<>(option, getter));
  }

  public String name() {
    return name;
  }

  public String keyField() {
    return keyField;
  }

  public Class<V> rowClass() {
    return rowClass;
  }

  public String readStep() {
    return "Read" + changesStep;
  }

  public String checkStep() {
    return "Check" + changesStep + "EventTimes";
  }

  public String decodeStep() {
    return "Decode" + changesStep;
  }

  /**
   * Whether events are joined to the table ({@link #joinedBy}); if not, the job reads the table's
   * change stream as an input of its own with {@link JobContext#changes}.
   */
  public boolean joined() {
    return enrichment != null;
  }

  OptionRef<O, Enrichment> enrichment() {
    return checkNotNull(enrichment, "table %s needs joinedBy(...)", name);
  }

  OptionRef<O, String> changes() {
    return checkNotNull(changes, "table %s needs changesIn(...)", name);
  }

  OptionRef<O, MissingKey> missingKeysOption() {
    return checkNotNull(missingKeys, "table %s needs missingKeys(...)", name);
  }

  @Override
  public String toString() {
    return "table " + name;
  }
}
