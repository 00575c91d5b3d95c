package dev.kappa.pipelines.orderrevenue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.JobRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Runs the real OrderRevenue job with file outputs under a test directory. */
final class OrderRevenueRuns {
  private OrderRevenueRuns() {}

  /** Output prefixes of one run. */
  record Outputs(Path results, Path enriched, Path tooLate, Path deadLetters, Path corrections) {
    static Outputs under(Path dir) {
      return new Outputs(
          dir.resolve("out/results"),
          dir.resolve("out/enriched"),
          dir.resolve("out/too-late"),
          dir.resolve("out/dead-letters"),
          dir.resolve("out/corrections"));
    }
  }

  /**
   * Runs to completion with {@code args} plus the outputs, and the test-data change streams of
   * products and customers unless {@code args} name others; fails unless the job is DONE.
   */
  static Outputs run(Path dir, String... args) {
    Outputs outputs = Outputs.under(dir);
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (all.stream().noneMatch(arg -> arg.startsWith("--productChanges="))) {
      all.add("--productChanges=" + RevenueFiles.testData("enrichment/products.changelog.jsonl"));
    }
    if (all.stream().noneMatch(arg -> arg.startsWith("--customerChanges="))) {
      all.add("--customerChanges=" + RevenueFiles.testData("enrichment/customers.changelog.jsonl"));
    }
    all.add("--output=" + outputs.results());
    all.add("--enrichedOutput=" + outputs.enriched());
    all.add("--tooLateOutput=" + outputs.tooLate());
    all.add("--deadLetterOutput=" + outputs.deadLetters());
    all.add("--correctionsOutput=" + outputs.corrections());
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
            .withValidation()
            .as(OrderRevenue.Options.class);
    PipelineResult.State state = JobRunner.run(new OrderRevenue(), options).waitUntilFinish();
    assertThat(state, is(PipelineResult.State.DONE));
    return outputs;
  }
}
