package dev.kappa.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.kafka.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming race's precondition, in the build: at a small rate, the native streaming job and
 * {@code kappa run order-revenue} (pipelines' bundled jar, each in its own JVM) give every window
 * exactly the generator's ground truth, both fed live and working off a backlog, and the watermark
 * closes windows while orders still arrive (the windows whose latency is measured). No time is
 * asserted: the timed race is {@code scripts/kappa bench --streaming}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StreamingRaceIT {

  @Test
  @Timeout(900)
  void bothContendersEqualTheGroundTruth(KafkaBroker broker, @TempDir Path dir) throws Exception {
    StreamingRace race =
        new StreamingRace(
            Race.findRoot(),
            "1g",
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            List.of());

    for (StreamingRace.Contender contender : StreamingRace.Contender.values()) {
      // 20 s live, 5 s windows: the first 5 s hold the start of one window at least (start-up),
      // and the 14 s after them the start and end of another (measured).
      StreamingRace.Lap lap = race.run(broker, contender, 200, 20, 11, dir);

      assertThat(contender.id, lap.differences(), is(empty()));
      assertThat(contender.id, lap.latency().count(), greaterThan(0L));
      assertThat(contender.id, lap.startUp().count(), greaterThan(0L));
      // Each window's line: the measured windows' results are those p50 and p99 are over, the
      // start-up windows' those of the start-up's maximum.
      long measured = 0;
      long startUp = 0;
      for (String line :
          Files.readAllLines(dir.resolve(contender.id + "-200").resolve("latency.tsv"))) {
        String[] fields = line.split("\t");
        if (fields[1].equals("yes")) {
          measured += Long.parseLong(fields[2]);
        } else if (fields[1].equals("start-up")) {
          startUp += Long.parseLong(fields[2]);
        }
      }
      assertThat(contender.id, measured, is(lap.latency().count()));
      assertThat(contender.id, startUp, is(lap.startUp().count()));
    }
    // The data exercises what it claims to: dead letters, unknown products, several windows.
    RaceResult truth = RaceResult.read(dir.resolve("kappa-200/truth"));
    assertThat(truth.deadLetters(), greaterThan(0L));
    assertThat(truth.rows().keySet().stream().anyMatch(k -> k.contains(" unknown ")), is(true));
    assertThat(truth.rows().size(), greaterThan(100));
    StreamingRace.Capacity capacity =
        race.capacity(broker, StreamingRace.Contender.KAPPA, 20_000, 11, dir);
    assertThat(capacity.differences(), is(empty()));
    assertThat(capacity.ordersPerSecond(), greaterThan(0.0));
  }
}
