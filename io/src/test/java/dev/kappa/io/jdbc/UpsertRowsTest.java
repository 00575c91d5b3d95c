package dev.kappa.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.events.Product;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.SessionKey;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The statement and the settings' validation; writing is tested on PostgreSQL in UpsertRowsIT. */
class UpsertRowsTest {
  private static final JdbcConfig CONFIG =
      JdbcConfig.of("jdbc:postgresql://127.0.0.1/kappa", "kappa", "");

  private static String failure(Executable executable) {
    return assertThrows(IllegalArgumentException.class, executable).getMessage();
  }

  @Test
  void updatesEveryNonKeyColumnOnConflict() {
    UpsertRows<CategoryRevenue> upsert =
        Jdbc.upsert(CategoryRevenue.class)
            .into(CONFIG, "category_revenue")
            .keyedBy("category", "currency", "window_start", "window_end");

    assertThat(
        upsert.sql(),
        equalTo(
            "INSERT INTO \"category_revenue\" (\"category\", \"currency\", \"window_start\","
                + " \"window_end\", \"order_count\", \"revenue_cents\", \"pane_timing\","
                + " \"pane_index\", \"final_pane\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (\"category\", \"currency\", \"window_start\", \"window_end\")"
                + " DO UPDATE SET \"order_count\" = EXCLUDED.\"order_count\","
                + " \"revenue_cents\" = EXCLUDED.\"revenue_cents\","
                + " \"pane_timing\" = EXCLUDED.\"pane_timing\","
                + " \"pane_index\" = EXCLUDED.\"pane_index\","
                + " \"final_pane\" = EXCLUDED.\"final_pane\""));
  }

  @Test
  void deletesByEveryFieldOfTheRecord() {
    UpsertRows<SessionKey> delete =
        Jdbc.delete(SessionKey.class).into(CONFIG, "visitor_sessions").withStepName("Delete");

    assertThat(
        delete.sql(),
        equalTo(
            "DELETE FROM \"visitor_sessions\" WHERE \"visitor_id\" = ? AND \"session_start\" = ?"));
  }

  @Test
  void aVersionedUpsertWithTombstonesUpdatesOnlyALiveRowWithAnOlderOrEqualVersion() {
    UpsertRows<SessionKey> upsert =
        Jdbc.upsert(SessionKey.class)
            .into(CONFIG, "visitor_sessions")
            .keyedBy("visitor_id")
            .versionedBy("session_start")
            .withTombstones("retracted");

    assertThat(
        upsert.sql(),
        equalTo(
            "INSERT INTO \"visitor_sessions\" AS existing (\"visitor_id\", \"session_start\","
                + " \"retracted\") VALUES (?, ?, false) ON CONFLICT (\"visitor_id\")"
                + " DO UPDATE SET \"session_start\" = EXCLUDED.\"session_start\""
                + " WHERE NOT existing.\"retracted\""
                + " AND (existing.\"session_start\") <= (EXCLUDED.\"session_start\")"));
  }

  @Test
  void aDeleteWithTombstonesMarksTheRowOrInsertsItsTombstone() {
    UpsertRows<SessionKey> delete =
        Jdbc.delete(SessionKey.class).into(CONFIG, "visitor_sessions").withTombstones("retracted");

    assertThat(
        delete.sql(),
        equalTo(
            "INSERT INTO \"visitor_sessions\" AS existing (\"visitor_id\", \"session_start\","
                + " \"retracted\") VALUES (?, ?, true) ON CONFLICT (\"visitor_id\","
                + " \"session_start\") DO UPDATE SET \"retracted\" = true"));
  }

  @Test
  void refusesVersionsAndTombstonesThatAreNotColumnsItCanUse() {
    UpsertRows<SessionKey> upsert = Jdbc.upsert(SessionKey.class);

    assertThat(
        failure(() -> upsert.versionedBy("version")),
        equalTo(
            "version column \"version\" is not a field of SessionKey; its fields are"
                + " [visitor_id, session_start]"));
    assertThat(
        failure(() -> upsert.withTombstones("visitor_id")),
        equalTo(
            "tombstone column \"visitor_id\" must be a plain column of the table that is not a"
                + " field of SessionKey"));
    assertThat(
        failure(() -> upsert.withTombstones("a.b")),
        equalTo("tombstone column must be a column name (letters, digits and _), was \"a.b\""));
    assertThat(
        failure(() -> Jdbc.delete(SessionKey.class).versionedBy("visitor_id")),
        equalTo("a delete is not versioned; see withTombstones"));
  }

  @Test
  void quotesEachPartOfASchemaQualifiedTable() {
    UpsertRows<Product> upsert =
        Jdbc.upsert(Product.class).keyedBy("product_id").into(CONFIG, "reference.products");

    assertThat(
        upsert.sql().substring(0, 40), equalTo("INSERT INTO \"reference\".\"products\" (\"pro"));
  }

  @Test
  void validatesItsArgumentsNamingTheBadOne() {
    UpsertRows<Product> upsert = Jdbc.upsert(Product.class);

    assertThat(
        failure(() -> upsert.keyedBy("id")),
        equalTo(
            "key column \"id\" is not a field of Product; its fields are [product_id, name,"
                + " category, price_cents, updated_at]"));
    assertThat(
        failure(() -> upsert.keyedBy("product_id", "product_id")),
        equalTo("key column \"product_id\" is given twice"));
    assertThat(failure(() -> upsert.keyedBy()), equalTo("keyedBy needs at least one key column"));
    assertThat(
        failure(() -> upsert.into(CONFIG, "products; DROP TABLE x")),
        equalTo(
            "table must be a table name (letters, digits and _, optionally schema-qualified), was"
                + " \"products; DROP TABLE x\""));
    assertThat(failure(() -> upsert.into(null, "products")), equalTo("config must not be null"));
    assertThat(
        failure(() -> upsert.withStepName(" ")), equalTo("step name must not be blank, was  "));
  }

  @Test
  void refusesARecordWithAFieldThatHasNoColumnType() {
    assertThat(
        failure(() -> Jdbc.upsert(DeadLetter.class)),
        equalTo(
            "DeadLetter.position has Avro type "
                + DeadLetter.getClassSchema().getField("position").schema()
                + ", which has no column type here; supported: string, enum, int, long, float,"
                + " double, boolean, bytes, timestamp-millis, timestamp-micros, each optionally"
                + " nullable"));
  }

  @Test
  void needsATableAndAKeyWhenApplied() {
    Pipeline pipeline = Pipeline.create();
    PCollection<Product> products =
        pipeline.apply(Create.empty(SpecificRecordCoder.of(Product.class)));

    IllegalStateException noTable =
        assertThrows(
            IllegalStateException.class,
            () -> products.apply("A", Jdbc.upsert(Product.class).keyedBy("product_id")));
    IllegalStateException noKey =
        assertThrows(
            IllegalStateException.class,
            () -> products.apply("B", Jdbc.upsert(Product.class).into(CONFIG, "products")));

    assertThat(
        noTable.getMessage(),
        equalTo("Jdbc.upsert(Product) needs into(config, table): where to write."));
    assertThat(
        noKey.getMessage(),
        equalTo(
            "Jdbc.upsert(Product) needs keyedBy(...): the columns of products's primary or"
                + " unique key."));
  }

  @Test
  void lookupAndSnapshotNeedAStringKeyField() {
    assertThat(
        failure(() -> Jdbc.lookup(CONFIG, "products", "price_cents", Product.class)),
        equalTo(
            "key column \"price_cents\" must be a non-null string field of Product, is \"long\""));
    assertThat(
        failure(() -> Jdbc.snapshot(CONFIG, "products", "sku", Product.class)),
        equalTo(
            "key column \"sku\" is not a field of Product; its fields are [product_id, name,"
                + " category, price_cents, updated_at]"));
    assertThat(
        failure(() -> Jdbc.lookup(CONFIG, "a.b.c", "product_id", Product.class)),
        equalTo(
            "table must be a table name (letters, digits and _, optionally schema-qualified), was"
                + " \"a.b.c\""));
    assertThat(
        Jdbc.lookup(CONFIG, "products", "product_id", Product.class).toString(),
        equalTo("Jdbc.lookup(products by product_id as Product)"));
  }
}
