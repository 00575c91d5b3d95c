package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterOutputsTest {
  private static final KappaJob<?> ORDER_REVENUE = KappaJobs.named("order-revenue").orElseThrow();
  private static final Path HOME = Path.of("/srv/kappa");

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private List<String> defaults(String... options) {
    return List.of(
        ClusterOutputs.durableDefaults(
            ORDER_REVENUE, options, HOME, new PrintStream(err, true, StandardCharsets.UTF_8)));
  }

  @Test
  void onAClusterConsoleDefaultsBecomeFilesAndTheLauncherSaysWhere() {
    List<String> options =
        defaults(
            "--runner=FlinkRunner",
            "--flinkMaster=localhost:8081",
            "--output=/tmp/results",
            "--tooLateOutput=console");

    assertThat(
        options.subList(4, options.size()),
        contains(
            "--correctionsOutput=/srv/kappa/.kappa/outputs/order-revenue/corrections",
            "--deadLetterOutput=/srv/kappa/.kappa/outputs/order-revenue/dead-letter"));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        containsString(
            "kappa: on a Flink cluster --deadLetterOutput goes to files"
                + " /srv/kappa/.kappa/outputs/order-revenue/dead-letter-*.jsonl"));
    // The output set to console stays there, with one note saying where that is.
    assertThat(
        err.toString(StandardCharsets.UTF_8)
            .lines()
            .filter(line -> line.contains(" to the stdout file of the TaskManager"))
            .toList(),
        contains(
            "kappa: on a Flink cluster --tooLateOutput goes to the stdout file of the TaskManager"
                + " that writes each record (.kappa/flink/log/taskmanager-*.out on"
                + " scripts/flink-cluster.sh's cluster; the web UI's Task Managers > Stdout), as"
                + " set"));
  }

  @Test
  void theJobNameNamesTheDirectory() {
    List<String> options =
        defaults("--runner=FlinkRunner", "--flinkMaster=flink:8081", "--jobName=revenue-v2");

    assertThat(
        options.get(3), is("--correctionsOutput=/srv/kappa/.kappa/outputs/revenue-v2/corrections"));
    assertThat(options.get(5), is("--output=/srv/kappa/.kappa/outputs/revenue-v2/results"));
    assertThat(options.get(6), is("--tooLateOutput=/srv/kappa/.kappa/outputs/revenue-v2/too-late"));
  }

  @Test
  void embeddedAndDirectRunsKeepTheConsole() {
    for (String[] options :
        List.of(
            new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]"},
            new String[] {"--runner=FlinkRunner"},
            new String[] {"--runner=DirectRunner", "--flinkMaster=localhost:8081"})) {
      assertThat(defaults(options), is(List.of(options)));
    }
    assertThat(err.size(), is(0));
  }
}
