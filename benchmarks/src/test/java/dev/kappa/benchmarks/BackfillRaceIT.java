package dev.kappa.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race's precondition, in the build: at a small size, every contender (the read-and-decode
 * floor, the native Flink job and Kappa's backfill from pipelines' bundled jar, each in its own
 * JVM) computes exactly the generator's ground truth. No time is asserted: the timed race is {@code
 * scripts/kappa bench}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class BackfillRaceIT {

  @Test
  @Timeout(600)
  void everyContenderEqualsTheGroundTruth(KafkaBroker broker, @TempDir Path dir) throws Exception {
    // An experiment's option (--kappaOptions) reaches Kappa's job after the race's own.
    Race.Outcome outcome =
        new Race(Race.findRoot(), "1g", List.of("--jobName=backfill-race-it"))
            .run(broker, Bench.SMALL, 11, dir, List.of(Race.Contender.values()));
    String kappaCommand = Files.readAllLines(dir.resolve("kappa.log")).get(0);
    assertThat(kappaCommand, endsWith(" --jobName=backfill-race-it"));

    // The data exercises what it claims to: dead letters, unknown products, several windows.
    RaceResult truth = outcome.truth();
    assertThat(truth.deadLetters(), greaterThan(0L));
    assertThat(truth.validOrders() + truth.deadLetters(), is(Bench.SMALL));
    assertThat(truth.rows().keySet().stream().anyMatch(k -> k.contains(" unknown ")), is(true));
    assertThat(truth.rows().size(), greaterThan(100));
    for (Race.Lap lap : outcome.laps()) {
      assertThat(lap.contender().id, lap.differences(), is(empty()));
    }
  }
}
