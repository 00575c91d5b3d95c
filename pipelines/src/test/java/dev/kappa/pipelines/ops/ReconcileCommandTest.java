package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.schemas.results.TooLateOrder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kappa reconcile order-revenue} over result files as the job's file targets write them: the
 * report, the exit codes and the page. Reading a table runs against a real PostgreSQL in {@code
 * OrderRevenuePostgresIT}.
 */
class ReconcileCommandTest {

  private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant W2 = Instant.parse("2026-03-01T10:05:00Z");

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int reconcile(String... args) {
    return ReconcileCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static CategoryRevenue result(
      Instant start, String category, long pane, long orders, long cents) {
    return CategoryRevenue.newBuilder()
        .setCategory(category)
        .setCurrency("USD")
        .setWindowStart(start)
        .setWindowEnd(start.plusSeconds(300))
        .setOrderCount(orders)
        .setRevenueCents(cents)
        .setPaneTiming(pane == 0 ? "ON_TIME" : "LATE")
        .setPaneIndex(pane)
        .setFinalPane(false)
        .build();
  }

  private static TooLateOrder late(String id, Instant start, int quantity, long price) {
    OrderEvent order =
        OrderEvent.newBuilder()
            .setOrderId(id)
            .setCustomerId("C-01")
            .setProductId("P-100")
            .setQuantity(quantity)
            .setUnitPriceCents(price)
            .setCurrency("USD")
            .setEventTime(start.plusSeconds(30))
            .build();
    return TooLateOrder.newBuilder()
        .setOrder(order)
        .setMissedWindow(
            MissedWindow.newBuilder()
                .setWindowStart(start)
                .setWindowEnd(start.plusSeconds(300))
                .setEventTime(order.getEventTime())
                .setWatermark(start.plusSeconds(7200))
                .setAllowedLatenessMillis(3_600_000)
                .setLateByMillis(3_300_000)
                .build())
        .build();
  }

  /**
   * Writes {@code records} as two JSON-lines shards under {@code prefix}, as a file target does.
   */
  @SafeVarargs
  private <T extends SpecificRecordBase> String files(String prefix, T... records)
      throws IOException {
    Files.createDirectories(dir.resolve(prefix).getParent());
    @SuppressWarnings("unchecked")
    EventCodec<T> codec = EventCodec.of((Class<T>) records[0].getClass());
    List<String> lines = new java.util.ArrayList<>();
    for (T record : records) {
      lines.add(codec.toJson(record));
    }
    int half = lines.size() / 2;
    Files.writeString(
        dir.resolve(prefix + "-00000-of-00002.jsonl"),
        lines.subList(0, half).stream().map(l -> l + "\n").collect(Collectors.joining()));
    Files.writeString(
        dir.resolve(prefix + "-00001-of-00002.jsonl"),
        lines.subList(half, lines.size()).stream()
            .map(l -> l + "\n")
            .collect(Collectors.joining()));
    return dir.resolve(prefix).toString();
  }

  @Test
  void streamAndBackfillDifferOnlyByTheTooLateOrders() throws IOException {
    String stream =
        files(
            "stream/results",
            result(W1, "audio", 0, 1, 1000),
            result(W2, "audio", 0, 1, 500),
            result(W2, "audio", 1, 2, 800));
    String backfill =
        files(
            "backfill/results",
            result(W1, "audio", 0, 1, 1000),
            result(W2, "audio", 0, 3, 1300),
            result(W2, "books", 0, 1, 250));
    String tooLate = files("stream/too-late", late("O-7", W2, 1, 500), late("O-8", W2, 2, 125));

    int exit =
        reconcile(
            "order-revenue",
            "--left=" + stream,
            "--right=" + backfill,
            "--tooLate=" + tooLate,
            "--html=" + dir.resolve("report.html"));

    assertThat(err(), is(""));
    assertThat(exit, is(0));
    assertThat(
        out(),
        containsString(
            "3 keys compared: 1 equal, 2 differ explained by too-late records, 0 differ"
                + " unexplained"));
    assertThat(
        out(),
        containsString(
            "EXPLAINED   [2026-03-01 10:05, 10:10) currency=USD: right - left = order_count +2"
                + " revenue_cents +750, the 2 too-late records the left diverted"));
    assertThat(out(), containsString("category=books currency=USD: left none, right"));
    assertThat(out(), containsString("too late: order O-8 P-100 USD at 10:05:30"));
    String page = Files.readString(dir.resolve("report.html"));
    assertThat(page, containsString("<rect class=\"explained\""));
    assertThat(page, containsString("Every difference is explained."));
  }

  @Test
  void anUnexplainedDifferenceExitsWithOne() throws IOException {
    String left =
        files("v1/results", result(W1, "audio", 0, 1, 1000), result(W2, "audio", 0, 1, 9));
    String right =
        files("v2/results", result(W1, "audio", 0, 1, 1000), result(W2, "audio", 0, 1, 10));

    assertThat(reconcile("order-revenue", "--left=" + left, "--right=" + right), is(1));
    assertThat(
        out(),
        containsString(
            "UNEXPLAINED [2026-03-01 10:05, 10:10) currency=USD: right - left = order_count +0"
                + " revenue_cents +1; no too-late record here"));
    assertThat(out(), not(containsString("EXPLAINED   ")));
  }

  @Test
  void theRangeLimitsTheWindowsCompared() throws IOException {
    String left = files("a/results", result(W1, "audio", 0, 1, 1000), result(W2, "audio", 0, 1, 9));
    String right =
        files("b/results", result(W1, "audio", 0, 1, 1000), result(W2, "audio", 0, 1, 10));

    assertThat(
        reconcile(
            "order-revenue",
            "--left=" + left,
            "--right=" + right,
            "--from=2026-03-01T10:00:00Z",
            "--to=2026-03-01T10:05:00Z"),
        is(0));
    assertThat(out(), containsString("1 keys compared: 1 equal"));
  }

  @Test
  void wrongCommandLinesAreRefusedWithTwo() {
    assertThat(reconcile("order-revenue", "--left=a"), is(2));
    assertThat(err(), startsWith("kappa reconcile: --right is required\nusage:"));

    assertThat(reconcile("no-such-job", "--left=a", "--right=b"), is(2));
    assertThat(err(), containsString("no job 'no-such-job' (kappa list shows the jobs)"));

    assertThat(reconcile("order-revenue", "--left=a", "--right=b", "--from=yesterday"), is(2));
    assertThat(err(), containsString("--from must be an ISO-8601 instant"));

    assertThat(reconcile("order-revenue", "--left=table:", "--right=b"), is(2));
    assertThat(err(), containsString("--left names no table after 'table:'"));
  }

  @Test
  void anUnreadableSourceExitsWithThree() throws IOException {
    String right = files("b/results", result(W1, "audio", 0, 1, 1000));
    assertThat(
        reconcile("order-revenue", "--left=" + dir.resolve("nothing/here"), "--right=" + right),
        is(3));
    assertThat(err(), containsString("no files match " + dir.resolve("nothing/here")));

    Files.writeString(dir.resolve("bad-00000.jsonl"), "{\"not\": \"a result\"}\n");
    assertThat(
        reconcile("order-revenue", "--left=" + dir.resolve("bad"), "--right=" + right), is(3));
    assertThat(err(), containsString("bad-00000.jsonl:1 is not a CategoryRevenue"));

    assertThat(
        reconcile("order-revenue", "--left=table:category_revenue", "--right=" + right), is(3));
    assertThat(err(), containsString("table:category_revenue needs a database: give --jdbcUrl"));
  }

  @Test
  void readsTheDatabasePasswordFromJdbcPasswordFileBeforeTheEnvironment() throws IOException {
    String url = "jdbc:postgresql://127.0.0.1:5432/kappa";
    Path passwordFile = dir.resolve("db-password");
    Files.writeString(passwordFile, "from-the-file\n");
    Map<String, String> environment = Map.of("KAPPA_JDBC_PASSWORD", "from-the-environment");
    String[] withFile = {"--jdbcUrl=" + url, "--jdbcPasswordFile=" + passwordFile};

    assertThat(
        ReconcileCommand.database(
            OpsArguments.parse(withFile, Set.of(), Set.of("jdbcUrl", "jdbcPasswordFile")),
            environment),
        is(JdbcConfig.of(url, "kappa", "from-the-file")));
    assertThat(
        ReconcileCommand.database(
            OpsArguments.parse(new String[] {"--jdbcUrl=" + url}, Set.of(), Set.of("jdbcUrl")),
            environment),
        is(JdbcConfig.of(url, "kappa", "from-the-environment")));

    String right = dir.resolve("right").toString();
    assertThat(
        ReconcileCommand.run(
            new String[] {
              "order-revenue",
              "--left=table:category_revenue",
              "--right=" + right,
              "--jdbcUrl=" + url,
              "--jdbcPasswordFile=" + dir.resolve("missing")
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            environment),
        is(2));
    assertThat(
        err(), containsString("--jdbcPasswordFile: " + dir.resolve("missing") + " is not a file"));
  }
}
