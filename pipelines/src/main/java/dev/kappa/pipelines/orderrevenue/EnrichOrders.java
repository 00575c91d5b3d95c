package dev.kappa.pipelines.orderrevenue;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.pipelines.job.TableJoin;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.transforms.enrichment.Correction;
import dev.kappa.transforms.enrichment.TableHistory;
import dev.kappa.transforms.errors.DeadLetters;
import dev.kappa.transforms.errors.Guard;
import dev.kappa.transforms.errors.GuardedFn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Gives each order its product's category and its customer's tier: two joins, each the {@link
 * TableJoin} the options chose (by default both as of the order's event time).
 *
 * <p>Steps: {@code KeyByProduct}, {@code EnrichWithProduct}, {@code AddCategory} (which also keys
 * the order by its customer), {@code EnrichWithCustomer}, {@code AddCustomerTier}; orders whose key
 * was not found and whose policy dead-letters them go through {@code ProductNotFound} or {@code
 * CustomerNotFound} to the dead letters, with the order's JSON as payload. Orders keep their
 * timestamps. The per-element steps ({@code KeyByProduct}, {@code AddCategory}, {@code
 * AddCustomerTier} and the corrections') are {@link Guard guarded}: an order one of them throws on
 * is a dead letter from that step with {@link OrderCoordinates}, and the others proceed.
 *
 * <p>A temporal join also reports the orders whose row a late table change superseded: {@code
 * ProductCorrections} and {@code CustomerCorrections} turn them into {@link EnrichmentCorrection}
 * records, collected by {@code CollectCorrections} (empty for the other joins, which never revise).
 */
public final class EnrichOrders extends PTransform<PCollection<OrderEvent>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  private static final TupleTag<EnrichedOrder> ENRICHED = new TupleTag<>("enrichedOrders") {};
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};
  private static final TupleTag<EnrichmentCorrection> CORRECTIONS =
      new TupleTag<>("corrections") {};

  private final transient TableJoin<Product> products;
  private final transient TableJoin<Customer> customers;

  private EnrichOrders(TableJoin<Product> products, TableJoin<Customer> customers) {
    this.products = checkNotNull(products, "products join must be set");
    this.customers = checkNotNull(customers, "customers join must be set");
  }

  /** Joins products by {@code product_id} and customers by {@code customer_id}. */
  public static EnrichOrders with(TableJoin<Product> products, TableJoin<Customer> customers) {
    return new EnrichOrders(products, customers);
  }

  /** Every order, with whatever the tables gave it (pass-through orders lack those fields). */
  public static TupleTag<EnrichedOrder> enrichedTag() {
    return ENRICHED;
  }

  /** Orders whose product or customer was not found, under a dead-letter or wait policy. */
  public static TupleTag<DeadLetter> deadLettersTag() {
    return DEAD_LETTERS;
  }

  /**
   * Orders already emitted whose product's category or customer's tier a late table change
   * superseded: the value they were given and the one a backfill gives them. The enriched orders
   * with these applied in order equal a backfill's.
   */
  public static TupleTag<EnrichmentCorrection> correctionsTag() {
    return CORRECTIONS;
  }

  @Override
  public PCollectionTuple expand(PCollection<OrderEvent> orders) {
    if (products.broadcasts(orders) && customers.broadcasts(orders)) {
      return lookUpBoth(orders);
    }
    // Per-element steps are guarded (an exception on one order is a dead letter, not a failed
    // bundle) and keep the primitive names they had as plain ParDos: their Flink operator uids.
    Guard<OrderEvent, KV<String, OrderEvent>> keyByProduct =
        Guard.map("KeyByProduct", (OrderEvent order) -> KV.of(order.getProductId(), order))
            .withOutputCoder(
                KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(OrderEvent.class)))
            .withCoordinates(OrderCoordinates.of(order -> order))
            .withPrimitiveName("Map", "ParMultiDo(Anonymous)");
    PCollectionTuple byProduct = orders.apply("KeyByProduct", keyByProduct);
    TableJoin.Joined<OrderEvent, Product> withProduct =
        products.join("EnrichWithProduct", byProduct.get(keyByProduct.outputTag()));

    Guard<KV<OrderEvent, @Nullable Product>, KV<String, EnrichedOrder>> addCategory =
        Guard.of("AddCategory", new AddCategoryFn())
            .withOutputCoder(
                KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(EnrichedOrder.class)))
            .withCoordinates(OrderCoordinates.of(joined -> joined.getKey()))
            .withPrimitiveName("ParMultiDo(AddCategory)");
    PCollectionTuple byCustomer = withProduct.enriched().apply("AddCategory", addCategory);
    TableJoin.Joined<EnrichedOrder, Customer> withCustomer =
        customers.join("EnrichWithCustomer", byCustomer.get(addCategory.outputTag()));

    Guard<KV<EnrichedOrder, @Nullable Customer>, EnrichedOrder> addCustomerTier =
        Guard.of("AddCustomerTier", new AddCustomerTierFn())
            .withOutputCoder(SpecificRecordCoder.of(EnrichedOrder.class))
            .withCoordinates(OrderCoordinates.of(joined -> joined.getKey().getOrder()))
            .withPrimitiveName("ParMultiDo(AddCustomerTier)");
    PCollectionTuple withTier = withCustomer.enriched().apply("AddCustomerTier", addCustomerTier);
    PCollection<EnrichedOrder> enriched = withTier.get(addCustomerTier.outputTag());

    PCollection<DeadLetter> productNotFound =
        withProduct
            .notFound()
            .apply(
                "ProductNotFound",
                ParDo.of(new NotFoundFn<>("products", "EnrichWithProduct", order -> order)))
            .setCoder(SpecificRecordCoder.of(DeadLetter.class));
    PCollection<DeadLetter> customerNotFound =
        withCustomer
            .notFound()
            .apply(
                "CustomerNotFound",
                ParDo.of(
                    new NotFoundFn<EnrichedOrder>(
                        "customers", "EnrichWithCustomer", EnrichedOrder::getOrder)))
            .setCoder(SpecificRecordCoder.of(DeadLetter.class));
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    deadLetters.add(productNotFound);
    deadLetters.add(customerNotFound);
    deadLetters.add(byProduct.get(keyByProduct.deadLetterTag()));
    deadLetters.add(byCustomer.get(addCategory.deadLetterTag()));
    deadLetters.add(withTier.get(addCustomerTier.deadLetterTag()));

    List<PCollection<EnrichmentCorrection>> corrections = new ArrayList<>();
    if (withProduct.corrections() != null) {
      Guard<Correction<String, OrderEvent, Product>, EnrichmentCorrection> productCorrections =
          Guard.map("ProductCorrections", EnrichOrders::productCorrection)
              .withOutputCoder(SpecificRecordCoder.of(EnrichmentCorrection.class))
              .withCoordinates(OrderCoordinates.of(c -> c.event()))
              .withPrimitiveName("Map", "ParMultiDo(Anonymous)");
      PCollectionTuple out =
          withProduct.corrections().apply("ProductCorrections", productCorrections);
      corrections.add(out.get(productCorrections.outputTag()));
      deadLetters.add(out.get(productCorrections.deadLetterTag()));
    }
    if (withCustomer.corrections() != null) {
      Guard<Correction<String, EnrichedOrder, Customer>, EnrichmentCorrection> customerCorrections =
          Guard.map("CustomerCorrections", EnrichOrders::customerCorrection)
              .withOutputCoder(SpecificRecordCoder.of(EnrichmentCorrection.class))
              .withCoordinates(OrderCoordinates.of(c -> c.event().getOrder()))
              .withPrimitiveName("Map", "ParMultiDo(Anonymous)");
      PCollectionTuple out =
          withCustomer.corrections().apply("CustomerCorrections", customerCorrections);
      corrections.add(out.get(customerCorrections.outputTag()));
      deadLetters.add(out.get(customerCorrections.deadLetterTag()));
    }
    // A lookup join has no history to correct: the list can be empty.
    PCollection<EnrichmentCorrection> allCorrections =
        PCollectionList.<EnrichmentCorrection>empty(orders.getPipeline())
            .and(corrections)
            .apply("CollectCorrections", Flatten.pCollections())
            .setCoder(SpecificRecordCoder.of(EnrichmentCorrection.class));
    // Flatten keeps no state: its name (kept) matters, its number of inputs does not.
    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("CollectNotFound", Flatten.pCollections());

    return PCollectionTuple.of(ENRICHED, enriched)
        .and(DEAD_LETTERS, allDeadLetters)
        .and(CORRECTIONS, allCorrections);
  }

  /**
   * Both joins broadcast (a bounded run): one step, {@code EnrichWithProductAndCustomer}, looks
   * each order up in both tables' histories ({@code ProductHistory}, {@code CustomerHistory}), so
   * the orders cross one task boundary instead of two (a step with side inputs is not chained to
   * the one before it). The same answers and dead letters as the two joins: an order whose product
   * is not found (by policy) is a dead letter from {@code EnrichWithProduct} and is not looked up
   * in customers; one whose customer is not found, from {@code EnrichWithCustomer}; an exception on
   * one order, a dead letter from this step. No corrections: nothing is revised in a bounded run.
   */
  private PCollectionTuple lookUpBoth(PCollection<OrderEvent> orders) {
    TableHistory<String, Product> productHistory = products.history(orders, "ProductHistory");
    TableHistory<String, Customer> customerHistory = customers.history(orders, "CustomerHistory");
    // A history loaded at launch travels with the step; only a collected one is a side input.
    List<PCollectionView<?>> sideInputs = new ArrayList<>();
    if (productHistory.view() != null) {
      sideInputs.add(productHistory.view());
    }
    if (customerHistory.view() != null) {
      sideInputs.add(customerHistory.view());
    }
    PCollectionTuple joined =
        orders.apply(
            LOOK_UP_BOTH,
            ParDo.of(new LookUpBothFn(productHistory, customerHistory))
                .withSideInputs(sideInputs)
                .withOutputTags(ENRICHED, TupleTagList.of(DEAD_LETTERS)));
    PCollection<EnrichmentCorrection> noCorrections =
        PCollectionList.<EnrichmentCorrection>empty(orders.getPipeline())
            .apply("CollectCorrections", Flatten.pCollections())
            .setCoder(SpecificRecordCoder.of(EnrichmentCorrection.class));
    return PCollectionTuple.of(
            ENRICHED, joined.get(ENRICHED).setCoder(SpecificRecordCoder.of(EnrichedOrder.class)))
        .and(
            DEAD_LETTERS,
            joined.get(DEAD_LETTERS).setCoder(SpecificRecordCoder.of(DeadLetter.class)))
        .and(CORRECTIONS, noCorrections);
  }

  private static final String LOOK_UP_BOTH = "EnrichWithProductAndCustomer";

  /** Each order with its product's category and its customer's tier, from both histories. */
  static final class LookUpBothFn extends DoFn<OrderEvent, EnrichedOrder> {
    private static final long serialVersionUID = 1L;
    private static final OrderCoordinates<OrderEvent> COORDINATES =
        OrderCoordinates.of(order -> order);
    private final TableHistory<String, Product> products;
    private final TableHistory<String, Customer> customers;
    private transient EventCodec<OrderEvent> codec;
    private transient @Nullable Map<String, SortedMap<Long, Product>> productMap;
    private transient @Nullable Map<String, SortedMap<Long, Customer>> customerMap;

    LookUpBothFn(TableHistory<String, Product> products, TableHistory<String, Customer> customers) {
      this.products = products;
      this.customers = customers;
    }

    @Setup
    public void setup() {
      codec = EventCodec.of(OrderEvent.class);
    }

    @StartBundle
    public void startBundle() {
      // Read once per bundle: the whole histories, which some runners rebuild on each access.
      productMap = null;
      customerMap = null;
    }

    @ProcessElement
    public void process(ProcessContext context, BoundedWindow window) throws Exception {
      if (productMap == null || customerMap == null) {
        productMap = products.valueIn(context);
        customerMap = customers.valueIn(context);
      }
      OrderEvent order = context.element();
      Instant time = context.timestamp();
      EnrichedOrder enriched;
      try {
        TableHistory.Match<Product> product =
            products.lookUp(productMap, order.getProductId(), time);
        if (!product.found()) {
          context.output(
              DEAD_LETTERS,
              notFound(codec, "products", "EnrichWithProduct", order.getProductId(), order, time));
          return;
        }
        TableHistory.Match<Customer> customer =
            customers.lookUp(customerMap, order.getCustomerId(), time);
        if (!customer.found()) {
          context.output(
              DEAD_LETTERS,
              notFound(
                  codec, "customers", "EnrichWithCustomer", order.getCustomerId(), order, time));
          return;
        }
        EnrichedOrder.Builder builder = EnrichedOrder.newBuilder().setOrder(order);
        Product row = product.row();
        if (row != null) {
          builder.setCategory(row.getCategory()).setProductVersion(row.getUpdatedAt());
        }
        Customer customerRow = customer.row();
        if (customerRow != null) {
          builder
              .setCustomerTier(customerRow.getTier())
              .setCustomerVersion(customerRow.getUpdatedAt());
        }
        enriched = builder.build();
      } catch (RuntimeException e) {
        context.output(
            DEAD_LETTERS,
            DeadLetters.of(
                COORDINATES.locate(order, window), LOOK_UP_BOTH, e, java.time.Instant.now()));
        return;
      }
      context.output(enriched);
    }
  }

  /** An order whose row {@code key} was not found in {@code table}, as a dead letter. */
  static DeadLetter notFound(
      EventCodec<OrderEvent> codec,
      String table,
      String step,
      String key,
      OrderEvent order,
      Instant timestamp) {
    SourceRecord record =
        SourceRecord.newBuilder()
            .setPosition(SourcePosition.newBuilder().setSystem("table").setName(table).build())
            .setKey(ByteBuffer.wrap(order.getOrderId().getBytes(StandardCharsets.UTF_8)))
            .setPayload(ByteBuffer.wrap(codec.toJson(order).getBytes(StandardCharsets.UTF_8)))
            .build();
    KeyNotFoundException error =
        new KeyNotFoundException(table, key, java.time.Instant.ofEpochMilli(timestamp.getMillis()));
    return DeadLetters.of(record, step, error, java.time.Instant.now());
  }

  /** A late products change moved the order from one category (or none) to another. */
  static EnrichmentCorrection productCorrection(Correction<String, OrderEvent, Product> c) {
    Product emitted = c.emitted();
    Product corrected = c.corrected();
    return correction(c.event(), "products", "category", c.changeValidFrom())
        .setEmittedValue(emitted == null ? null : emitted.getCategory())
        .setEmittedVersion(emitted == null ? null : emitted.getUpdatedAt())
        .setCorrectedValue(corrected == null ? null : corrected.getCategory())
        .setCorrectedVersion(corrected == null ? null : corrected.getUpdatedAt())
        .build();
  }

  /** A late customers change gave the order's customer another tier (or none). */
  static EnrichmentCorrection customerCorrection(Correction<String, EnrichedOrder, Customer> c) {
    Customer emitted = c.emitted();
    Customer corrected = c.corrected();
    return correction(c.event().getOrder(), "customers", "customer_tier", c.changeValidFrom())
        .setEmittedValue(emitted == null ? null : emitted.getTier())
        .setEmittedVersion(emitted == null ? null : emitted.getUpdatedAt())
        .setCorrectedValue(corrected == null ? null : corrected.getTier())
        .setCorrectedVersion(corrected == null ? null : corrected.getUpdatedAt())
        .build();
  }

  private static EnrichmentCorrection.Builder correction(
      OrderEvent order, String table, String field, Instant changeValidFrom) {
    Long revenue;
    try {
      revenue = Math.multiplyExact((long) order.getQuantity(), order.getUnitPriceCents());
    } catch (ArithmeticException overflow) {
      // revenue_cents is documented as null when the order's revenue does not fit a long.
      revenue = null;
    }
    return EnrichmentCorrection.newBuilder()
        .setOrder(order)
        .setTable(table)
        .setField(field)
        .setChangeValidFrom(java.time.Instant.ofEpochMilli(changeValidFrom.getMillis()))
        .setRevenueCents(revenue);
  }

  /** The order with its product's category, keyed by its customer for the next join. */
  static final class AddCategoryFn
      implements GuardedFn<KV<OrderEvent, @Nullable Product>, KV<String, EnrichedOrder>> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
        KV<OrderEvent, @Nullable Product> joined,
        GuardedFn.Context context,
        Consumer<KV<String, EnrichedOrder>> out) {
      OrderEvent order = joined.getKey();
      Product product = joined.getValue();
      EnrichedOrder.Builder enriched = EnrichedOrder.newBuilder().setOrder(order);
      if (product != null) {
        enriched.setCategory(product.getCategory()).setProductVersion(product.getUpdatedAt());
      }
      out.accept(KV.of(order.getCustomerId(), enriched.build()));
    }
  }

  /** The order with its customer's tier. */
  static final class AddCustomerTierFn
      implements GuardedFn<KV<EnrichedOrder, @Nullable Customer>, EnrichedOrder> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
        KV<EnrichedOrder, @Nullable Customer> joined,
        GuardedFn.Context context,
        Consumer<EnrichedOrder> out) {
      Customer customer = joined.getValue();
      if (customer == null) {
        out.accept(joined.getKey());
        return;
      }
      out.accept(
          EnrichedOrder.newBuilder(joined.getKey())
              .setCustomerTier(customer.getTier())
              .setCustomerVersion(customer.getUpdatedAt())
              .build());
    }
  }

  /** An order whose row was not found in {@code table}, as a dead letter carrying its JSON. */
  static final class NotFoundFn<E> extends DoFn<KV<String, E>, DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final String step;
    private final SerializableFunction<E, OrderEvent> order;
    private transient EventCodec<OrderEvent> codec;

    NotFoundFn(String table, String step, SerializableFunction<E, OrderEvent> order) {
      this.table = table;
      this.step = step;
      this.order = order;
    }

    @Setup
    public void setup() {
      codec = EventCodec.of(OrderEvent.class);
    }

    @ProcessElement
    public void process(
        @Element KV<String, E> missing,
        @Timestamp Instant timestamp,
        OutputReceiver<DeadLetter> out) {
      out.output(
          notFound(
              codec, table, step, missing.getKey(), order.apply(missing.getValue()), timestamp));
    }
  }

  /** A table had no row for an order's key when the order needed it. */
  static final class KeyNotFoundException extends Exception {
    private static final long serialVersionUID = 1L;

    KeyNotFoundException(String table, String key, java.time.Instant asOf) {
      super(table + " has no row for " + key + " (order at " + asOf + ")");
    }
  }
}
