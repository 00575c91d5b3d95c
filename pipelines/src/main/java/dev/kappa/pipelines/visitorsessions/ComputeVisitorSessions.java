package dev.kappa.pipelines.visitorsessions;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kappa.schemas.coders.SpecificRecordCoder;
import dev.kappa.schemas.common.DeadLetter;
import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.schemas.events.PageView;
import dev.kappa.schemas.results.SessionActivity;
import dev.kappa.schemas.results.SessionKey;
import dev.kappa.schemas.results.SessionRetraction;
import dev.kappa.schemas.results.TooLateVisitorEvent;
import dev.kappa.schemas.results.VisitorEvent;
import dev.kappa.schemas.results.VisitorSession;
import dev.kappa.transforms.errors.DecodeRecords;
import dev.kappa.transforms.sessions.RetractingSessions;
import dev.kappa.transforms.windowing.AssignEventTime;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Page views and orders to visitor sessions: decodes them (dead letters for what is neither), keys
 * them by visitor, and sessionises them with {@link RetractingSessions}; then describes each
 * session, retraction and too-late event as its result record.
 *
 * <p>Steps, whose names are Flink operator uids: {@code DecodeEvents}, {@code AssignEventTime} (the
 * decoded events stamped with their event time: sessions are cut by timestamps, and the files
 * source stamps none), {@code KeyByVisitor}, {@code TrackSessions} (with {@code IntoGlobalWindow}
 * and {@code TrackSessions} inside), {@code DescribeSessions}, {@code DescribeRetractions}, {@code
 * KeyRetractedRows}, {@code DescribeTooLate}.
 */
final class ComputeVisitorSessions extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final TupleTag<VisitorSession> SESSIONS = new TupleTag<>("sessions") {};
  static final TupleTag<SessionRetraction> RETRACTIONS = new TupleTag<>("retractions") {};
  static final TupleTag<SessionKey> RETRACTED_ROWS = new TupleTag<>("retractedRows") {};
  static final TupleTag<TooLateVisitorEvent> TOO_LATE = new TupleTag<>("tooLate") {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  /** The prefix of an anonymous visitor's id, before the client session id. */
  static final String ANONYMOUS = "anonymous:";

  private final Duration gap;
  private final Duration allowedLateness;

  private ComputeVisitorSessions(Duration gap, Duration allowedLateness) {
    this.gap = gap;
    this.allowedLateness = allowedLateness;
  }

  /** Sessions closed by {@code gap} of inactivity, open to late events for {@code lateness}. */
  static ComputeVisitorSessions with(Duration gap, Duration allowedLateness) {
    checkArgument(gap.getMillis() > 0, "session gap must be positive, was %s", gap);
    checkArgument(
        !allowedLateness.isShorterThan(Duration.ZERO),
        "allowed lateness must be >= 0, was %s",
        allowedLateness);
    return new ComputeVisitorSessions(gap, allowedLateness);
  }

  /** The visitor of an event: the customer, or the client session of an anonymous view. */
  static String visitorId(VisitorEvent event) {
    PageView view = event.getPageView();
    if (view != null) {
      return view.getCustomerId() != null ? view.getCustomerId() : ANONYMOUS + view.getSessionId();
    }
    return event.getOrder().getCustomerId();
  }

  /** The event time of a page view or order. */
  static Instant eventTime(VisitorEvent event) {
    java.time.Instant time =
        event.getPageView() != null
            ? event.getPageView().getEventTime()
            : event.getOrder().getEventTime();
    return new Instant(time.toEpochMilli());
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    DecodeRecords<VisitorEvent> decode =
        DecodeRecords.using(new VisitorEventDecoder(), SpecificRecordCoder.of(VisitorEvent.class))
            .withStepName("DecodeEvents");
    PCollectionTuple decoded = records.apply("DecodeEvents", decode);
    // The sessions are cut by the elements' timestamps. The files source stamps none (every record
    // has the minimum timestamp), so without this step each visitor's events were one session.
    PCollection<KV<String, VisitorEvent>> byVisitor =
        decoded
            .get(decode.decodedTag())
            .apply("AssignEventTime", AssignEventTime.by(ComputeVisitorSessions::eventTime))
            .apply(
                "KeyByVisitor",
                MapElements.into(new TypeDescriptor<KV<String, VisitorEvent>>() {})
                    .via((VisitorEvent event) -> KV.of(visitorId(event), event)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SpecificRecordCoder.of(VisitorEvent.class)));
    RetractingSessions<String, VisitorEvent, SessionActivity, SessionActivity> sessions =
        RetractingSessions.<String, VisitorEvent, SessionActivity, SessionActivity>of(
                gap, new SessionActivityCombineFn())
            .withAllowedLateness(allowedLateness);
    PCollectionTuple tracked = byVisitor.apply("TrackSessions", sessions);

    PCollection<VisitorSession> results =
        tracked
            .get(sessions.sessionsTag())
            .apply(
                "DescribeSessions",
                MapElements.into(TypeDescriptor.of(VisitorSession.class))
                    .via(
                        (KV<String, KV<IntervalWindow, SessionActivity>> session) ->
                            describe(
                                session.getKey(),
                                session.getValue().getKey(),
                                session.getValue().getValue())))
            .setCoder(SpecificRecordCoder.of(VisitorSession.class));
    Duration gap = this.gap;
    PCollection<SessionRetraction> retractions =
        tracked
            .get(sessions.retractionsTag())
            .apply(
                "DescribeRetractions",
                MapElements.into(TypeDescriptor.of(SessionRetraction.class))
                    .via(
                        (KV<String, KV<IntervalWindow, IntervalWindow>> retraction) ->
                            retraction(
                                gap,
                                retraction.getKey(),
                                retraction.getValue().getKey(),
                                retraction.getValue().getValue())))
            .setCoder(SpecificRecordCoder.of(SessionRetraction.class));
    PCollection<SessionKey> retractedRows =
        retractions
            .apply(
                "KeyRetractedRows",
                MapElements.into(TypeDescriptor.of(SessionKey.class))
                    .via(
                        (SessionRetraction retraction) ->
                            SessionKey.newBuilder()
                                .setVisitorId(retraction.getVisitorId())
                                .setSessionStart(retraction.getSessionStart())
                                .build()))
            .setCoder(SpecificRecordCoder.of(SessionKey.class));
    PCollection<TooLateVisitorEvent> tooLate =
        tracked
            .get(sessions.tooLateTag())
            .apply(
                "DescribeTooLate",
                MapElements.into(TypeDescriptor.of(TooLateVisitorEvent.class))
                    .via(
                        (KV<KV<String, VisitorEvent>, MissedWindow> late) ->
                            TooLateVisitorEvent.newBuilder()
                                .setVisitorId(late.getKey().getKey())
                                .setEvent(late.getKey().getValue())
                                .setMissedSession(late.getValue())
                                .build()))
            .setCoder(SpecificRecordCoder.of(TooLateVisitorEvent.class));
    return PCollectionTuple.of(SESSIONS, results)
        .and(RETRACTIONS, retractions)
        .and(RETRACTED_ROWS, retractedRows)
        .and(TOO_LATE, tooLate)
        .and(DEAD_LETTERS, decoded.get(decode.deadLetterTag()));
  }

  /** A session's result from its window {@code [first event, last event + gap)} and summary. */
  static VisitorSession describe(String visitor, IntervalWindow window, SessionActivity activity) {
    java.time.Instant start = activity.getFirstTime();
    java.time.Instant end = activity.getLastTime();
    return VisitorSession.newBuilder()
        .setVisitorId(visitor)
        .setSignedIn(!visitor.startsWith(ANONYMOUS))
        .setSessionStart(start)
        .setSessionEnd(end)
        .setDurationMillis(end.toEpochMilli() - start.toEpochMilli())
        .setPageCount(activity.getPageCount())
        .setDistinctProducts(activity.getProducts().size())
        .setLandingPage(activity.getLandingPage())
        .setExitPage(activity.getExitPage())
        .setReferrer(activity.getReferrer())
        .setOrders(activity.getOrders())
        .setRevenueMinorUnits(activity.getRevenueMinorUnits())
        .setCurrencies(String.join(",", activity.getCurrencies()))
        .setConverted(activity.getOrders() > 0)
        .build();
  }

  private static SessionRetraction retraction(
      Duration gap, String visitor, IntervalWindow retracted, IntervalWindow replacedBy) {
    return SessionRetraction.newBuilder()
        .setVisitorId(visitor)
        .setSessionStart(java.time.Instant.ofEpochMilli(retracted.start().getMillis()))
        .setSessionEnd(java.time.Instant.ofEpochMilli(retracted.end().minus(gap).getMillis()))
        .setReplacedByStart(java.time.Instant.ofEpochMilli(replacedBy.start().getMillis()))
        .setReplacedByEnd(java.time.Instant.ofEpochMilli(replacedBy.end().minus(gap).getMillis()))
        .build();
  }
}
