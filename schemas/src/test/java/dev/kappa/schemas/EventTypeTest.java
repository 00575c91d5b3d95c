package dev.kappa.schemas;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.ProductRevenue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EventTypeTest {
  private static final Path HISTORY_SOURCES = Path.of("src/main/avro/history");

  @ParameterizedTest
  @EnumSource(EventType.class)
  void latestHistoryVersionEqualsGeneratedSchema(EventType type) throws IOException {
    Schema latest = type.latest().schema();
    Schema generated = type.currentSchema();

    assertThat(
        SchemaNormalization.toParsingForm(latest),
        equalTo(SchemaNormalization.toParsingForm(generated)));
    // Parsing canonical form ignores defaults and logical types; Schema.equals does not. The
    // generator adds avro.java.string to every string, which the history files do not carry.
    assertThat(latest, equalTo(withoutJavaStringProps(generated)));
  }

  @Test
  void driftCheckSeesADefaultChange() throws IOException {
    Schema generated = EventType.ORDER_EVENT.currentSchema();
    String changed =
        withoutJavaStringProps(generated)
            .toString()
            .replace("\"default\":\"standard\"", "\"default\":\"express\"");

    Schema history = new Schema.Parser().parse(changed);

    assertThat(SchemaNormalization.toParsingForm(history), equalTo(toParsingForm(generated)));
    assertThat(history.equals(withoutJavaStringProps(generated)), is(false));
  }

  @Test
  void historyFilesOnDiskAreExactlyTheLoadedChains() throws IOException {
    List<String> directories;
    try (Stream<Path> dirs = Files.list(HISTORY_SOURCES)) {
      directories = dirs.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    List<String> declared =
        Stream.of(EventType.values())
            .map(t -> t.historyDirectory().substring("avro/history/".length()))
            .sorted()
            .collect(Collectors.toList());
    assertThat(directories, equalTo(declared));

    for (EventType type : EventType.values()) {
      List<String> expectedFiles = new ArrayList<>();
      for (int v = 1; v <= type.history().size(); v++) {
        expectedFiles.add("v" + v + ".avsc");
      }
      List<String> files;
      Path dir =
          HISTORY_SOURCES.resolve(type.historyDirectory().substring("avro/history/".length()));
      try (Stream<Path> listing = Files.list(dir)) {
        files = listing.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
      }
      assertThat(type + " history files", files, equalTo(expectedFiles));
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void everyVersionNamesTheSameRecord(EventType type) {
    for (SchemaVersion version : type.history()) {
      assertThat(
          version.source(), version.schema().getFullName(), equalTo(type.recordClass().getName()));
    }
  }

  @Test
  void orderEventHistoryAddsOptionalFieldsOneVersionAtATime() {
    List<SchemaVersion> history = EventType.ORDER_EVENT.history();

    assertThat(
        history.stream().map(SchemaVersion::label).collect(Collectors.toList()),
        contains("OrderEvent v1", "OrderEvent v2", "OrderEvent v3"));
    assertThat(
        fieldNames(history.get(0).schema()),
        contains(
            "order_id",
            "customer_id",
            "product_id",
            "quantity",
            "unit_price_cents",
            "currency",
            "event_time"));
    assertThat(fieldNames(history.get(1).schema()).get(7), equalTo("shipping_method"));
    assertThat(fieldNames(history.get(2).schema()).get(8), equalTo("promo_code"));
    assertThat(history.get(1).source(), equalTo("avro/history/order_event/v2.avsc"));
  }

  @Test
  void forClassFindsRegisteredEventTypesOnly() {
    assertThat(EventType.forClass(OrderEvent.class), equalTo(Optional.of(EventType.ORDER_EVENT)));
    assertThat(EventType.forClass(ProductRevenue.class), equalTo(Optional.empty()));
  }

  @Test
  void loadingAMissingHistoryNamesTheExpectedFile() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SchemaHistory.load("avro/nothing"));

    assertThat(e.getMessage(), containsString("avro/nothing/v1.avsc"));
  }

  @Test
  void loadingAnUnparseableVersionNamesTheFile() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SchemaHistory.load("avro/broken"));

    assertThat(e.getMessage(), containsString("Schema avro/broken/v1.avsc does not parse"));
  }

  @Test
  void loadingATestChainReadsEveryVersionInOrder() {
    List<SchemaVersion> chain = SchemaHistory.load("avro/chains/parcel");

    assertThat(
        chain.stream().map(SchemaVersion::label).collect(Collectors.toList()),
        contains("Parcel v1", "Parcel v2", "Parcel v3"));
    assertThat(fieldNames(chain.get(0).schema()), contains("parcel_id"));
  }

  @Test
  void versionsStartAtOne() {
    Schema schema = EventType.PAYMENT.currentSchema();

    assertThrows(IllegalArgumentException.class, () -> SchemaVersion.of(0, schema, "test"));
  }

  @Test
  void fingerprintIsTheSingleObjectFingerprintOfTheParsingForm() {
    SchemaVersion v1 = EventType.ORDER_EVENT.history().get(0);

    assertThat(v1.fingerprint(), equalTo(SchemaNormalization.parsingFingerprint64(v1.schema())));
    assertThat(v1.fingerprint() == EventType.ORDER_EVENT.history().get(1).fingerprint(), is(false));
  }

  @Test
  void noHistoryContainsAnEmptyChain() {
    for (EventType type : EventType.values()) {
      assertThat(type.toString(), type.history(), is(not(empty())));
    }
  }

  private static String toParsingForm(Schema schema) {
    return SchemaNormalization.toParsingForm(schema);
  }

  private static List<String> fieldNames(Schema schema) {
    return schema.getFields().stream().map(Schema.Field::name).collect(Collectors.toList());
  }

  /** The schema as written in its .avsc file: without the generator's Java string hints. */
  static Schema withoutJavaStringProps(Schema schema) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode json = mapper.readTree(schema.toString());
    strip(json);
    return new Schema.Parser().parse(mapper.writeValueAsString(json));
  }

  private static void strip(JsonNode node) {
    if (node.isObject()) {
      ((ObjectNode) node).remove("avro.java.string");
    }
    node.forEach(EventTypeTest::strip);
  }
}
