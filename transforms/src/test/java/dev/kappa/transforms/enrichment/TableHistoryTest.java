package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TableHistory}: a history loaded at launch answers every look-up as the history a pipeline
 * collects into a side input does, ties between versions of one millisecond, deletes and
 * recreations included, under each missing-key policy.
 */
@ExtendWith(TestPipelineExtension.class)
class TableHistoryTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  private static TimestampedValue<KV<String, String>> change(String key, String row, long millis) {
    return TimestampedValue.of(KV.of(key, row), T.plus(millis));
  }

  /** Changes in an order that is not their time order; two of one key at one millisecond. */
  private static List<TimestampedValue<KV<String, String>>> changes() {
    List<TimestampedValue<KV<String, String>>> changes = new ArrayList<>();
    changes.add(change("a", "a2", 2_000));
    changes.add(change("a", "a1", 0));
    changes.add(change("b", "b-tie-x", 1_000));
    changes.add(change("b", "b-tie-y", 1_000));
    changes.add(change("c", "c1", 500));
    changes.add(change("c", null, 1_500));
    changes.add(change("c", "c2", 3_000));
    changes.add(change("d", "d1", 4_000));
    return changes;
  }

  @Test
  void aLoadedHistoryAnswersAsTheCollectedOne(TestPipeline p) {
    List<MissingKeyPolicy> policies =
        List.of(
            MissingKeyPolicy.passThrough(),
            MissingKeyPolicy.deadLetter(),
            MissingKeyPolicy.waitUpTo(org.joda.time.Duration.standardSeconds(2)));
    List<KV<String, Long>> lookups = new ArrayList<>();
    for (String key : List.of("a", "b", "c", "d", "e")) {
      for (long millis = -500; millis <= 4_500; millis += 250) {
        lookups.add(KV.of(key, millis));
      }
    }
    KvCoder<String, String> changeCoder =
        KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(StringUtf8Coder.of()));
    PCollection<KV<String, String>> changelog =
        p.apply("Changes", Create.timestamped(changes()).withCoder(changeCoder));
    PCollection<KV<String, Long>> queries = p.apply("Lookups", Create.of(lookups));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      MissingKeyPolicy policy = policies.get(i);
      TableHistory<String, String> collected =
          TableHistory.of(changelog.apply("Collect" + i, TableHistory.collect()), policy);
      TableHistory<String, String> loaded =
          TableHistory.loaded(changes(), StringUtf8Coder.of(), StringUtf8Coder.of(), policy);
      PAssert.that(
              queries.apply(
                  "LookUp" + i,
                  ParDo.of(new CompareFn(collected, loaded)).withSideInputs(collected.view())))
          .satisfies(
              answers -> {
                int count = 0;
                for (String answer : answers) {
                  String[] both = answer.split(" \\| ");
                  assertThat(answer, both[1], equalTo(both[0]));
                  count++;
                }
                assertThat(count, equalTo(lookups.size()));
                return null;
              });
    }
    p.run();

    TableHistory<String, String> loaded =
        TableHistory.loaded(
            changes(), StringUtf8Coder.of(), StringUtf8Coder.of(), MissingKeyPolicy.passThrough());
    assertThat(loaded.view() == null, equalTo(true));
  }

  /** Looks each key up at each time in both histories: "collected answer | loaded answer". */
  static final class CompareFn extends DoFn<KV<String, Long>, String> {
    private static final long serialVersionUID = 1L;
    private final TableHistory<String, String> collected;
    private final TableHistory<String, String> loaded;

    CompareFn(TableHistory<String, String> collected, TableHistory<String, String> loaded) {
      this.collected = collected;
      this.loaded = loaded;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      KV<String, Long> query = context.element();
      Instant time = T.plus(query.getValue());
      context.output(
          answer(collected.lookUp(collected.valueIn(context), query.getKey(), time), query)
              + " | "
              + answer(loaded.lookUp(loaded.valueIn(context), query.getKey(), time), query));
    }

    private static String answer(TableHistory.Match<String> match, KV<String, Long> query) {
      return query.getKey()
          + "@"
          + query.getValue()
          + " found="
          + match.found()
          + " row="
          + match.row();
    }
  }
}
