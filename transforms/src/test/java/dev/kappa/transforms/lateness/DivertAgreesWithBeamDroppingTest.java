package dev.kappa.transforms.lateness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.kappa.schemas.common.MissedWindow;
import dev.kappa.transforms.windowing.WindowEvents;
import dev.kappa.transforms.windowing.WindowSpec;
import dev.kappa.transforms.windowing.Windowing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The acceptance criterion of late-data diversion: what Beam would drop is exactly what is
 * diverted.
 *
 * <p>One pipeline reads a seeded pseudo-random stream of events with unique values, many of them
 * late and a good share later than the allowed lateness, and feeds three branches:
 *
 * <ol>
 *   <li><b>beam</b>: plain Beam windowing with the same trigger, lateness and accumulation, then a
 *       GroupByKey; Beam silently drops the too-late events;
 *   <li><b>divert</b>: {@link WindowEvents} with the same settings, then a GroupByKey, and its
 *       too-late output; or {@link DivertTooLateEvents} sharded by the GroupByKey's key and the
 *       same trigger;
 *   <li><b>all</b>: every (event, window) pair, before any dropping.
 * </ol>
 *
 * Each branch is reduced to the (event, window) pairs it saw; for sessions, whose merged windows
 * depend on what was accepted, to event values. The check runs inside the pipeline on all branches
 * together: divert accepted what beam accepted, and diverted exactly all minus what beam accepted,
 * each pair once.
 */
@ExtendWith(TestPipelineExtension.class)
class DivertAgreesWithBeamDroppingTest {
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration ALLOWED_LATENESS = Duration.standardMinutes(4);
  private static final int EVENT_COUNT = 300;
  private static final long SEED = 20260101L;

  @Test
  void fixedWindows(TestPipeline p) {
    checkAgreement(p, WindowSpec.fixed(Duration.standardMinutes(5)), Expect.ONE_WINDOW_PER_EVENT);
  }

  @Test
  void slidingWindows(TestPipeline p) {
    checkAgreement(
        p,
        WindowSpec.sliding(Duration.standardMinutes(6), Duration.standardMinutes(3)),
        Expect.SOME_EVENTS_LIVE_IN_ONE_WINDOW_AND_TOO_LATE_FOR_ANOTHER);
  }

  @Test
  void sessions(TestPipeline p) {
    checkAgreement(p, WindowSpec.sessions(Duration.standardMinutes(2)), Expect.COMPARE_EVENTS_ONLY);
  }

  @Test
  void fixedWindowsShardedByTheGroupByKeysKey(TestPipeline p) {
    checkAgreement(
        p,
        WindowSpec.fixed(Duration.standardMinutes(5)),
        Expect.ONE_WINDOW_PER_EVENT,
        Sharding.BY_KEY);
  }

  @Test
  void slidingWindowsShardedByTheGroupByKeysKey(TestPipeline p) {
    checkAgreement(
        p,
        WindowSpec.sliding(Duration.standardMinutes(6), Duration.standardMinutes(3)),
        Expect.SOME_EVENTS_LIVE_IN_ONE_WINDOW_AND_TOO_LATE_FOR_ANOTHER,
        Sharding.BY_KEY);
  }

  @Test
  void sessionsShardedByTheGroupByKeysKey(TestPipeline p) {
    checkAgreement(
        p,
        WindowSpec.sessions(Duration.standardMinutes(2)),
        Expect.COMPARE_EVENTS_ONLY,
        Sharding.BY_KEY);
  }

  /** What the stream must also show for a window kind, beyond the agreement itself. */
  private enum Expect {
    ONE_WINDOW_PER_EVENT,
    SOME_EVENTS_LIVE_IN_ONE_WINDOW_AND_TOO_LATE_FOR_ANOTHER,
    COMPARE_EVENTS_ONLY
  }

  /** How the divert branch spreads events over the diverter's shards. */
  private enum Sharding {
    /** {@link WindowEvents}' default: round robin over sixteen shards. */
    ROUND_ROBIN,
    /** By the GroupByKey's key, over two shards (three keys: one shard holds two). */
    BY_KEY
  }

  private static void checkAgreement(TestPipeline p, WindowSpec spec, Expect expect) {
    checkAgreement(p, spec, expect, Sharding.ROUND_ROBIN);
  }

  private static void checkAgreement(
      TestPipeline p, WindowSpec spec, Expect expect, Sharding sharding) {
    boolean eventsOnly = expect == Expect.COMPARE_EVENTS_ONLY;
    Windowing windowing =
        Windowing.of(spec)
            .withEarlyFiringsEvery(Duration.standardMinutes(1))
            .withLateFiringsEvery(1)
            .withAllowedLateness(ALLOWED_LATENESS)
            .withAccumulationMode(AccumulationMode.ACCUMULATING_FIRED_PANES);
    PCollection<KV<String, Long>> events = p.apply("Events", randomEvents(new Random(SEED)));

    PCollection<KV<String, String>> beam =
        events
            .apply(
                "BeamWindow",
                Window.<KV<String, Long>>into(spec.windowFn())
                    .triggering(windowing.trigger())
                    .withAllowedLateness(ALLOWED_LATENESS, windowing.closingBehavior())
                    .withOnTimeBehavior(windowing.onTimeBehavior())
                    .accumulatingFiredPanes())
            .apply("BeamGroup", GroupByKey.create())
            .apply("BeamPairs", ParDo.of(new PanePairsFn("beam", eventsOnly)));

    PCollection<KV<String, Long>> windowed;
    PCollection<KV<KV<String, Long>, MissedWindow>> diverted;
    if (sharding == Sharding.ROUND_ROBIN) {
      WindowEvents<KV<String, Long>> windowEvents = WindowEvents.using(windowing);
      PCollectionTuple split = events.apply("WindowEvents", windowEvents);
      windowed = split.get(windowEvents.windowedTag());
      diverted = split.get(windowEvents.tooLateTag());
    } else {
      DivertTooLateEvents<KV<String, Long>> divertByKey =
          DivertTooLateEvents.<KV<String, Long>>into(spec.windowFn())
              .withAllowedLateness(ALLOWED_LATENESS)
              .withShardKey(KV::getKey, StringUtf8Coder.of())
              .withShards(2);
      PCollectionTuple split = events.apply("DivertByKey", divertByKey);
      windowed =
          split
              .get(divertByKey.liveTag())
              .apply(
                  "SetTrigger",
                  Window.<KV<String, Long>>configure()
                      .triggering(windowing.trigger())
                      .withAllowedLateness(ALLOWED_LATENESS, windowing.closingBehavior())
                      .withOnTimeBehavior(windowing.onTimeBehavior())
                      .accumulatingFiredPanes());
      diverted = split.get(divertByKey.tooLateTag());
    }
    PCollection<KV<String, String>> divert =
        windowed
            .apply("DivertGroup", GroupByKey.create())
            .apply("DivertPairs", ParDo.of(new PanePairsFn("divert", eventsOnly)));
    PCollection<KV<String, String>> tooLate =
        diverted.apply("TooLatePairs", ParDo.of(new TooLatePairsFn(eventsOnly)));

    PCollection<KV<String, String>> all =
        events
            .apply(
                "AllWindows",
                Window.<KV<String, Long>>into(spec.windowFn())
                    .withAllowedLateness(Duration.standardDays(365))
                    .discardingFiredPanes())
            .apply("AllPairs", ParDo.of(new AllPairsFn(eventsOnly)));

    PCollection<KV<String, String>> tagged =
        PCollectionList.of(inGlobalWindow("Beam", beam))
            .and(inGlobalWindow("Divert", divert))
            .and(inGlobalWindow("TooLate", tooLate))
            .and(inGlobalWindow("All", all))
            .apply("Together", Flatten.pCollections());
    PAssert.that(tagged).satisfies(new AgreementCheck(expect));
    p.run();
  }

  /**
   * A stream of {@link #EVENT_COUNT} events with values 0, 1, 2, ... over three keys. The watermark
   * moves 30 to 90 seconds per step; each step adds up to eight events between 10 minutes before
   * and 2 minutes after the watermark, and sometimes lets processing time pass so early panes fire.
   */
  private static TestStream<KV<String, Long>> randomEvents(Random random) {
    TestStream.Builder<KV<String, Long>> stream =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .advanceWatermarkTo(BASE);
    Instant watermark = BASE;
    long value = 0;
    while (value < EVENT_COUNT) {
      List<TimestampedValue<KV<String, Long>>> batch = new ArrayList<>();
      int size = 1 + random.nextInt(8);
      for (int i = 0; i < size && value < EVENT_COUNT; i++) {
        long offsetMillis = random.nextInt(12 * 60_000) - 10 * 60_000;
        batch.add(
            TimestampedValue.of(
                KV.of("k" + random.nextInt(3), value++), watermark.plus(offsetMillis)));
      }
      stream = stream.addElements(batch.get(0), batch.subList(1, batch.size()).toArray(EMPTY));
      if (random.nextInt(3) == 0) {
        stream = stream.advanceProcessingTime(Duration.standardSeconds(30 + random.nextInt(60)));
      }
      watermark = watermark.plus(Duration.millis(30_000 + random.nextInt(60_000)));
      stream = stream.advanceWatermarkTo(watermark);
    }
    return stream.advanceWatermarkToInfinity();
  }

  @SuppressWarnings("unchecked")
  private static final TimestampedValue<KV<String, Long>>[] EMPTY = new TimestampedValue[0];

  /** Moves a branch into the global window, firing once at the end, so branches can flatten. */
  private static PCollection<KV<String, String>> inGlobalWindow(
      String name, PCollection<KV<String, String>> branch) {
    return branch.apply(
        name + "InGlobalWindow",
        Window.<KV<String, String>>into(new GlobalWindows())
            .triggering(DefaultTrigger.of())
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes());
  }

  private static String item(long value, BoundedWindow window, boolean eventsOnly) {
    return eventsOnly ? Long.toString(value) : value + "@" + window;
  }

  /** One item per (event, window) in each pane, tagged {@code branch/pane timing}. */
  private static final class PanePairsFn
      extends DoFn<KV<String, Iterable<Long>>, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String branch;
    private final boolean eventsOnly;

    PanePairsFn(String branch, boolean eventsOnly) {
      this.branch = branch;
      this.eventsOnly = eventsOnly;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<Long>> group,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<KV<String, String>> out) {
      for (long value : group.getValue()) {
        out.output(KV.of(branch + "/" + pane.getTiming(), item(value, window, eventsOnly)));
      }
    }
  }

  /** One item per diverted (event, missed window), tagged {@code tooLate}. */
  private static final class TooLatePairsFn
      extends DoFn<KV<KV<String, Long>, MissedWindow>, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final boolean eventsOnly;

    TooLatePairsFn(boolean eventsOnly) {
      this.eventsOnly = eventsOnly;
    }

    @ProcessElement
    public void process(
        @Element KV<KV<String, Long>, MissedWindow> diverted,
        OutputReceiver<KV<String, String>> out) {
      MissedWindow missed = diverted.getValue();
      IntervalWindow window =
          new IntervalWindow(
              new Instant(missed.getWindowStart().toEpochMilli()),
              new Instant(missed.getWindowEnd().toEpochMilli()));
      out.output(KV.of("tooLate", item(diverted.getKey().getValue(), window, eventsOnly)));
    }
  }

  /** One item per (event, window) as assigned, tagged {@code all}. */
  private static final class AllPairsFn extends DoFn<KV<String, Long>, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final boolean eventsOnly;

    AllPairsFn(boolean eventsOnly) {
      this.eventsOnly = eventsOnly;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Long> event,
        BoundedWindow window,
        OutputReceiver<KV<String, String>> out) {
      out.output(KV.of("all", item(event.getValue(), window, eventsOnly)));
    }
  }

  /** Compares the branches; runs in the pipeline over every tagged item at once. */
  private static final class AgreementCheck
      implements SerializableFunction<Iterable<KV<String, String>>, Void> {
    private static final long serialVersionUID = 1L;
    private final Expect expect;

    AgreementCheck(Expect expect) {
      this.expect = expect;
    }

    @Override
    public Void apply(Iterable<KV<String, String>> tagged) {
      Map<String, Set<String>> byTag = new HashMap<>();
      List<String> tooLateList = new ArrayList<>();
      for (KV<String, String> item : tagged) {
        byTag.computeIfAbsent(item.getKey(), tag -> new HashSet<>()).add(item.getValue());
        if (item.getKey().equals("tooLate")) {
          tooLateList.add(item.getValue());
        }
      }
      Set<String> beam = union(byTag, "beam/EARLY", "beam/ON_TIME", "beam/LATE");
      Set<String> divert = union(byTag, "divert/EARLY", "divert/ON_TIME", "divert/LATE");
      Set<String> tooLate = union(byTag, "tooLate");
      Set<String> all = union(byTag, "all");
      Set<String> dropped = minus(all, beam);

      assertThat("accepted by Beam, not by WindowEvents", minus(beam, divert), is(empty()));
      assertThat("accepted by WindowEvents, not by Beam", minus(divert, beam), is(empty()));
      assertThat("dropped by Beam, not diverted", minus(dropped, tooLate), is(empty()));
      assertThat("diverted, not dropped by Beam", minus(tooLate, dropped), is(empty()));
      assertThat("diverted more than once", tooLateList.size(), equalTo(tooLate.size()));
      assertThat("every event is in some window", all.size(), greaterThanOrEqualTo(EVENT_COUNT));

      // The stream must exercise every case, or the agreement says little.
      assertThat("diverted", tooLate, not(empty()));
      assertThat("early panes", union(byTag, "beam/EARLY"), not(empty()));
      assertThat(
          "accepted only in late panes",
          minus(union(byTag, "beam/LATE"), union(byTag, "beam/EARLY", "beam/ON_TIME")),
          not(empty()));
      if (expect == Expect.SOME_EVENTS_LIVE_IN_ONE_WINDOW_AND_TOO_LATE_FOR_ANOTHER) {
        Set<String> partlyDiverted = values(tooLate);
        partlyDiverted.retainAll(values(beam));
        assertThat("live in one window, too late for another", partlyDiverted, not(empty()));
      }
      return null;
    }

    private static Set<String> union(Map<String, Set<String>> byTag, String... tags) {
      Set<String> union = new HashSet<>();
      for (String tag : tags) {
        union.addAll(byTag.getOrDefault(tag, Set.of()));
      }
      return union;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
      Set<String> difference = new HashSet<>(a);
      difference.removeAll(b);
      return difference;
    }

    /** The event values of {@code value@window} items. */
    private static Set<String> values(Set<String> items) {
      Set<String> values = new HashSet<>();
      for (String item : items) {
        values.add(item.substring(0, item.indexOf('@')));
      }
      return values;
    }
  }
}
