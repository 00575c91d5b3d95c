package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.EnrichedOrder;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderCoordinates}: what a guarded step's dead letter says about the order it failed on.
 */
class OrderCoordinatesTest {

  @Test
  void namesTheOrderByIdAndKeepsItAsJson() throws Exception {
    OrderEvent order =
        OrderEvent.newBuilder()
            .setOrderId("O-00042")
            .setCustomerId("C-05")
            .setProductId("P-103")
            .setQuantity(3)
            .setUnitPriceCents(1_250)
            .setCurrency("EUR")
            .setEventTime(java.time.Instant.parse("2026-03-01T10:42:05Z"))
            .build();
    EnrichedOrder enriched =
        EnrichedOrder.newBuilder().setOrder(order).setCategory("audio").build();

    SourceRecord located =
        OrderCoordinates.of(EnrichedOrder::getOrder).locate(enriched, GlobalWindow.INSTANCE);

    assertThat(located.getPosition().getSystem(), equalTo("order"));
    assertThat(located.getPosition().getName(), equalTo("O-00042"));
    assertThat(located.getPosition().getPartition(), is((Integer) null));
    assertThat(located.getPosition().getOffset(), is((Long) null));
    assertThat(
        StandardCharsets.UTF_8.decode(located.getKey().duplicate()).toString(), equalTo("O-00042"));
    // Parsed with Jackson, not the project's codec: the payload is the order, field by field.
    JsonNode payload =
        new ObjectMapper()
            .readTree(StandardCharsets.UTF_8.decode(located.getPayload().duplicate()).toString());
    assertThat(payload.get("order_id").asText(), equalTo("O-00042"));
    assertThat(payload.get("product_id").asText(), equalTo("P-103"));
    assertThat(payload.get("quantity").asInt(), is(3));
    assertThat(payload.get("unit_price_cents").asLong(), is(1_250L));
    assertThat(payload.get("currency").asText(), equalTo("EUR"));
  }
}
