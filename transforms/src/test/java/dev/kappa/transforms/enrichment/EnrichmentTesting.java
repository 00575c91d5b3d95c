package dev.kappa.transforms.enrichment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Test support for the enrichment tests: a script of events, changes and table updates read from
 * one TestStream, and an in-memory table that stands in for the database.
 *
 * <p>One TestStream drives everything, so its steps are ordered: the Direct runner feeds the next
 * step only when the pipeline has gone quiet, so a table update in one step is visible to the
 * lookups of the events in the next. Events are {@code product id -> order id} with {@code String}
 * rows (a category), which keeps the expected results readable.
 */
final class EnrichmentTesting {
  private EnrichmentTesting() {}

  static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");

  static Instant at(int minutes) {
    return BASE.plus(Duration.standardMinutes(minutes));
  }

  static final KvCoder<String, String> EVENT_CODER =
      KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
  static final KvCoder<String, String> CHANGE_CODER =
      KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(StringUtf8Coder.of()));

  // ------------------------------------------------------------------------------ the script

  /** An order {@code orderId} of product {@code key} at event time {@code time}. */
  static TimestampedValue<String> event(String key, String orderId, Instant time) {
    return TimestampedValue.of("event " + key + " " + orderId, time);
  }

  /** In the changelog: {@code key} has the row {@code row} from {@code validFrom} on. */
  static TimestampedValue<String> change(String key, String row, Instant validFrom) {
    return TimestampedValue.of("change " + key + " " + row, validFrom);
  }

  /** In the changelog: {@code key} is deleted from {@code validFrom} on. */
  static TimestampedValue<String> deletion(String key, Instant validFrom) {
    return TimestampedValue.of("delete " + key, validFrom);
  }

  /** Someone writes {@code row} for {@code key} into the table (the database) now. */
  static TimestampedValue<String> setRow(String key, String row) {
    return TimestampedValue.of("set " + key + " " + row, BASE);
  }

  /** Someone deletes {@code key} from the table now. */
  static TimestampedValue<String> deleteRow(String key) {
    return TimestampedValue.of("unset " + key, BASE);
  }

  /** The table's next {@code calls} reads fail. */
  static TimestampedValue<String> failReads(int calls) {
    return TimestampedValue.of("fail " + calls, BASE);
  }

  /** The wall clock the lookup cache reads moves on by {@code duration}. */
  static TimestampedValue<String> clockAdvances(Duration duration) {
    return TimestampedValue.of("clock " + duration.getMillis(), BASE);
  }

  /** A signal to re-read a snapshot. */
  static TimestampedValue<String> refresh() {
    return TimestampedValue.of("refresh", BASE);
  }

  static TestStream.Builder<String> script() {
    return TestStream.create(StringUtf8Coder.of());
  }

  /** What a script splits into. */
  static final class Split {
    final PCollection<KV<String, String>> events;
    final PCollection<KV<String, String>> changes;
    final PCollection<String> refreshes;

    Split(PCollectionTuple tuple) {
      this.events = tuple.get(EVENTS).setCoder(EVENT_CODER);
      this.changes = tuple.get(CHANGES).setCoder(CHANGE_CODER);
      this.refreshes = tuple.get(REFRESHES).setCoder(StringUtf8Coder.of());
    }
  }

  private static final TupleTag<KV<String, String>> EVENTS = new TupleTag<>("events") {};
  private static final TupleTag<KV<String, String>> CHANGES = new TupleTag<>("changes") {};
  private static final TupleTag<String> REFRESHES = new TupleTag<>("refreshes") {};

  /** Runs {@code lines}, applying table updates to {@code table} (may be null). */
  static Split split(
      PBegin begin, PTransform<PBegin, PCollection<String>> lines, @Nullable FakeTable table) {
    return new Split(
        begin
            .apply("Script", lines)
            .apply(
                "RunScript",
                ParDo.of(new RunScriptFn(table == null ? null : table.id))
                    .withOutputTags(EVENTS, TupleTagList.of(CHANGES).and(REFRESHES))));
  }

  static final class RunScriptFn extends DoFn<String, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final @Nullable String tableId;

    RunScriptFn(@Nullable String tableId) {
      this.tableId = tableId;
    }

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      String[] words = line.split(" ");
      switch (words[0]) {
        case "event":
          out.get(EVENTS).output(KV.of(words[1], words[2]));
          break;
        case "change":
          out.get(CHANGES).output(KV.of(words[1], words[2]));
          break;
        case "delete":
          out.get(CHANGES).output(KV.of(words[1], null));
          break;
        case "refresh":
          out.get(REFRESHES).output(line);
          break;
        default:
          FakeTable.state(tableId).apply(words);
      }
    }
  }

  // ------------------------------------------------------------------------------ the table

  /**
   * An in-memory table standing in for the database behind {@link TableLookup} and {@link
   * TableSnapshot}: a static registry keyed by a random id, so that the serialized copies the
   * runner makes all reach the same rows. It records every read.
   */
  static final class FakeTable implements AutoCloseable {
    private static final Map<String, State> TABLES = new ConcurrentHashMap<>();

    final String id = UUID.randomUUID().toString();

    private static final class State {
      final Map<String, String> rows = new ConcurrentHashMap<>();
      final List<Set<String>> lookups = Collections.synchronizedList(new ArrayList<>());
      final AtomicInteger snapshotReads = new AtomicInteger();
      final AtomicInteger failuresLeft = new AtomicInteger();
      final AtomicLong clockMillis = new AtomicLong(BASE.getMillis());

      void apply(String[] command) {
        switch (command[0]) {
          case "set":
            rows.put(command[1], command[2]);
            break;
          case "unset":
            rows.remove(command[1]);
            break;
          case "fail":
            failuresLeft.set(Integer.parseInt(command[1]));
            break;
          case "clock":
            clockMillis.addAndGet(Long.parseLong(command[1]));
            break;
          default:
            throw new IllegalArgumentException("unknown script line " + String.join(" ", command));
        }
      }

      void maybeFail() {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IllegalStateException("connection refused");
        }
      }
    }

    FakeTable() {
      TABLES.put(id, new State());
    }

    private static State state(@Nullable String id) {
      State state = id == null ? null : TABLES.get(id);
      if (state == null) {
        throw new IllegalStateException("no table " + id);
      }
      return state;
    }

    FakeTable with(String key, String row) {
      state(id).rows.put(key, row);
      return this;
    }

    /** The key sets of every {@code lookupAll}, in call order. */
    List<Set<String>> lookups() {
      synchronized (state(id).lookups) {
        return new ArrayList<>(state(id).lookups);
      }
    }

    int snapshotReads() {
      return state(id).snapshotReads.get();
    }

    TableLookup<String, String> lookup() {
      return new Lookup(id);
    }

    TableSnapshot<String, String> snapshot() {
      return new Snapshot(id);
    }

    WallClock clock() {
      String tableId = id;
      return () -> state(tableId).clockMillis.get();
    }

    @Override
    public void close() {
      TABLES.remove(id);
    }
  }

  static final class Lookup implements TableLookup<String, String> {
    private static final long serialVersionUID = 1L;
    private final String id;

    Lookup(String id) {
      this.id = id;
    }

    @Override
    public Map<String, String> lookupAll(Set<String> keys) {
      FakeTable.State state = FakeTable.state(id);
      state.lookups.add(new TreeSet<>(keys));
      state.maybeFail();
      Map<String, String> found = new HashMap<>();
      for (String key : keys) {
        String row = state.rows.get(key);
        if (row != null) {
          found.put(key, row);
        }
      }
      return found;
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "FakeTable.Lookup(" + id + ")";
    }
  }

  static final class Snapshot implements TableSnapshot<String, String> {
    private static final long serialVersionUID = 1L;
    private final String id;

    Snapshot(String id) {
      this.id = id;
    }

    @Override
    public Map<String, String> readAll() {
      FakeTable.State state = FakeTable.state(id);
      state.snapshotReads.incrementAndGet();
      state.maybeFail();
      return new HashMap<>(state.rows);
    }
  }

  // ------------------------------------------------------------------------------ results

  /**
   * An enrichment transform's outputs for one script: the enriched events, the ones not found and,
   * for {@link EnrichAsOfEventTime}, the late changes and the corrections, each described as {@code
   * "order emitted->corrected @ event time (change valid-from)"} (null for the others).
   */
  static final class Outputs {
    final PCollection<KV<String, String>> enriched;
    final PCollection<KV<String, String>> notFound;
    final @Nullable PCollection<KV<String, String>> lateChanges;
    final @Nullable PCollection<String> corrections;

    Outputs(
        PCollectionTuple out,
        TupleTag<KV<String, String>> enrichedTag,
        TupleTag<KV<String, String>> notFoundTag) {
      this.enriched = out.get(enrichedTag);
      this.notFound = out.get(notFoundTag);
      this.lateChanges = null;
      this.corrections = null;
    }

    Outputs(
        PCollectionTuple out,
        TupleTag<KV<String, String>> enrichedTag,
        TupleTag<KV<String, String>> notFoundTag,
        TupleTag<KV<String, String>> lateChangesTag,
        TupleTag<Correction<String, String, String>> correctionsTag) {
      this.enriched = out.get(enrichedTag);
      this.notFound = out.get(notFoundTag);
      this.lateChanges = out.get(lateChangesTag);
      this.corrections =
          out.get(correctionsTag)
              .apply(
                  "DescribeCorrections",
                  MapElements.into(TypeDescriptors.strings())
                      .via(
                          (Correction<String, String, String> c) ->
                              c.event()
                                  + " "
                                  + c.emitted()
                                  + "->"
                                  + c.corrected()
                                  + " @ "
                                  + c.eventTime().toString().substring(11, 16)
                                  + " ("
                                  + c.changeValidFrom().toString().substring(11, 16)
                                  + ")"));
    }

    /**
     * Asserts that exactly {@code expected} come out enriched, and nothing from the other outputs.
     */
    @SafeVarargs
    final void assertEnrichedOnly(KV<String, String>... expected) {
      PAssert.that(enriched).containsInAnyOrder(expected);
      PAssert.that(notFound).empty();
      if (lateChanges != null) {
        PAssert.that(lateChanges).empty();
      }
      if (corrections != null) {
        PAssert.that(corrections).empty();
      }
    }
  }

  /** The sum of counter {@code name} of {@code namespace} over every step. */
  static long counter(PipelineResult result, Class<?> namespace, String name) {
    return counter(result, namespace, name, null);
  }

  /** The sum of counter {@code name} of {@code namespace} in {@code step} (null: every step). */
  static long counter(
      PipelineResult result, Class<?> namespace, String name, @Nullable String step) {
    MetricsFilter.Builder filter =
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name));
    if (step != null) {
      filter.addStep(step);
    }
    long total = 0;
    for (MetricResult<Long> counter : result.metrics().queryMetrics(filter.build()).getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  /** Renders an output element with its timestamp and window, for exact assertions. */
  static final class Describe<T> extends DoFn<T, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element T element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        OutputReceiver<String> out) {
      out.output(element + " @ " + timestamp + " in " + window);
    }
  }
}
