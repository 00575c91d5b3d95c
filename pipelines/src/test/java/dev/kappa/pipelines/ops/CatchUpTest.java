package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayContaining;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kappa reprocess}: its command line, and the progress line it shows. */
class CatchUpTest {

  private static final long WATERMARK = Instant.parse("2026-03-01T10:25:00Z").toEpochMilli();
  private static final long LIVE = Instant.parse("2026-03-01T11:59:00Z").toEpochMilli();

  @Test
  void progressCountsWhatWasReadOutOfTheBacklogPerPartition() {
    List<CatchUp.Partition> partitions =
        List.of(
            new CatchUp.Partition("orders", 0, 100, 600, 350L),
            new CatchUp.Partition("orders", 1, 0, 500, null));

    assertThat(
        CatchUp.line(
            partitions, Duration.ofSeconds(10), new CatchUp.Watermarks(WATERMARK, LIVE), true),
        equalTo(
            "[########......................] 25% 250/1000 records, 30 s left; watermark"
                + " 2026-03-01 10:25:00 (live 2026-03-01 11:59:00)"));
    assertThat(
        CatchUp.line(partitions, Duration.ofSeconds(10), null, false),
        equalTo("25% 250/1000 records, 30 s left"));
    assertThat(CatchUp.partitions(partitions), equalTo("orders[0] 250/500, orders[1] 0/500"));
    assertThat(CatchUp.caughtUp(partitions), is(false));
  }

  @Test
  void aPartitionPastItsEndAtLaunchIsCaughtUpAndCountsNoMoreThanItsBacklog() {
    List<CatchUp.Partition> partitions =
        List.of(
            new CatchUp.Partition("orders", 0, 100, 600, 700L),
            new CatchUp.Partition("orders", 1, 5, 5, 5L));

    assertThat(CatchUp.caughtUp(partitions), is(true));
    assertThat(
        CatchUp.line(partitions, Duration.ofSeconds(3), null, false),
        equalTo("100% 500/500 records, caught up"));
  }

  @Test
  void aVersionWithoutAWatermarkYetSaysSoBesideTheLiveOne() {
    List<CatchUp.Partition> partitions = List.of(new CatchUp.Partition("orders", 0, 0, 13, 0L));

    assertThat(
        CatchUp.line(partitions, Duration.ofSeconds(2), new CatchUp.Watermarks(null, LIVE), false),
        equalTo(
            "0% 0/13 records, time left unknown until the first checkpoint commits offsets;"
                + " watermark none yet (live 2026-03-01 11:59:00)"));
    assertThat(
        CatchUp.line(partitions, Duration.ofSeconds(2), new CatchUp.Watermarks(null, null), false),
        containsString("; watermark none yet (live none)"));
  }

  /** Samples of one partition of 1000 records, every 2 s, as the command takes them. */
  private static List<String> show(CatchUp.Display display, long... committed) {
    List<String> shown = new java.util.ArrayList<>();
    for (int i = 0; i < committed.length; i++) {
      shown.add(
          display.show(
              List.of(new CatchUp.Partition("orders", 0, 0, 1000, committed[i])),
              Duration.ofSeconds(2L * (i + 1)),
              new CatchUp.Watermarks(WATERMARK, LIVE)));
    }
    return shown;
  }

  @Test
  void onTheEmbeddedRunnerTheVersionsWatermarkIsNotAskedNorTheLiveOneWithoutItsCluster() {
    List<CatchUp.Partition> partitions = List.of(new CatchUp.Partition("orders", 0, 0, 10, 4L));

    assertThat(
        CatchUp.line(
            partitions,
            Duration.ofSeconds(4),
            new CatchUp.Watermarks(null, null, true, false),
            false),
        equalTo("40% 4/10 records, 6.0 s left; watermark n/a (embedded) (live n/a)"));
    assertThat(
        CatchUp.line(
            partitions,
            Duration.ofSeconds(4),
            new CatchUp.Watermarks(null, LIVE, true, true),
            false),
        equalTo(
            "40% 4/10 records, 6.0 s left; watermark n/a (embedded) (live 2026-03-01 11:59:00)"));
    assertThat(
        CatchUp.line(
            partitions,
            Duration.ofSeconds(4),
            new CatchUp.Watermarks(null, null, true, true),
            false),
        equalTo("40% 4/10 records, 6.0 s left; watermark n/a (embedded) (live none)"));
  }

  @Test
  void onATerminalTheBarIsRedrawnInPlaceAndEndsItsLineOnceCaughtUp() {
    List<String> shown = show(new CatchUp.Display(true, Duration.ofSeconds(10)), 0, 250, 500, 1000);

    String watermarks = "; watermark 2026-03-01 10:25:00 (live 2026-03-01 11:59:00)";
    assertThat(
        shown,
        contains(
            "\r[..............................] 0% 0/1000 records, time left unknown until the"
                + " first checkpoint commits offsets"
                + watermarks,
            // The shorter line covers what is left of the longer one before it.
            "\r[########......................] 25% 250/1000 records, 12 s left"
                + watermarks
                + " ".repeat(48),
            "\r[###############...............] 50% 500/1000 records, 6.0 s left" + watermarks,
            "\r[##############################] 100% 1000/1000 records, caught up"
                + watermarks
                + "\n"));
  }

  @Test
  void otherwiseAPlainLineIsPrintedAtTheStartEveryTenSecondsAndOnceCaughtUp() {
    List<String> shown =
        show(
            new CatchUp.Display(false, Duration.ofSeconds(10)),
            0,
            100,
            200,
            300,
            400,
            500,
            990,
            1000);

    assertThat(shown.get(0), startsWith("0% 0/1000 records, time left unknown"));
    assertThat(shown.subList(1, 5), everyItem(equalTo("")));
    assertThat(
        shown.get(5),
        equalTo(
            "50% 500/1000 records, 12 s left; watermark 2026-03-01 10:25:00 (live 2026-03-01"
                + " 11:59:00) (orders[0] 500/1000)\n"));
    assertThat(shown.get(6), equalTo(""));
    assertThat(shown.get(7), startsWith("100% 1000/1000 records, caught up; watermark"));
    assertThat(String.join("", shown), not(containsString("\r")));
    assertThat(String.join("", shown).lines().count(), is(3L));
  }

  @Test
  void beforeTheFirstCommitThereIsNoEstimate() {
    assertThat(
        CatchUp.left(0, 500, Duration.ofSeconds(4)),
        containsString("unknown until the first checkpoint"));
  }

  @Test
  void theCommandTakesFromOutOfTheJobsOptions() {
    ReprocessCommand.Start start =
        ReprocessCommand.start(
            new String[] {"--from=2026-03-01T00:00:00Z", "--outputVersion=v2", "--source=KAFKA"});

    assertThat(start.from(), equalTo(Instant.parse("2026-03-01T00:00:00Z")));
    assertThat(start.options(), arrayContaining("--outputVersion=v2", "--source=KAFKA"));
    assertThat(
        ReprocessCommand.start(new String[] {"--from=earliest", "--outputVersion=v2"}).from(),
        is(nullValue()));
  }

  @Test
  void aWrongCommandLineSaysWhatIsMissing() {
    assertThat(
        assertThrows(
                ReprocessCommand.UsageException.class,
                () -> ReprocessCommand.start(new String[] {"--outputVersion=v2"}))
            .getMessage(),
        containsString("--from=<instant>|earliest is required"));
    assertThat(
        assertThrows(
                ReprocessCommand.UsageException.class,
                () -> ReprocessCommand.start(new String[] {"--from=earliest"}))
            .getMessage(),
        containsString("--outputVersion=<version> is required"));
    assertThat(
        assertThrows(
                ReprocessCommand.UsageException.class,
                () ->
                    ReprocessCommand.start(new String[] {"--from=yesterday", "--outputVersion=v2"}))
            .getMessage(),
        containsString("'earliest' or an ISO-8601 instant"));
    assertThat(
        assertThrows(
                ReprocessCommand.UsageException.class,
                () ->
                    ReprocessCommand.start(
                        new String[] {
                          "--from=earliest", "--to=2026-03-02T00:00:00Z", "--outputVersion=v2"
                        }))
            .getMessage(),
        containsString("kappa backfill"));
  }
}
