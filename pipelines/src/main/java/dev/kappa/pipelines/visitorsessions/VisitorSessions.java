package dev.kappa.pipelines.visitorsessions;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.job.Events;
import dev.kappa.pipelines.job.JobContext;
import dev.kappa.pipelines.job.JobOptions;
import dev.kappa.pipelines.job.JobPart;
import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.Output;
import dev.kappa.pipelines.job.Outputs;
import dev.kappa.pipelines.job.Reconciliation;
import dev.kappa.pipelines.job.ResultTable;
import dev.kappa.schemas.results.SessionKey;
import dev.kappa.schemas.results.SessionRetraction;
import dev.kappa.schemas.results.TooLateVisitorEvent;
import dev.kappa.schemas.results.VisitorSession;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * Visitor sessions with conversions: page views and orders of one visitor (the customer, or the
 * client session of an anonymous visitor) grouped into event-time sessions ended by 30 minutes
 * without an event ({@code --sessionGap}); per session its start, end, duration, pages, distinct
 * products viewed, landing and exit pages, referrer, orders, revenue and whether it converted.
 *
 * <p>When a late event bridges sessions already emitted, the merged session comes out and each
 * session it replaced comes out as a retraction ({@link
 * dev.kappa.transforms.sessions.RetractingSessions}); with {@code --sessionsTable} the table gets
 * versioned upserts and tombstones (right in whatever order they arrive), so after a stream its
 * live rows equal the table a backfill of the same events writes, less the too-late events, which
 * have their own output.
 *
 * <pre>{@code
 * scripts/kappa run visitor-sessions @runners-config/flink-embedded.args --source=REPLAY \
 *     --input=test-data/visitor-sessions/events.jsonl --output=console
 * }</pre>
 */
public final class VisitorSessions implements KappaJob<VisitorSessions.Options> {

  /** Everything VisitorSessions reads from the command line: the shared settings and its own. */
  public interface Options extends JobOptions, LatenessOptions, VisitorSessionsOptions {}

  static final Events<Options> EVENTS =
      Events.<Options>read("ReadEvents", VisitorEventDecoder::eventTime)
          .withDefaultTopics("page-views", "orders");

  static final Output<Options, VisitorSession> SESSIONS =
      Output.<Options, VisitorSession>of("WriteSessions", VisitorSession.class, "session")
          .to("output", Options::getOutput)
          .formattedBy(SessionFormat::human)
          .keyedBy(VisitorSessions::sessionKey);

  static final Output<Options, SessionRetraction> RETRACTIONS =
      Output.<Options, SessionRetraction>of(
              "WriteRetractions", SessionRetraction.class, "retraction")
          .to("retractionsOutput", Options::getRetractionsOutput)
          .formattedBy(SessionFormat::human)
          .keyedBy(VisitorSessions::retractionKey);

  static final ResultTable<Options, VisitorSession> SESSIONS_TABLE =
      ResultTable.<Options, VisitorSession>of(
              "UpsertSessions", "RewindowUpsertFailures", VisitorSession.class)
          .in("sessionsTable", Options::getSessionsTable)
          .keyedBy("visitor_id", "session_start")
          // Each later version of a session has more pages or orders; retracted rows stay
          // retracted: right whatever order the two steps' writes reach the database in.
          .versionedBy("page_count", "orders")
          .withTombstones("retracted");

  static final ResultTable<Options, SessionKey> RETRACTED_ROWS =
      ResultTable.<Options, SessionKey>of(
              "DeleteRetractedSessions", "RewindowDeleteFailures", SessionKey.class)
          .in("sessionsTable", Options::getSessionsTable)
          .deletingRows()
          .withTombstones("retracted");

  static final Output<Options, TooLateVisitorEvent> TOO_LATE =
      Output.<Options, TooLateVisitorEvent>of("WriteTooLate", TooLateVisitorEvent.class, "too-late")
          .to("tooLateOutput", Options::getTooLateOutput)
          .formattedBy(SessionFormat::human)
          .keyedBy(late -> Outputs.utf8(late.getVisitorId()));

  /**
   * The report: sessions per 10 minutes of their start (signed in, converted), their page views and
   * orders, each session's latest version, retracted ones left out; too-late events per session
   * they missed, page views and orders apart. Read from files: the sessions table keeps retracted
   * rows as tombstones.
   */
  static final JobReport<Options> REPORT =
      JobReport.of(SESSIONS, VisitorSessions::reportRow)
          .andResults(RETRACTIONS, VisitorSessions::reportRow)
          .bucketedBy(java.time.Duration.ofMinutes(10))
          .measure("events", "events", 1)
          .chart(
              JobReport.Chart.measures(
                  "Sessions per 10 minutes of their start",
                  "Each session's latest version; sessions a late event merged away are not"
                      + " counted.",
                  "sessions",
                  1,
                  List.of(
                      new JobReport.Measure("sessions", "sessions", 1),
                      new JobReport.Measure("signed_in", "signed in", 1),
                      new JobReport.Measure("converted", "converted (an order)", 1))))
          .chart(
              JobReport.Chart.measures(
                  "Page views and orders per 10 minutes of their session's start",
                  "Summed over the sessions.",
                  "events",
                  1,
                  List.of(
                      new JobReport.Measure("page_views", "page views", 1),
                      new JobReport.Measure("orders", "orders", 1))))
          .tooLate(TOO_LATE, "event", VisitorSessions::reportTooLate);

  public static void main(String[] args) {
    JobRunner.main(new VisitorSessions(), args);
  }

  @Override
  public String name() {
    return "visitor-sessions";
  }

  @Override
  public String description() {
    return "Visitor sessions from page views and orders; late merges retract what they replace.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<JobPart<Options>> parts() {
    return List.of(EVENTS, SESSIONS, RETRACTIONS, SESSIONS_TABLE, RETRACTED_ROWS, TOO_LATE);
  }

  @Override
  public void checkOptions(Options options) {
    gap(options);
    OptionValues.duration("allowedLateness", options.getAllowedLateness());
    refuseLateFirings(options);
  }

  /**
   * The shared late-firing options do not apply here (a session is re-emitted on every late change,
   * and there is no window pane to close), so a value other than the default is refused rather than
   * quietly ignored.
   */
  private static void refuseLateFirings(Options options) {
    String why =
        ", but it does not apply to visitor-sessions: a session is emitted again on every late"
            + " event that changes it (docs/pipelines/visitor-sessions.md); leave it out";
    if (options.getLateFiringCount() != 1) {
      throw new InvalidOptionException(
          "lateFiringCount", "was " + options.getLateFiringCount() + why);
    }
    String delay = options.getLateFiringDelay();
    if (delay != null && !delay.trim().equalsIgnoreCase("none")) {
      throw new InvalidOptionException("lateFiringDelay", "was " + delay + why);
    }
    if (options.getClosingBehavior() != ClosingBehavior.FIRE_ALWAYS) {
      throw new InvalidOptionException(
          "closingBehavior", "was " + options.getClosingBehavior() + why);
    }
  }

  private static Duration gap(Options options) {
    Duration gap = OptionValues.duration("sessionGap", options.getSessionGap());
    if (gap.getMillis() <= 0) {
      throw new InvalidOptionException(
          "sessionGap", "must be positive, was " + options.getSessionGap());
    }
    return gap;
  }

  @Override
  public void build(JobContext<Options> job) {
    PCollectionTuple out =
        job.read(EVENTS)
            .apply(
                "ComputeVisitorSessions",
                ComputeVisitorSessions.with(
                    gap(job.options()),
                    OptionValues.duration("allowedLateness", job.options().getAllowedLateness())));
    PCollection<VisitorSession> sessions = out.get(ComputeVisitorSessions.SESSIONS);
    job.write(sessions, SESSIONS);
    job.upsert(sessions, SESSIONS_TABLE);
    job.write(out.get(ComputeVisitorSessions.RETRACTIONS), RETRACTIONS);
    job.delete(out.get(ComputeVisitorSessions.RETRACTED_ROWS), RETRACTED_ROWS);
    job.write(out.get(ComputeVisitorSessions.TOO_LATE), TOO_LATE);
    job.deadLetters(out.get(ComputeVisitorSessions.DEAD_LETTERS));
  }

  @Override
  public Optional<JobReport<Options>> report() {
    return Optional.of(REPORT);
  }

  @Override
  public List<List<String>> examples() {
    return List.of(
        List.of(
            "run",
            name(),
            "@runners-config/flink-embedded.args",
            "--source=REPLAY",
            "--input=test-data/visitor-sessions/events.jsonl",
            "--output=console"),
        List.of(
            "backfill",
            name(),
            "@runners-config/flink-embedded.args",
            "--bootstrapServers=localhost:9092",
            "--inputTopics=page-views,orders",
            "--from=2026-03-01T00:00:00Z",
            "--to=2026-03-02T00:00:00Z",
            "--output=out/sessions",
            "--jdbcUrl=jdbc:postgresql://localhost:55432/kappa",
            "--sessionsTable=visitor_sessions"));
  }

  /** A session at its start; a later version (more pages or orders) replaces it. */
  static Reconciliation.Row reportRow(VisitorSession session) {
    return new Reconciliation.Row(
        session.getSessionStart(),
        session.getSessionStart(),
        List.of(session.getVisitorId()),
        (long) session.getPageCount() + session.getOrders(),
        Map.of(
            "sessions",
            1L,
            "signed_in",
            session.getSignedIn() ? 1L : 0L,
            "converted",
            session.getConverted() ? 1L : 0L,
            "page_views",
            (long) session.getPageCount(),
            "orders",
            (long) session.getOrders()));
  }

  /** A retraction: a row with no measures that replaces every version of its session. */
  static Reconciliation.Row reportRow(SessionRetraction retraction) {
    return new Reconciliation.Row(
        retraction.getSessionStart(),
        retraction.getSessionStart(),
        List.of(retraction.getVisitorId()),
        Long.MAX_VALUE,
        Map.of());
  }

  static Reconciliation.TooLate reportTooLate(TooLateVisitorEvent late) {
    return new Reconciliation.TooLate(
        late.getMissedSession().getWindowStart(),
        late.getMissedSession().getWindowEnd(),
        List.of(late.getEvent().getPageView() != null ? "page view" : "order"),
        Map.of("events", 1L),
        SessionFormat.human(late));
  }

  /** A session's Kafka key: its visitor and start, so compaction keeps its last version. */
  static byte[] sessionKey(VisitorSession session) {
    return Outputs.utf8(session.getVisitorId() + "|" + session.getSessionStart());
  }

  /** A retraction's Kafka key: the retracted session's, so compaction can drop it. */
  static byte[] retractionKey(SessionRetraction retraction) {
    return Outputs.utf8(retraction.getVisitorId() + "|" + retraction.getSessionStart());
  }
}
