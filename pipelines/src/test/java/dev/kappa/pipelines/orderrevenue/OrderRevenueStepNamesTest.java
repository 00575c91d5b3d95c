package dev.kappa.pipelines.orderrevenue;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.StepNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Freezes the full name of every step of OrderRevenue, composites included, in each configuration
 * of {@link OrderRevenueSteps}.
 *
 * <p>The Flink runner derives each operator's uid from its step's full name, so a renamed step
 * (stateless ones too) leaves state in a savepoint that the new job cannot map, and the restore
 * fails. The lists were taken from the job before the job layer of issue 10. No server is needed: a
 * job connects to nothing while it builds (the database URL below is never contacted).
 */
class OrderRevenueStepNamesTest {

  @ParameterizedTest
  @EnumSource(OrderRevenueSteps.class)
  void everyStepKeepsItsName(OrderRevenueSteps config) throws IOException {
    OrderRevenue.Options options =
        PipelineOptionsFactory.fromArgs(config.args("jdbc:postgresql://localhost:1/kappa"))
            .withValidation()
            .as(OrderRevenue.Options.class);
    Pipeline pipeline = Pipeline.create(options);
    JobRunner.build(new OrderRevenue(), pipeline, options);

    List<String> current = StepNames.fullNames(pipeline);
    List<String> frozen = config.frozen();
    if (!current.equals(frozen)) {
      List<String> missing = new ArrayList<>(frozen);
      missing.removeAll(current);
      List<String> added = new ArrayList<>(current);
      added.removeAll(frozen);
      fail(
          "OrderRevenue's steps ("
              + config
              + ") no longer match "
              + config.resource()
              + ". A renamed or removed step breaks savepoint restore: Flink derives operator uids"
              + " from step names, so a job restored from a savepoint of the old one cannot map"
              + " the state.\nGone: "
              + missing
              + "\nNew: "
              + added);
    }
  }
}
