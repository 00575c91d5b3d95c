package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.kappa.transforms.lateness.DivertTooLateEvents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Freezes the full names of every step inside the three enrichments (under each missing-key policy,
 * bounded and unbounded) and inside {@link DivertTooLateEvents} (for a merging and a non-merging
 * WindowFn), as listed in {@code enrichment-step-names.txt}.
 *
 * <p>The Flink runner derives each operator's uid from its step's full name, and a single-output
 * ParDo's primitive is named after its DoFn's class: a renamed step or DoFn leaves state in a
 * savepoint that the new job cannot map, and the restore fails. The list was taken before issue 10
 * moved and split these transforms; OrderRevenue's own list covers only its default (temporal)
 * join.
 */
class EnrichmentStepNamesTest {
  private static final KvCoder<String, String> KV_CODER =
      KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());

  @Test
  void everyStepKeepsItsFullName() throws IOException {
    List<String> current = new ArrayList<>();
    for (boolean bounded : new boolean[] {true, false}) {
      for (MissingKeyPolicy policy :
          List.of(
              MissingKeyPolicy.deadLetter(),
              MissingKeyPolicy.passThrough(),
              MissingKeyPolicy.waitUpTo(Duration.standardMinutes(1)))) {
        for (String kind : List.of("lookup", "snapshot", "asof")) {
          if (kind.equals("snapshot") && policy.waits()) {
            continue;
          }
          Pipeline p = Pipeline.create();
          events(p, bounded, "Events").apply("Enrich", enrichment(kind, policy, p, bounded));
          names(p, kind + " " + policy.action() + " bounded=" + bounded, current);
        }
      }
      Pipeline p = Pipeline.create();
      PCollection<KV<String, String>> events = events(p, bounded, "Events");
      events.apply(
          "Divert",
          DivertTooLateEvents.<KV<String, String>>into(
              FixedWindows.of(Duration.standardMinutes(1))));
      events.apply(
          "DivertSessions",
          DivertTooLateEvents.<KV<String, String>>into(
              Sessions.withGapDuration(Duration.standardMinutes(1))));
      names(p, "divert bounded=" + bounded, current);
    }

    assertThat(
        "a step inside an enrichment was renamed, moved or removed: Flink derives operator uids"
            + " from full names, so this breaks savepoint restore",
        String.join("\n", current),
        equalTo(String.join("\n", frozen())));
  }

  private static PTransform<PCollection<KV<String, String>>, PCollectionTuple> enrichment(
      String kind, MissingKeyPolicy policy, Pipeline p, boolean bounded) {
    EnrichmentTesting.FakeTable table = new EnrichmentTesting.FakeTable();
    switch (kind) {
      case "lookup":
        return EnrichByLookup.<String, String, String>of(table.lookup(), StringUtf8Coder.of())
            .withMissingKeys(policy);
      case "snapshot":
        return EnrichFromSnapshot.<String, String, String>of(table.snapshot(), StringUtf8Coder.of())
            .withMissingKeys(policy);
      default:
        PCollection<KV<String, String>> changes =
            events(p, bounded, "Changes")
                .setCoder(KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(StringUtf8Coder.of())));
        return EnrichAsOfEventTime.<String, String, String>against(changes).withMissingKeys(policy);
    }
  }

  private static PCollection<KV<String, String>> events(Pipeline p, boolean bounded, String name) {
    PCollection<KV<String, String>> in =
        bounded
            ? p.apply(name, Create.of(KV.of("a", "b")).withCoder(KV_CODER))
            : p.apply(
                name,
                TestStream.create(KV_CODER)
                    .addElements(KV.of("a", "b"))
                    .advanceWatermarkToInfinity());
    return in.apply(name + "Window", Window.into(FixedWindows.of(Duration.standardMinutes(5))));
  }

  /** The full names under the steps being frozen, leaving out the test's own sources. */
  private static void names(Pipeline p, String title, List<String> out) {
    out.add("### " + title);
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            add("C ", node);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            add("P ", node);
          }

          private void add(String kind, TransformHierarchy.Node node) {
            String name = node.getFullName();
            if (!name.isEmpty() && !name.startsWith("Events") && !name.startsWith("Changes")) {
              out.add(kind + name);
            }
          }
        });
  }

  private static List<String> frozen() throws IOException {
    try (InputStream in =
        EnrichmentStepNamesTest.class.getResourceAsStream("/enrichment-step-names.txt")) {
      Objects.requireNonNull(in, "enrichment-step-names.txt is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank() && !line.startsWith("# "))
          .toList();
    }
  }
}
