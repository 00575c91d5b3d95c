package dev.kappa.pipelines.orderrevenue;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.EnrichedOrder;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.transforms.enrichment.Correction;
import dev.kappa.transforms.errors.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
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
 * timestamps.
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
    PCollection<KV<String, OrderEvent>> byProduct =
        orders
            .apply(
                "KeyByProduct",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(OrderEvent.class)))
                    .via(order -> KV.of(order.getProductId(), order)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(OrderEvent.class)));
    TableJoin.Joined<OrderEvent, Product> withProduct =
        products.join("EnrichWithProduct", byProduct);

    PCollection<KV<String, EnrichedOrder>> byCustomer =
        withProduct
            .enriched()
            .apply("AddCategory", ParDo.of(new AddCategoryFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(EnrichedOrder.class)));
    TableJoin.Joined<EnrichedOrder, Customer> withCustomer =
        customers.join("EnrichWithCustomer", byCustomer);

    PCollection<EnrichedOrder> enriched =
        withCustomer
            .enriched()
            .apply("AddCustomerTier", ParDo.of(new AddCustomerTierFn()))
            .setCoder(AvroCoder.of(EnrichedOrder.class));

    PCollection<DeadLetter> productNotFound =
        withProduct
            .notFound()
            .apply(
                "ProductNotFound",
                ParDo.of(new NotFoundFn<>("products", "EnrichWithProduct", order -> order)))
            .setCoder(AvroCoder.of(DeadLetter.class));
    PCollection<DeadLetter> customerNotFound =
        withCustomer
            .notFound()
            .apply(
                "CustomerNotFound",
                ParDo.of(
                    new NotFoundFn<EnrichedOrder>(
                        "customers", "EnrichWithCustomer", EnrichedOrder::getOrder)))
            .setCoder(AvroCoder.of(DeadLetter.class));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(productNotFound)
            .and(customerNotFound)
            .apply("CollectNotFound", Flatten.pCollections());

    List<PCollection<EnrichmentCorrection>> corrections = new ArrayList<>();
    if (withProduct.corrections() != null) {
      corrections.add(
          withProduct
              .corrections()
              .apply(
                  "ProductCorrections",
                  MapElements.into(TypeDescriptor.of(EnrichmentCorrection.class))
                      .via(EnrichOrders::productCorrection))
              .setCoder(AvroCoder.of(EnrichmentCorrection.class)));
    }
    if (withCustomer.corrections() != null) {
      corrections.add(
          withCustomer
              .corrections()
              .apply(
                  "CustomerCorrections",
                  MapElements.into(TypeDescriptor.of(EnrichmentCorrection.class))
                      .via(EnrichOrders::customerCorrection))
              .setCoder(AvroCoder.of(EnrichmentCorrection.class)));
    }
    // A lookup join has no history to correct: the list can be empty.
    PCollection<EnrichmentCorrection> allCorrections =
        PCollectionList.<EnrichmentCorrection>empty(orders.getPipeline())
            .and(corrections)
            .apply("CollectCorrections", Flatten.pCollections())
            .setCoder(AvroCoder.of(EnrichmentCorrection.class));

    return PCollectionTuple.of(ENRICHED, enriched)
        .and(DEAD_LETTERS, deadLetters)
        .and(CORRECTIONS, allCorrections);
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
      extends DoFn<KV<OrderEvent, @Nullable Product>, KV<String, EnrichedOrder>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<OrderEvent, @Nullable Product> joined,
        OutputReceiver<KV<String, EnrichedOrder>> out) {
      OrderEvent order = joined.getKey();
      Product product = joined.getValue();
      EnrichedOrder.Builder enriched = EnrichedOrder.newBuilder().setOrder(order);
      if (product != null) {
        enriched.setCategory(product.getCategory()).setProductVersion(product.getUpdatedAt());
      }
      out.output(KV.of(order.getCustomerId(), enriched.build()));
    }
  }

  /** The order with its customer's tier. */
  static final class AddCustomerTierFn
      extends DoFn<KV<EnrichedOrder, @Nullable Customer>, EnrichedOrder> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<EnrichedOrder, @Nullable Customer> joined, OutputReceiver<EnrichedOrder> out) {
      Customer customer = joined.getValue();
      if (customer == null) {
        out.output(joined.getKey());
        return;
      }
      out.output(
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
      OrderEvent event = order.apply(missing.getValue());
      SourceRecord record =
          SourceRecord.newBuilder()
              .setPosition(SourcePosition.newBuilder().setSystem("table").setName(table).build())
              .setKey(ByteBuffer.wrap(event.getOrderId().getBytes(StandardCharsets.UTF_8)))
              .setPayload(ByteBuffer.wrap(codec.toJson(event).getBytes(StandardCharsets.UTF_8)))
              .build();
      KeyNotFoundException error =
          new KeyNotFoundException(
              table, missing.getKey(), java.time.Instant.ofEpochMilli(timestamp.getMillis()));
      out.output(DeadLetters.of(record, step, error, java.time.Instant.now()));
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
