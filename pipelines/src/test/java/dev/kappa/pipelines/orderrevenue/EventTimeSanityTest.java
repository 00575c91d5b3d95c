package dev.kappa.pipelines.orderrevenue;

import static dev.kappa.pipelines.orderrevenue.RevenueFiles.deadLetters;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.enrichedOrders;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.enrichment;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedCategories;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedEnrichment;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.expectedRevenue;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.finalResults;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.results;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.testData;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.tooLate;
import static dev.kappa.pipelines.orderrevenue.RevenueFiles.tooLateTotals;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.Totals;
import dev.kappa.pipelines.orderrevenue.RevenueFiles.WindowKey;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.results.TooLateOrder;
import dev.kappa.transforms.windowing.ImplausibleEventTimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Orders dated 2099 and 1970, and change events dated 2099 and 1970, through the whole job on the
 * Direct runner from files (bounded) and from a replay (a stream): with the default event-time
 * bounds each is a dead letter and every window equals the expected results; without bounds (the
 * control) the 2099 orders make the stream's later orders too late.
 */
class EventTimeSanityTest {
  private static final String EXPECTED_REVENUE = "enrichment/expected-category-revenue.jsonl";
  private static final String EXPECTED_ENRICHMENT = "enrichment/expected-enriched-orders.jsonl";

  private static OrderRevenueRuns.Outputs run(
      Path dir, ImplausibleEvents.Poisoned input, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--runner=DirectRunner";
    all[1] = "--input=" + input.orders();
    all[2] = "--productChanges=" + input.products();
    all[3] = "--customerChanges=" + input.customers();
    System.arraycopy(args, 0, all, 4, args.length);
    return OrderRevenueRuns.run(dir.resolve("run"), all);
  }

  /** Dead letters as {@code step line}, sorted by step then line. */
  private static List<String> stepsAndLines(List<DeadLetter> letters) {
    return letters.stream()
        .sorted(
            (a, b) ->
                a.getStep().equals(b.getStep())
                    ? Long.compare(a.getPosition().getOffset(), b.getPosition().getOffset())
                    : a.getStep().compareTo(b.getStep()))
        .map(d -> d.getStep() + " " + d.getPosition().getOffset())
        .toList();
  }

  /** What every run with bounds must dead-letter: the poison records and the invalid orders. */
  private static List<String> expectedDeadLetters() {
    List<String> expected = new java.util.ArrayList<>();
    ImplausibleEvents.poisonLines(ImplausibleEvents.CUSTOMER_CHANGES)
        .forEach(line -> expected.add("CheckCustomerChangesEventTimes " + line));
    ImplausibleEvents.poisonLines(ImplausibleEvents.ORDERS)
        .forEach(line -> expected.add("CheckOrdersEventTimes " + line));
    ImplausibleEvents.poisonLines(ImplausibleEvents.PRODUCT_CHANGES)
        .forEach(line -> expected.add("CheckProductChangesEventTimes " + line));
    ImplausibleEvents.invalidOrderLines().forEach(line -> expected.add("DecodeOrders " + line));
    return expected;
  }

  private static void assertPoisonDeadLettered(List<DeadLetter> letters) {
    assertThat(stepsAndLines(letters), equalTo(expectedDeadLetters()));
    for (DeadLetter letter : letters) {
      if (letter.getStep().startsWith("Check")) {
        assertThat(letter.getErrorClass(), equalTo(ImplausibleEventTimeException.class.getName()));
        assertThat(letter.getErrorMessage(), startsWith("event time "));
        assertThat(letter.getPosition().getSystem(), equalTo("file"));
      }
    }
  }

  /**
   * With the change histories decoded by the launcher (the default for small histories) and read by
   * the job as side inputs ({@code --preloadChangesUpTo=0}): the same results and dead letters.
   */
  @ParameterizedTest
  @ValueSource(strings = {"--preloadChangesUpTo=200000", "--preloadChangesUpTo=0"})
  void filesDeadLetterImplausibleEventsAndKeepEveryWindow(String preload, @TempDir Path dir) {
    ImplausibleEvents.Poisoned input = ImplausibleEvents.write(dir);
    OrderRevenueRuns.Outputs out = run(dir, input, "--source=FILES", preload);

    assertThat(finalResults(results(out.results())), equalTo(expectedRevenue(EXPECTED_REVENUE)));
    assertThat(
        enrichment(enrichedOrders(out.enriched())),
        equalTo(expectedEnrichment(EXPECTED_ENRICHMENT)));
    assertThat(tooLate(out.tooLate()), is(empty()));
    assertPoisonDeadLettered(deadLetters(out.deadLetters()));
  }

  @Test
  void replayDeadLettersImplausibleEventsAndKeepEveryWindow(@TempDir Path dir) throws Exception {
    ImplausibleEvents.Poisoned input = ImplausibleEvents.write(dir);
    OrderRevenueRuns.Outputs out = run(dir, input, "--source=REPLAY", "--replaySpeedUp=max");

    List<TooLateOrder> tooLate = tooLate(out.tooLate());
    System.out.printf(
        "EventTimeSanityTest replay with bounds: %d orders too late (%d expected)%n",
        tooLate.size(), expectedTooLateIds().size());
    // Only orders the reference calls too late may be too late (the Direct runner moves the
    // watermark per bundle, so it may call fewer), and none of the orders after a 2099 one.
    assertThat(
        tooLate.stream().map(late -> late.getOrder().getOrderId()).toList(),
        everyItem(is(in(expectedTooLateIds()))));
    assertThat(accounted(out, tooLate), equalTo(expectedRevenue(EXPECTED_REVENUE)));
    assertThat(
        enrichment(enrichedOrders(out.enriched())),
        equalTo(expectedEnrichment(EXPECTED_ENRICHMENT)));
    assertPoisonDeadLettered(deadLetters(out.deadLetters()));
  }

  @Test
  void withoutBoundsA2099OrderMakesTheRestOfTheStreamTooLate(@TempDir Path dir) throws Exception {
    ImplausibleEvents.Poisoned input = ImplausibleEvents.write(dir);
    OrderRevenueRuns.Outputs out =
        run(
            dir,
            input,
            "--source=REPLAY",
            "--replaySpeedUp=max",
            "--maxEventTimeAhead=none",
            "--minEventTime=none");

    List<TooLateOrder> tooLate = tooLate(out.tooLate());
    Map<WindowKey, Totals> expected = expectedRevenue(EXPECTED_REVENUE);
    Map<WindowKey, Totals> counted = finalResults(results(out.results()));
    long wrongWindows =
        expected.entrySet().stream()
            .filter(window -> !window.getValue().equals(counted.get(window.getKey())))
            .count();
    System.out.printf(
        "EventTimeSanityTest control: %d of %d orders too late (%d expected), %d of %d windows"
            + " wrong, %d windows that should not exist%n",
        tooLate.size(),
        enrichedOrders(out.enriched()).size(),
        expectedTooLateIds().size(),
        wrongWindows,
        expected.size(),
        counted.keySet().stream().filter(key -> !expected.containsKey(key)).count());
    // The harm the bounds prevent: orders after the first 2099 one are too late in bulk.
    assertThat(tooLate.size(), greaterThan(expectedTooLateIds().size() + 100));
    assertThat(wrongWindows, greaterThan(0L));
    // Nothing became a dead letter for its time; the 1970 customer version was used.
    assertThat(
        stepsAndLines(deadLetters(out.deadLetters())).stream()
            .filter(letter -> letter.startsWith("Check"))
            .toList(),
        is(empty()));
    assertThat(
        enrichment(enrichedOrders(out.enriched())).values().stream()
            .filter(value -> value.contains("poison-1970"))
            .count(),
        greaterThan(0L));
  }

  /** Final panes plus what was diverted as too late: what the stream accounted for. */
  private static Map<WindowKey, Totals> accounted(
      OrderRevenueRuns.Outputs out, List<TooLateOrder> tooLate) {
    Map<WindowKey, Totals> accounted = new TreeMap<>(finalResults(results(out.results())));
    tooLateTotals(tooLate, expectedCategories(EXPECTED_ENRICHMENT))
        .forEach((key, totals) -> accounted.merge(key, totals, Totals::plus));
    return accounted;
  }

  private static List<String> expectedTooLateIds() throws IOException {
    ObjectMapper json = new ObjectMapper();
    return Files.readAllLines(testData("orders/expected-too-late.jsonl")).stream()
        .filter(line -> !line.isBlank())
        .map(
            line -> {
              try {
                return json.readTree(line).get("order_id").asText();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .toList();
  }
}
