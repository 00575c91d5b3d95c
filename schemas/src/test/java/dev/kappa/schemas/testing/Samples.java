package dev.kappa.schemas.testing;

import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourcePosition;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.CardTransaction;
import dev.kappa.schemas.events.Customer;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.PageView;
import dev.kappa.schemas.events.Payment;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.EnrichmentCorrection;
import dev.kappa.schemas.results.ProductRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/** Sample records with every field set, built fresh on each call so tests may change them. */
public final class Samples {
  public static final Instant EVENT_TIME = Instant.parse("2026-03-01T10:02:30Z");

  private Samples() {}

  /** A current (v3) order with a promo code. */
  public static OrderEvent orderEvent() {
    return OrderEvent.newBuilder()
        .setOrderId("o-1")
        .setCustomerId("c-1")
        .setProductId("p-1")
        .setQuantity(2)
        .setUnitPriceCents(1250L)
        .setCurrency("EUR")
        .setEventTime(EVENT_TIME)
        .setShippingMethod("express")
        .setPromoCode("SPRING")
        .build();
  }

  public static Payment payment() {
    return Payment.newBuilder()
        .setPaymentId("pay-1")
        .setOrderId("o-1")
        .setCustomerId("c-1")
        .setAmountCents(2500L)
        .setCurrency("EUR")
        .setMethod("card")
        .setStatus("captured")
        .setEventTime(EVENT_TIME)
        .build();
  }

  public static PageView pageView() {
    return PageView.newBuilder()
        .setViewId("v-1")
        .setSessionId("s-1")
        .setCustomerId(null)
        .setUrl("https://shop.example/p/p-1")
        .setProductId("p-1")
        .setReferrer(null)
        .setEventTime(EVENT_TIME)
        .build();
  }

  public static CardTransaction cardTransaction() {
    return CardTransaction.newBuilder()
        .setTransactionId("t-1")
        .setCardId("card-1")
        .setCustomerId("c-1")
        .setMerchantId("m-1")
        .setAmountCents(999L)
        .setCurrency("GBP")
        .setCountry("GB")
        .setEventTime(EVENT_TIME)
        .build();
  }

  public static Product product() {
    return Product.newBuilder()
        .setProductId("p-1")
        .setName("Kettle")
        .setCategory("kitchen")
        .setPriceCents(1250L)
        .setUpdatedAt(EVENT_TIME)
        .build();
  }

  public static Customer customer() {
    return Customer.newBuilder()
        .setCustomerId("c-1")
        .setName("Ada Lovelace")
        .setEmail("ada@example.org")
        .setTier("gold")
        .setCountry("GB")
        .setUpdatedAt(EVENT_TIME)
        .build();
  }

  public static ProductRevenue productRevenue() {
    return ProductRevenue.newBuilder()
        .setProductId("p-1")
        .setCurrency("EUR")
        .setWindowStart(Instant.parse("2026-03-01T10:00:00Z"))
        .setWindowEnd(Instant.parse("2026-03-01T10:05:00Z"))
        .setOrderCount(3L)
        .setRevenueCents(3750L)
        .setPaneTiming("ON_TIME")
        .setPaneIndex(0L)
        .setFinalPane(false)
        .build();
  }

  public static EnrichmentCorrection enrichmentCorrection() {
    return EnrichmentCorrection.newBuilder()
        .setOrder(orderEvent())
        .setTable("products")
        .setField("category")
        .setEmittedValue("toys")
        .setEmittedVersion(Instant.parse("2026-02-28T00:00:00Z"))
        .setCorrectedValue(null)
        .setCorrectedVersion(null)
        .setChangeValidFrom(Instant.parse("2026-03-01T09:59:00Z"))
        .setRevenueCents(2_500L)
        .build();
  }

  public static TooLateOrder tooLateOrder() {
    return TooLateOrder.newBuilder()
        .setOrder(orderEvent())
        .setMissedWindow(
            MissedWindow.newBuilder()
                .setWindowStart(Instant.parse("2026-03-01T10:00:00Z"))
                .setWindowEnd(Instant.parse("2026-03-01T10:05:00Z"))
                .setEventTime(EVENT_TIME)
                .setWatermark(Instant.parse("2026-03-01T10:20:00Z"))
                .setAllowedLatenessMillis(600_000L)
                .setLateByMillis(300_001L)
                .build())
        .build();
  }

  public static SourcePosition kafkaPosition() {
    return SourcePosition.newBuilder()
        .setSystem("kafka")
        .setName("orders")
        .setPartition(3)
        .setOffset(42L)
        .build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setPosition(kafkaPosition())
        .setKey(ByteBuffer.wrap("o-1".getBytes(StandardCharsets.UTF_8)))
        .setPayload(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF}))
        .setStep("DecodeOrders")
        .setErrorClass("dev.kappa.schemas.codec.DecodeException")
        .setErrorMessage("Cannot decode OrderEvent")
        .setStackTrace("at DecodeOrders\n\tat Somewhere")
        .setFailedAt(Instant.parse("2026-03-01T10:03:00.123Z"))
        .build();
  }

  public static SourceRecord sourceRecord() {
    return SourceRecord.newBuilder()
        .setPosition(
            SourcePosition.newBuilder()
                .setSystem("file")
                .setName("test-data/orders.jsonl")
                .setPartition(null)
                .setOffset(7L)
                .build())
        .setKey(null)
        .setPayload(ByteBuffer.wrap("{\"order_id\":\"o-1\"}".getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  /** Every field set, the unions on their non-null branches. */
  public static AllTypes allTypes() {
    Map<String, Long> limits = new LinkedHashMap<>();
    limits.put("daily", 100L);
    limits.put("monthly", 2000L);
    return AllTypes.newBuilder()
        .setFlag(true)
        .setCount(-7)
        .setTotal(9_000_000_000L)
        .setRatio(0.5f)
        .setScore(Double.NaN)
        .setLabel("héllo \"quoted\"")
        .setBlob(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xFE}))
        .setDigest(new Digest(new byte[] {1, 2, 3, 4}))
        .setColor(Color.GREEN)
        .setTags(List.of("a", "b"))
        .setLimits(limits)
        .setParts(
            List.of(
                Part.newBuilder().setName("lid").setWeight(1.5).build(),
                Part.newBuilder().setName("base").setWeight(null).build()))
        .setDay(LocalDate.parse("2026-03-01"))
        .setAtMicros(Instant.parse("2026-03-01T10:02:30.000001Z"))
        .setSeenAt(EVENT_TIME)
        .setEither(5L)
        .setNote("n")
        .build();
  }

  /** One sample of every generated type in the module, plus {@link #allTypes()}. */
  public static List<SpecificRecordBase> everyType() {
    return List.of(
        orderEvent(),
        payment(),
        pageView(),
        cardTransaction(),
        product(),
        customer(),
        productRevenue(),
        tooLateOrder(),
        enrichmentCorrection(),
        deadLetter(),
        sourceRecord(),
        kafkaPosition(),
        allTypes());
  }
}
