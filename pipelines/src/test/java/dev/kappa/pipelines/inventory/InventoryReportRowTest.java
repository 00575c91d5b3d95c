package dev.kappa.pipelines.inventory;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.Reconciliation;
import dev.kappa.pipelines.report.ReportContent;
import dev.kappa.schemas.results.StockMinute;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code kappa report inventory} keeps of a minute's panes read from the history files. */
class InventoryReportRowTest {

  private static final Instant MINUTE = Instant.parse("2026-03-01T10:05:00Z");

  private static StockMinute minute(long level, long orders, long changes) {
    return StockMinute.newBuilder()
        .setProductId("P-SHOE")
        .setMinuteStart(MINUTE)
        .setMinuteEnd(MINUTE.plusSeconds(60))
        .setLevel(level)
        .setOrders(orders)
        .setUnitsOrdered(orders)
        .setChanges(changes)
        .setOversoldOrders(0)
        .build();
  }

  @Test
  void aLaterPaneOfAMinuteIsTheOneKeptInWhateverOrderThePanesAreRead() {
    // On time: 2 orders; a late order adds one more to the same minute's next pane.
    Reconciliation.Row onTime = Inventory.reportRow(minute(8, 2, 0));
    Reconciliation.Row late = Inventory.reportRow(minute(7, 3, 0));
    for (List<Reconciliation.Row> read : List.of(List.of(onTime, late), List.of(late, onTime))) {
      ReportContent content = ReportContent.of(Inventory.REPORT, read, List.of(), List.of());
      assertThat(content.results().get(0).measures().get("level"), is(7L));
    }
  }
}
