package dev.kappa.pipelines.inventory;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.kappa.schemas.events.InventoryItem;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.StockCause;
import dev.kappa.schemas.results.StockEvent;
import dev.kappa.schemas.results.StockEventKind;
import dev.kappa.schemas.results.StockLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/**
 * The inventory job's tie rule for the events of one product in one millisecond, and the order of
 * the levels after them ({@link SummarizeMinutes#APPLIED}): both must be total, so that the answer
 * never depends on arrival order.
 */
class StockEventOrderTest {
  private static final Instant T = Instant.parse("2026-03-01T10:01:59.999Z");
  private static final StockEventOrder RULE = new StockEventOrder();

  private static StockEvent set(long quantity, Long position) {
    return StockEvent.newBuilder()
        .setProductId("P-1")
        .setEventTime(T)
        .setKind(StockEventKind.SET)
        .setChange(
            InventoryItem.newBuilder()
                .setProductId("P-1")
                .setQuantity(quantity)
                .setUpdatedAt(T)
                .build())
        .setChangePosition(position)
        .build();
  }

  private static StockEvent delete(Long position) {
    return StockEvent.newBuilder()
        .setProductId("P-1")
        .setEventTime(T)
        .setKind(StockEventKind.DELETE)
        .setChangePosition(position)
        .build();
  }

  private static StockEvent order(String id, int quantity, String customer) {
    return StockEvent.newBuilder()
        .setProductId("P-1")
        .setEventTime(T)
        .setKind(StockEventKind.ORDER)
        .setOrder(
            OrderEvent.newBuilder()
                .setOrderId(id)
                .setCustomerId(customer)
                .setProductId("P-1")
                .setQuantity(quantity)
                .setUnitPriceCents(100)
                .setEventTime(T)
                .build())
        .build();
  }

  /** Sorts {@code events} in many arrival orders; each must give the same order. */
  private static <T> List<String> sortedEveryWay(
      List<T> events, java.util.Comparator<T> rule, Function<T, String> name) {
    List<String> first = null;
    Random random = new Random(13);
    for (int i = 0; i < 50; i++) {
      List<T> arrival = new ArrayList<>(events);
      Collections.shuffle(arrival, random);
      arrival.sort(rule);
      List<String> names = arrival.stream().map(name).toList();
      if (first == null) {
        first = names;
      }
      assertThat(names, is(first));
    }
    return first;
  }

  private static String describe(StockEvent e) {
    switch (e.getKind()) {
      case ORDER:
        return e.getOrder().getOrderId() + " " + e.getOrder().getCustomerId();
      case DELETE:
        return "delete@" + e.getChangePosition();
      default:
        return "set " + e.getChange().getQuantity() + "@" + e.getChangePosition();
    }
  }

  @Test
  void changesComeBeforeOrdersAndInTheOrderOfTheChangeStream() {
    List<StockEvent> events =
        List.of(
            order("O-2", 1, "C-1"),
            order("O-1", 3, "C-1"),
            set(4, 148L),
            delete(132L),
            set(8, 164L),
            set(5, 180L));
    assertThat(
        sortedEveryWay(events, RULE, StockEventOrderTest::describe),
        contains("delete@132", "set 4@148", "set 8@164", "set 5@180", "O-1 C-1", "O-2 C-1"));
  }

  @Test
  void aDeleteBeforeAnInsertInTheStreamStaysBeforeItAndAfterOneAfterIt() {
    assertThat(RULE.compare(delete(1L), set(4, 2L)) < 0, is(true));
    assertThat(RULE.compare(set(4, 1L), delete(2L)) < 0, is(true));
  }

  @Test
  void copiesOfOneOrderThatDifferSortTheSameWayInEveryArrivalOrder() {
    List<StockEvent> events =
        List.of(order("O-1", 2, "C-2"), order("O-1", 2, "C-1"), order("O-1", 1, "C-3"));
    assertThat(
        sortedEveryWay(events, RULE, StockEventOrderTest::describe),
        contains("O-1 C-3", "O-1 C-1", "O-1 C-2"));
  }

  @Test
  void twoIdenticalCopiesOfOneOrderAreEqualUnderTheRule() {
    assertThat(RULE.compare(order("O-1", 2, "C-1"), order("O-1", 2, "C-1")), is(0));
  }

  @Test
  void changesWithoutAPositionFollowThoseWithOneSetBeforeDeleteThenByQuantity() {
    List<StockEvent> events = List.of(delete(null), set(9, null), set(3, null), set(7, 5L));
    assertThat(
        sortedEveryWay(events, RULE, StockEventOrderTest::describe),
        contains("set 7@5", "set 3@null", "set 9@null", "delete@null"));
  }

  private static KV<StockEvent, StockLevel> applied(StockEvent event, long before, long after) {
    return KV.of(
        event,
        StockLevel.newBuilder()
            .setProductId("P-1")
            .setEventTime(T)
            .setCause(StockCause.ORDER)
            .setOrderId(event.getOrder().getOrderId())
            .setQuantity(event.getOrder().getQuantity())
            .setLevelBefore(before)
            .setLevel(after)
            .setStocked(true)
            .build());
  }

  /**
   * Two identical copies of one order in one millisecond: the rule finds them equal and applies
   * them in arrival order, so the levels after them tell them apart; the lower is the later.
   */
  @Test
  void theLevelAfterTheSecondCopyOfAnOrderIsAppliedLastWhicheverArrivedFirst() {
    KV<StockEvent, StockLevel> first = applied(order("O-1", 2, "C-1"), 3, 1);
    KV<StockEvent, StockLevel> second = applied(order("O-1", 2, "C-1"), 1, -1);
    assertThat(SummarizeMinutes.APPLIED.compare(second, first), greaterThan(0));
    assertThat(
        sortedEveryWay(
            List.of(second, first, applied(order("O-0", 1, "C-1"), 4, 3)),
            SummarizeMinutes.APPLIED,
            level -> level.getKey().getOrder().getOrderId() + " " + level.getValue().getLevel()),
        contains("O-0 3", "O-1 1", "O-1 -1"));
  }
}
