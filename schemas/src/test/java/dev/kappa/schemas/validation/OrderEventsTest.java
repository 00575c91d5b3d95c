package dev.kappa.schemas.validation;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrderEventsTest {
  @Test
  void aValidOrderBreaksNoRule() {
    assertThat(OrderEvents.validate(Samples.orderEvent()), is(empty()));
  }

  @Test
  void idsMustNotBeEmptyOrBlankOrNull() {
    OrderEvent order = Samples.orderEvent();
    order.setOrderId("");
    order.setCustomerId("   ");
    order.setProductId(null);

    assertThat(
        OrderEvents.validate(order),
        contains(
            "order_id must not be empty, got \"\"",
            "customer_id must not be empty, got \"   \"",
            "product_id must not be empty, got null"));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -3})
  void quantityMustBePositive(int quantity) {
    OrderEvent order = Samples.orderEvent();
    order.setQuantity(quantity);

    assertThat(OrderEvents.validate(order), contains("quantity must be > 0, got " + quantity));
  }

  @Test
  void unitPriceMustNotBeNegative() {
    OrderEvent order = Samples.orderEvent();
    order.setUnitPriceCents(-1L);

    assertThat(OrderEvents.validate(order), contains("unit_price_cents must be >= 0, got -1"));
  }

  @Test
  void revenueThatOverflowsALongIsRejected() {
    OrderEvent order = Samples.orderEvent();
    order.setQuantity(4);
    order.setUnitPriceCents(Long.MAX_VALUE / 3);

    assertThat(
        OrderEvents.validate(order),
        contains("quantity * unit_price_cents overflows a long: 4 * " + (Long.MAX_VALUE / 3)));
  }

  @Test
  void theLargestRevenueThatFitsIsValid() {
    OrderEvent order = Samples.orderEvent();
    order.setQuantity(2);
    order.setUnitPriceCents(Long.MAX_VALUE / 2);

    assertThat(OrderEvents.validate(order), is(empty()));
    assertThat(OrderEvents.revenueCents(order), equalTo(Long.MAX_VALUE - 1));
  }

  @Test
  void aFreeItemIsValid() {
    OrderEvent order = Samples.orderEvent();
    order.setUnitPriceCents(0L);

    assertThat(OrderEvents.validate(order), is(empty()));
    assertThat(OrderEvents.revenueCents(order), equalTo(0L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"usd", "US", "EURO", "U$D", ""})
  void currencyMustBeAThreeLetterUpperCaseCode(String currency) {
    OrderEvent order = Samples.orderEvent();
    order.setCurrency(currency);

    assertThat(
        OrderEvents.validate(order),
        contains(
            "currency must be a 3-letter upper-case code such as USD, got \"" + currency + "\""));
  }

  @Test
  void everyBrokenRuleIsReported() {
    OrderEvent order = Samples.orderEvent();
    order.setOrderId(" ");
    order.setQuantity(0);
    order.setUnitPriceCents(-5L);
    order.setCurrency(null);

    assertThat(
        OrderEvents.validate(order),
        contains(
            "order_id must not be empty, got \" \"",
            "quantity must be > 0, got 0",
            "unit_price_cents must be >= 0, got -5",
            "currency must be a 3-letter upper-case code such as USD, got null"));
  }

  @Test
  void revenueIsQuantityTimesUnitPrice() {
    assertThat(OrderEvents.revenueCents(Samples.orderEvent()), equalTo(2500L));
  }

  @Test
  void revenueBeyondALongIsAnErrorNotAWrappedSum() {
    OrderEvent order = Samples.orderEvent();
    order.setQuantity(Integer.MAX_VALUE);
    order.setUnitPriceCents(Long.MAX_VALUE / 2);

    assertThrows(ArithmeticException.class, () -> OrderEvents.revenueCents(order));
  }

  @Test
  void revenueOfALargeQuantityDoesNotOverflowAnInt() {
    OrderEvent order = Samples.orderEvent();
    order.setQuantity(Integer.MAX_VALUE);
    order.setUnitPriceCents(4L);

    assertThat(OrderEvents.revenueCents(order), equalTo(4L * Integer.MAX_VALUE));
  }

  @Test
  void theValidatorSurvivesSerializationAndAppliesTheSameRules() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
      out.writeObject(new Holder(OrderEvents.validator()));
    }
    Holder copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
      copy = (Holder) in.readObject();
    }
    OrderEvent order = Samples.orderEvent();
    order.setQuantity(0);

    assertThat(copy.validator.validate(order), contains("quantity must be > 0, got 0"));
  }

  /** Stands in for a DoFn holding a validator. */
  private static final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;
    final Validator<OrderEvent> validator;

    Holder(Validator<OrderEvent> validator) {
      this.validator = validator;
    }
  }
}
