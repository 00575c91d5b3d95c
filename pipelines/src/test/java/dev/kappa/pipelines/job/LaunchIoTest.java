package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.pipelines.ArgumentFiles;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.testing.process.SilentServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change histories a bounded run loads at launch, read ahead ({@link LaunchIo#readingAhead})
 * while the launch checks run: the same records and the same failure as a read during the build,
 * only the reads the build asks for, and no read left running when the launch fails. Files and a
 * socket that never answers; no server.
 */
class LaunchIoTest {
  private static final OrderRevenue JOB = new OrderRevenue();
  private static final Path TEST_DATA =
      Path.of(System.getProperty("kappa.testData", "../test-data"));
  private static final String PRODUCTS =
      TEST_DATA.resolve("enrichment/products.changelog.jsonl").toString();
  private static final String CUSTOMERS =
      TEST_DATA.resolve("enrichment/customers.changelog.jsonl").toString();

  @TempDir Path dir;

  private static OrderRevenue.Options options(String... more) {
    String[] base = {
      "--source=FILES",
      "--input=" + TEST_DATA.resolve("orders/orders.jsonl"),
      "--productChanges=" + PRODUCTS,
      "--customerChanges=" + CUSTOMERS,
      "--output=console"
    };
    // A later option replaces an earlier one of the same name, as in the launcher.
    String[] args = Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
    return PipelineOptionsFactory.fromArgs(ArgumentFiles.expand(args))
        .as(OrderRevenue.Options.class);
  }

  private static Table<?, ?> table(String name) {
    return JOB.parts().stream()
        .filter(part -> part instanceof Table<?, ?> table && table.name().equals(name))
        .map(part -> (Table<?, ?>) part)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void readsAheadTheHistoriesOfTheTemporalJoinsABoundedRunLoads() {
    assertThat(readAhead(), equalTo(List.of("customers", "products")));
    assertThat(
        readAhead("--customerEnrichment=LOOKUP", "--jdbcUrl=jdbc:postgresql://localhost:1/kappa"),
        equalTo(List.of("products")));
    // A history the job reads as a side input, and a stream, read nothing at launch.
    assertThat(readAhead("--preloadChangesUpTo=0"), is(empty()));
    assertThat(readAhead("--boundedTemporalJoin=keyed"), is(empty()));
    assertThat(readAhead("--source=REPLAY"), is(empty()));
  }

  private static List<String> readAhead(String... options) {
    JobSettings settings = JobSettings.parse(JOB, options(options));
    try (LaunchIo io = LaunchIo.readingAhead(JOB, settings)) {
      return io.readingAheadFor();
    }
  }

  @Test
  void aHistoryReadAheadIsTheHistoryReadDuringTheBuild() throws IOException {
    JobSettings settings = JobSettings.parse(JOB, options());
    Map<String, String> other = Map.of("products", "customers", "customers", "products");
    for (String name : other.keySet()) {
      Table<?, ?> table = table(name);
      JobSettings.Join join = settings.join(table);
      List<SourceRecord> during =
          new LaunchIo().readChangesNow(table, join.changes(), settings, join.preloadChangesUpTo());
      List<SourceRecord> ahead;
      try (LaunchIo io = LaunchIo.readingAhead(JOB, settings)) {
        ahead = io.readChangesNow(table, join.changes(), settings, join.preloadChangesUpTo());
        assertThat(io.readingAheadFor(), equalTo(List.of(other.get(name))));
      }
      assertThat(name, during, hasSize(not(0)));
      assertThat(name, ahead, equalTo(during));
    }
  }

  @Test
  void aHistoryThatCannotBeReadFailsTheBuildAsItDidWhenReadDuringTheBuild() throws IOException {
    // A gzip header and a body that does not inflate: found by the launch checks, fails as it is
    // read.
    Path broken = dir.resolve("products.changelog.jsonl.gz");
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    byte[] body = "not deflated".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[header.length + body.length];
    System.arraycopy(header, 0, bytes, 0, header.length);
    System.arraycopy(body, 0, bytes, header.length, body.length);
    Files.write(broken, bytes);
    OrderRevenue.Options options = options("--productChanges=" + broken);

    JobSettings settings = JobSettings.parse(JOB, options);
    UncheckedIOException during =
        assertThrows(
            UncheckedIOException.class,
            () ->
                JobRunner.build(JOB, Pipeline.create(options), options, settings, new LaunchIo()));
    UncheckedIOException ahead;
    try (LaunchIo io = LaunchIo.readingAhead(JOB, settings)) {
      ahead =
          assertThrows(
              UncheckedIOException.class,
              () -> JobRunner.build(JOB, Pipeline.create(options), options, settings, io));
      // The build took the products' read, which failed, and stopped before the customers'.
      assertThat(io.readingAheadFor(), equalTo(List.of("customers")));
    }

    assertThat(during.getMessage(), containsString("changes of table products at launch"));
    assertThat(ahead.getMessage(), equalTo(during.getMessage()));
    assertThat(ahead.getCause().getClass(), equalTo(during.getCause().getClass()));
  }

  @Test
  void closingStopsAReadThatWaitsForABrokerThatNeverAnswers() throws Exception {
    // Accepts connections and never answers, as a firewall or the wrong service would.
    try (SilentServer silent = SilentServer.start("silent-broker")) {
      JobSettings settings =
          JobSettings.parse(
              JOB,
              options(
                  "--source=KAFKA",
                  "--bootstrapServers=127.0.0.1:" + silent.port(),
                  "--inputTopics=orders",
                  "--from=2026-03-01T00:00:00Z",
                  "--to=2026-03-02T00:00:00Z",
                  "--productChanges=kafka:products"));

      try (LaunchIo io = LaunchIo.readingAhead(JOB, settings)) {
        assertThat(io.readingAheadFor(), equalTo(List.of("customers", "products")));
        // The launch fails here (its checks time out); the reads were not taken.
      }

      assertThat(launchReads(), is(empty()));
    }
  }

  /** The threads of {@link LaunchIo#readingAhead} still alive. */
  private static List<String> launchReads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("kappa-launch-read-"))
        .toList();
  }
}
