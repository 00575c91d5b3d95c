package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.client.JobCancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

  /** An input file that exists: these tests fail on other options. */
  private static final String ORDERS =
      Path.of(System.getProperty("kappa.testData"), "orders", "orders.jsonl").toString();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int launch(String... args) {
    return Launcher.launch(
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

  @Test
  void listNamesEveryPipeline() {
    assertThat(launch("list"), is(0));
    List<String> lines = out().lines().toList();
    // One line per job, in the order of the service file: its name, then its description.
    assertThat(
        lines.stream().map(line -> line.split(" +", 2)[0]).toList(),
        contains(
            "order-revenue",
            "archive-topics",
            "card-fraud",
            "visitor-sessions",
            "inventory",
            "order-payments"));
    for (String line : lines) {
      assertThat(line, line.split(" +", 2)[1].isBlank(), is(false));
    }
  }

  @Test
  void pipelineHelpGroupsTheJobsOptionsByConcernWithDefaultsAndLeavesBeamInternalsOut() {
    assertThat(launch("order-revenue", "--help"), is(0));
    String help = out();
    assertThat(help, containsString("\n  --allowedLateness=<string>  (default PT1H)\n"));
    assertThat(help, containsString("\n  --source=FILES|REPLAY|KAFKA  (default FILES)\n"));
    List<String> headings = help.lines().filter(line -> line.matches("[A-Za-z' -]+:")).toList();
    assertThat(
        headings,
        contains(
            "order-revenue's own:",
            "Source:",
            "Windowing:",
            "Lateness:",
            "Outputs:",
            "Enrichment:",
            "Kafka:",
            "Database:",
            "Launcher:",
            "Examples:"));
    assertThat(
        help, containsString("\nOutput versions (docs/reprocessing.md):\n  --outputVersion="));
    assertThat(help, containsString("\n  --checkpointingInterval=<millis>"));
    assertThat(help, containsString("\n  --savepointPath=<path>"));
    for (String internal : List.of("--gbek", "--optionsId", "--userAgent", "--launchArguments")) {
      assertThat(help, not(containsString(internal)));
    }
    assertThat(help, containsString("kappa order-revenue --help=all"));
  }

  @Test
  void cardFraudHelpShowsItsOwnOptionsWithDefaults() {
    assertThat(launch("card-fraud", "--help"), is(0));
    String help = out();
    assertThat(help, containsString("card-fraud's own:"));
    assertThat(help, containsString("\n  --velocityMinAmounts=<string>"));
    assertThat(help, containsString("\n  --riskWindow=<string>  (default sliding:PT5M,PT1M)\n"));
    assertThat(help, containsString("\n  --lateFiringDelay=<string>  (default none)\n"));
  }

  @Test
  void visitorSessionsHelpShowsTheSessionGapWithItsDefault() {
    assertThat(launch("visitor-sessions", "--help"), is(0));
    String help = out();
    assertThat(help, containsString("visitor-sessions's own:"));
    assertThat(help, containsString("\n  --sessionGap=<string>  (default PT30M)\n"));
  }

  @Test
  void helpAllIsBeamsWholeListing() {
    assertThat(launch("order-revenue", "--help=all"), is(0));
    assertThat(out(), containsString("--userAgent"));
    assertThat(out(), containsString("--allowedLateness=<String>"));
  }

  @Test
  void badOptionValueFailsBeforeRunningAndNamesTheOption() {
    assertThat(
        launch("run", "order-revenue", "--input=" + ORDERS, "--allowedLateness=soon"), is(2));
    assertThat(
        err(),
        startsWith(
            "kappa run order-revenue: --allowedLateness: 'soon' is not an ISO-8601 duration"));
  }

  @Test
  void badBoundedTemporalJoinFailsAtLaunchNamingTheOptionAndItsValues() {
    assertThat(
        launch(
            "run",
            "order-revenue",
            "--source=FILES",
            "--input=" + ORDERS,
            "--productChanges=" + ORDERS,
            "--customerChanges=" + ORDERS,
            "--boundedTemporalJoin=sideinput"),
        is(2));
    assertThat(
        err(),
        startsWith(
            "kappa run order-revenue: --boundedTemporalJoin: 'sideinput' is not 'broadcast'"));
    assertThat(err(), containsString("or 'keyed'"));
  }

  @Test
  void negativePreloadLimitFailsAtLaunchNamingTheOption() {
    assertThat(
        launch(
            "run",
            "order-revenue",
            "--source=FILES",
            "--input=" + ORDERS,
            "--productChanges=" + ORDERS,
            "--customerChanges=" + ORDERS,
            "--preloadChangesUpTo=-1"),
        is(2));
    assertThat(
        err(),
        startsWith(
            "kappa run order-revenue: --preloadChangesUpTo: must be a number of change records, 0"
                + " or more"));
  }

  @Test
  void unknownOptionNamesTheOption() {
    assertThat(launch("run", "order-revenue", "--alowedLateness=PT1H"), is(2));
    assertThat(err(), containsString("missing a property named 'alowedLateness'"));
  }

  @Test
  void missingInputIsReported() {
    assertThat(launch("run", "order-revenue"), is(2));
    assertThat(err(), equalTo("kappa run order-revenue: --input: is required\n"));
  }

  @Test
  void inputGlobMatchingNoFileFailsAtLaunchNamingTheOption(@TempDir Path dir) {
    String glob = dir.resolve("orders-*.jsonl").toString();

    assertThat(
        launch(
            "run",
            "order-revenue",
            "--source=FILES",
            "--input=" + glob,
            "--productChanges=" + ORDERS,
            "--customerChanges=" + ORDERS),
        is(2));
    assertThat(err(), equalTo("kappa run order-revenue: --input: no file matches " + glob + "\n"));
  }

  @Test
  void changeStreamFileThatIsMissingFailsAtLaunchNamingTheOption(@TempDir Path dir) {
    String missing = dir.resolve("customers.jsonl").toString();

    assertThat(
        launch(
            "run",
            "order-revenue",
            "--source=REPLAY",
            "--input=" + ORDERS,
            "--productChanges=" + ORDERS,
            "--customerChanges=" + missing),
        is(2));
    assertThat(
        err(),
        equalTo("kappa run order-revenue: --customerChanges: no file matches " + missing + "\n"));
  }

  @Test
  void missingFileAtTheRootFailsAtLaunchWithoutSearchingTheFileSystem() {
    // Beam's own match would walk every file below / looking for it (BEAM-1309), for minutes.
    String missing = "/kappa-no-such-orders-" + System.nanoTime() + ".jsonl";

    int code =
        assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(60),
            () ->
                launch(
                    "run",
                    "order-revenue",
                    "--source=FILES",
                    "--input=" + missing,
                    "--productChanges=" + ORDERS,
                    "--customerChanges=" + ORDERS));

    assertThat(code, is(2));
    assertThat(
        err(), equalTo("kappa run order-revenue: --input: no file matches " + missing + "\n"));
  }

  @Test
  void badConnectTimeoutNamesTheOption() {
    assertThat(
        launch(
            "run",
            "order-revenue",
            "--input=" + ORDERS,
            "--productChanges=" + ORDERS,
            "--customerChanges=" + ORDERS,
            "--connectTimeout=5s"),
        is(2));
    assertThat(
        err(), startsWith("kappa run order-revenue: --connectTimeout: '5s' is not an ISO-8601"));
  }

  @Test
  void missingChangeStreamNamesTheOptionAndTheAlternatives() {
    assertThat(launch("run", "order-revenue", "--input=" + ORDERS), is(2));
    assertThat(
        err(),
        startsWith(
            "kappa run order-revenue: --productChanges: is required with"
                + " --productEnrichment=TEMPORAL (the default)"));
  }

  @Test
  void waitingForAMissingKeyInASnapshotIsRefusedAtLaunch() {
    assertThat(
        launch(
            "run",
            "order-revenue",
            "--input=" + ORDERS,
            "--productEnrichment=SNAPSHOT",
            "--missingProduct=WAIT",
            "--jdbcUrl=jdbc:postgresql://127.0.0.1:55432/kappa"),
        is(2));
    assertThat(
        err(),
        startsWith("kappa run order-revenue: --missingProduct: WAIT does not work with SNAPSHOT"));
  }

  @Test
  void archiveWithoutAPathFailsBeforeAnyServerIsAsked() {
    // No broker listens on port 1: the missing path is reported first, at once.
    assertThat(
        launch("run", "archive-topics", "--bootstrapServers=127.0.0.1:1", "--inputTopics=orders"),
        is(2));
    assertThat(err(), equalTo("kappa run archive-topics: --archive: is required\n"));
  }

  /**
   * {@code scripts/kappa --help} prints the script's header, written by hand: it must name every
   * command the launcher's usage names, with the options a secured cluster needs.
   */
  @Test
  void scriptsHelpHeaderNamesEveryCommandOfTheLaunchersUsage() throws Exception {
    assertThat(launch("--help"), is(0));
    List<String> commands =
        out()
            .lines()
            .map(line -> line.replaceFirst("^(usage:)? +", ""))
            .filter(line -> line.startsWith("kappa "))
            .map(line -> line.split(" ")[1])
            .distinct()
            .toList();
    assertThat(commands, hasItems("list", "run", "report", "reconcile", "reset-sink"));
    Path script =
        Path.of(System.getProperty("kappa.runnersConfig")).getParent().resolve("scripts/kappa");
    // As the script prints it: every comment line from the second up to the first line of code.
    String header =
        Files.readAllLines(script).stream()
            .skip(1)
            .takeWhile(line -> line.startsWith("#"))
            .collect(Collectors.joining("\n"));
    for (String command : commands) {
      assertThat(header, containsString("scripts/kappa " + command + " "));
    }
    for (String produce : List.of("produce-orders", "produce-changes")) {
      String entry = header.substring(header.indexOf("scripts/kappa " + produce + " "));
      entry = entry.substring(0, entry.indexOf("scripts/kappa ", 1));
      assertThat(produce, entry, containsString("--kafkaClientProperties=<file>"));
    }
  }

  @Test
  void unknownPipelineListsTheKnownOnes() {
    assertThat(launch("run", "order-revenu"), is(2));
    assertThat(
        err(),
        equalTo(
            "kappa run: no pipeline named 'order-revenu'; known: order-revenue, archive-topics, card-fraud, visitor-sessions, inventory, order-payments\n"));
  }

  @Test
  void missingArgumentFileIsReported(@TempDir Path dir) {
    Path missing = dir.resolve("nope.args");
    assertThat(launch("run", "order-revenue", "@" + missing), is(2));
    assertThat(err(), equalTo("kappa: argument file " + missing + " does not exist\n"));
  }

  @Test
  void produceChangesNeedsATopicAndAKeyField(@TempDir Path dir) throws Exception {
    Path changes = Files.writeString(dir.resolve("changes.jsonl"), "{}\n");

    assertThat(launch("produce-changes", changes.toString(), "--key=product_id"), is(2));
    assertThat(err(), equalTo("kappa produce-changes: --topic: is required\n"));
  }

  @Test
  void produceChangesNamesAnUnknownArgument(@TempDir Path dir) throws Exception {
    Path changes = Files.writeString(dir.resolve("changes.jsonl"), "{}\n");

    assertThat(launch("produce-changes", changes.toString(), "--keyField=id"), is(2));
    assertThat(err(), startsWith("kappa produce-changes: unknown argument '--keyField=id'"));
  }

  @Test
  void runsABoundedJobToCompletion(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("orders.jsonl");
    Files.writeString(
        input,
        "{\"order_id\":\"O-1\",\"customer_id\":\"C-1\",\"product_id\":\"P-1\",\"quantity\":2,"
            + "\"unit_price_cents\":150,\"event_time\":\"2026-03-01T10:00:00Z\"}\n");
    Path products =
        Files.writeString(
            dir.resolve("products.jsonl"),
            "{\"before\":null,\"after\":{\"product_id\":\"P-1\",\"name\":\"Spade\","
                + "\"category\":\"tools\",\"price_cents\":150,"
                + "\"updated_at\":\"2026-01-01T00:00:00Z\"},\"op\":\"c\","
                + "\"source\":{\"table\":\"products\",\"ts_ms\":1767225600000},"
                + "\"ts_ms\":1767225600000}\n");
    Path args = dir.resolve("job.args");
    Files.writeString(args, "# a test job\n--runner=DirectRunner\n--source=FILES\n");

    int code =
        launch(
            "run",
            "order-revenue",
            "@" + args,
            "--input=" + input,
            "--productChanges=" + products,
            // No customer is known: orders pass through without a tier.
            "--customerChanges=" + Files.writeString(dir.resolve("customers.jsonl"), ""),
            "--output=" + dir.resolve("out/results"),
            "--tooLateOutput=" + dir.resolve("out/late"),
            "--deadLetterOutput=" + dir.resolve("out/dead"));

    assertThat(err(), code, is(0));
    assertThat(out(), containsString("kappa run order-revenue: DONE"));
    try (var files = Files.list(dir.resolve("out"))) {
      String results =
          files
              .filter(f -> f.getFileName().toString().startsWith("results-"))
              .map(LauncherTest::read)
              .reduce("", String::concat);
      assertThat(results, containsString("\"category\":\"tools\",\"currency\":\"USD\""));
      assertThat(results, containsString("\"order_count\":1,\"revenue_cents\":300"));
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aJobCancelledOnTheClusterIsRecognisedInTheRunnersExceptionChain() {
    // The shape the Flink runner's attached submission throws when the job is cancelled.
    RuntimeException thrown =
        new RuntimeException(
            "Pipeline execution failed",
            new ExecutionException(
                new JobCancellationException(new JobID(), "Job was cancelled.", null)));

    assertThat(Launcher.cancelledOnTheCluster(thrown), is(true));
    assertThat(
        Launcher.cancelledOnTheCluster(
            new RuntimeException("Pipeline execution failed", new IllegalStateException("boom"))),
        is(false));
  }
}
