package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

/**
 * The class archive's training launch loads the Kafka client's classes, which a run from files
 * never uses, so that the archive holds them for Kafka launches.
 */
class ClassArchiveTrainingTest {

  @Test
  void loadsTheKafkaClientClassesOfItsJar() throws Exception {
    // The admin client, consumer, protocol messages and requests a launch uses are among them:
    // about 1,600 of them in a Kafka backfill.
    assertThat(ClassArchiveTraining.loadKafkaClientClasses(), is(greaterThan(1_600)));
  }

  @Test
  void onlyTheTrainingLaunchLoadsThem() {
    assertThat(ClassArchiveTraining.training(), is(false));
  }
}
