package dev.kappa.pipelines.job;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.pipelines.visitorsessions.VisitorSessions;
import dev.kappa.schemas.results.SessionKey;
import dev.kappa.schemas.results.VisitorSession;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;

/**
 * A job that deletes rows of a table it also upserts into must give every write of that table the
 * same tombstones, or an upsert arriving after a delete would bring the deleted row back.
 */
class TombstoneCheckTest {

  /** Options naming the sessions table. */
  public interface Options extends PipelineOptions {
    String getSessionsTable();

    void setSessionsTable(String value);
  }

  /** A job of result tables only; it builds nothing. */
  private record TablesJob(List<JobPart<Options>> parts) implements KappaJob<Options> {
    @Override
    public String name() {
      return "tables";
    }

    @Override
    public String description() {
      return "result tables only";
    }

    @Override
    public Class<Options> optionsClass() {
      return Options.class;
    }

    @Override
    public void build(JobContext<Options> job) {}
  }

  private static ResultTable<Options, VisitorSession> upserts() {
    return ResultTable.<Options, VisitorSession>of(
            "UpsertSessions", "RewindowUpsertFailures", VisitorSession.class)
        .in("sessionsTable", Options::getSessionsTable)
        .keyedBy("visitor_id", "session_start");
  }

  private static ResultTable<Options, SessionKey> deletes() {
    return ResultTable.<Options, SessionKey>of(
            "DeleteRetractedSessions", "RewindowDeleteFailures", SessionKey.class)
        .in("sessionsTable", Options::getSessionsTable)
        .deletingRows();
  }

  @Test
  void anUpsertThatIgnoresTheDeletesTombstonesIsRefused() {
    KappaJob<Options> job =
        new TablesJob(List.of(upserts(), deletes().withTombstones("retracted")));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> JobSettings.checkTombstones(job));

    assertThat(e.getMessage(), containsString("each needs the same withTombstones(...)"));
    assertThat(e.getMessage(), containsString("UpsertSessions has null"));
  }

  @Test
  void aDeleteWithoutTombstonesIsRefused() {
    KappaJob<Options> job = new TablesJob(List.of(deletes()));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> JobSettings.checkTombstones(job));

    assertThat(e.getMessage(), containsString("DeleteRetractedSessions has null"));
  }

  @Test
  void tablesThatAgreeAndTablesNeverDeletedFromPass() {
    JobSettings.checkTombstones(
        new TablesJob(
            List.of(
                upserts().versionedBy("page_count", "orders").withTombstones("retracted"),
                deletes().withTombstones("retracted"))));
    JobSettings.checkTombstones(new TablesJob(List.of(upserts())));
    JobSettings.checkTombstones(new VisitorSessions());
  }
}
