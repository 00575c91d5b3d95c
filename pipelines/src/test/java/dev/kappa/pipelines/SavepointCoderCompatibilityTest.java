package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.events.Product;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.translation.types.CoderTypeSerializer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * A savepoint taken while the job's state coders were AvroCoder restores into the job that uses
 * SpecificRecordCoder: Flink, through the Beam runner's serializer snapshot, accepts the new
 * serializer as is, and the new serializer reads the old state bytes (and the old one the new
 * bytes, for a rollback). The state shapes are the enrichment join's: its pending orders and its
 * table history.
 */
class SavepointCoderCompatibilityTest {

  @Test
  void pendingOrdersStateWrittenWithAvroCoderRestores() throws IOException {
    List<TimestampedValue<KV<String, OrderEvent>>> pending = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      OrderEvent order = order(i);
      pending.add(
          TimestampedValue.of(
              KV.of(order.getProductId(), order),
              new org.joda.time.Instant(order.getEventTime().toEpochMilli())));
    }
    assertRestores(
        TimestampedValue.TimestampedValueCoder.of(
            KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(OrderEvent.class))),
        TimestampedValue.TimestampedValueCoder.of(
            KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(OrderEvent.class))),
        pending);
  }

  @Test
  void tableHistoryStateWrittenWithAvroCoderRestores() throws IOException {
    List<KV<String, Product>> history = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Product product =
          Product.newBuilder()
              .setProductId("P-" + i)
              .setName("Product é " + i)
              .setCategory(i % 2 == 0 ? "footwear" : "")
              .setPriceCents(1999L * i)
              .setUpdatedAt(Instant.ofEpochMilli(1772236800000L + i))
              .build();
      history.add(KV.of(product.getProductId(), i % 5 == 0 ? null : product));
    }
    assertRestores(
        KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(AvroCoder.of(Product.class))),
        KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(SpecificRecordCoder.of(Product.class))),
        history);
  }

  private static <T> void assertRestores(Coder<T> before, Coder<T> after, List<T> values)
      throws IOException {
    TypeSerializer<T> oldSerializer = new CoderTypeSerializer<>(before, false);
    TypeSerializer<T> newSerializer = new CoderTypeSerializer<>(after, false);

    // The savepoint: the old serializer's snapshot and state bytes written by the old serializer.
    DataOutputSerializer snapshotBytes = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(
        snapshotBytes, oldSerializer.snapshotConfiguration());
    DataOutputSerializer stateBytes = new DataOutputSerializer(256);
    for (T value : values) {
      oldSerializer.serialize(value, stateBytes);
    }

    // The restore: Flink reads the old snapshot and asks the new serializer's whether it fits.
    TypeSerializerSnapshot<T> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(snapshotBytes.getCopyOfBuffer()),
            SavepointCoderCompatibilityTest.class.getClassLoader());
    TypeSerializerSchemaCompatibility<T> compatibility =
        newSerializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
    assertThat(compatibility.isCompatibleAsIs(), is(true));

    DataInputDeserializer in = new DataInputDeserializer(stateBytes.getCopyOfBuffer());
    for (T value : values) {
      assertThat(newSerializer.deserialize(in), equalTo(value));
    }
    assertThat(in.available(), is(0));

    // And back: state the new job wrote, as a rolled-back job's AvroCoder reads it.
    DataOutputSerializer newStateBytes = new DataOutputSerializer(256);
    for (T value : values) {
      newSerializer.serialize(value, newStateBytes);
    }
    assertThat(newStateBytes.getCopyOfBuffer(), equalTo(stateBytes.getCopyOfBuffer()));
  }

  private static OrderEvent order(int i) {
    return OrderEvent.newBuilder()
        .setOrderId("O-" + i)
        .setCustomerId("C-" + (i % 7))
        .setProductId("P-" + (i % 5))
        .setQuantity(1 + i % 9)
        .setUnitPriceCents(100L + 37L * i)
        .setCurrency(i % 3 == 0 ? "EUR" : "USD")
        .setEventTime(Instant.ofEpochMilli(1772359200000L + 500L * i))
        .setShippingMethod("standard")
        .setPromoCode(i % 4 == 0 ? "SPRING" : null)
        .build();
  }
}
