package dev.kappa.pipelines.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code kappa stop} against a stand-in REST API answering with a real cluster's JSON: the
 * arguments it refuses, a stop with a savepoint, a failed savepoint, a cancel, and unknown jobs.
 */
class StopCommandTest {

  private static final String JOB = "1552e8f34e4add0f0761f065910f8cad";
  private static final String TRIGGER = "e04c3caa7a5feb322d6cdd033b82fbf2";
  private static final String SAVEPOINT =
      "file:/tmp/kappa-ops/flink/savepoints/savepoint-1552e8-b766701e7000";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int stop(String... args) {
    return StopCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        expanded -> expanded);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The running job as the cluster knows it, and its options. */
  private static FakeFlink runningJob() {
    return new FakeFlink()
        .on("GET /jobs/overview", "jobs-overview.json")
        .on("GET /jobs/" + JOB + "/config", "running-job-config.json");
  }

  @Test
  void refusesToGuessHowToStop() {
    assertThat(stop("order-revenue"), is(2));
    assertThat(
        err(),
        startsWith(
            "kappa stop: say how to stop it: --savepoint stops the job with a savepoint that a new"
                + " job resumes from"));
    assertThat(err(), containsString("--cancel cancels it without one"));
    assertThat(err(), containsString("usage: kappa stop <job id | job name> --savepoint"));
  }

  @Test
  void savepointAndCancelExcludeEachOther() {
    assertThat(stop("order-revenue", "--savepoint", "--cancel"), is(2));
    assertThat(err(), startsWith("kappa stop: --savepoint and --cancel exclude each other"));
  }

  @Test
  void drainGoesWithSavepoint() {
    assertThat(stop("order-revenue", "--cancel", "--drain"), is(2));
    assertThat(err(), startsWith("kappa stop: --drain and --savepointDir go with --savepoint"));
  }

  @Test
  void namesOneJob() {
    assertThat(stop("--savepoint"), is(2));
    assertThat(err(), startsWith("kappa stop: name the job: its id or its name"));
    assertThat(stop("a", "b", "--savepoint"), is(2));
  }

  @Test
  void theSavepointDirectoryIsResolvedByTheJobManagerSoMustBeAbsolute() {
    assertThat(stop("order-revenue", "--savepoint", "--savepointDir=savepoints"), is(2));
    assertThat(err(), containsString("--savepointDir must be an absolute path or a URI"));
  }

  @Test
  void flagsTakeNoValueAndTimeoutsAreDurations() {
    assertThat(stop("order-revenue", "--savepoint=yes"), is(2));
    assertThat(err(), containsString("--savepoint takes no value"));
    assertThat(stop("order-revenue", "--savepoint", "--timeout=10"), is(2));
    assertThat(err(), containsString("--timeout must be an ISO-8601 duration such as PT10M"));
  }

  @Test
  void stopsWithASavepointAndPrintsTheCommandThatResumesFromIt() {
    FakeFlink flink =
        runningJob()
            .on("POST /jobs/" + JOB + "/stop", "stop-trigger.json")
            .on(
                "GET /jobs/" + JOB + "/savepoints/" + TRIGGER,
                "savepoint-in-progress.json",
                "savepoint-completed.json")
            .on("GET /jobs/" + JOB, "finished-job.json");
    try (flink) {

      assertThat(stop("order-revenue", "--savepoint", "--flinkMaster=" + flink.master()), is(0));

      assertThat(
          flink.requests(),
          hasItem(
              "POST /jobs/"
                  + JOB
                  + "/stop {\"targetDirectory\":null,\"drain\":false,\"formatType\":\"CANONICAL\","
                  + "\"triggerId\":null}"));
    }

    String text = out();
    assertThat(
        text, startsWith("kappa stop: order-revenue (" + JOB + ") stopped with a savepoint in "));
    assertThat(text, containsString("; the job is FINISHED\nsavepoint: " + SAVEPOINT + "\n"));
    assertThat(text, containsString("\nresume it with the options it ran with:\n"));
    assertThat(text, containsString("\n  scripts/kappa run order-revenue \\\n"));
    assertThat(text, containsString("\n      --source=REPLAY \\\n"));
    assertThat(text, containsString("\n      --flinkMaster=localhost:18081 \\\n"));
    assertThat(text, containsString("\n      --savepointPath=" + SAVEPOINT + "\n"));
    assertThat(
        err(), is("kappa stop: stopping order-revenue (" + JOB + ") with a savepoint ...\n"));
  }

  @Test
  void drainsIntoTheGivenDirectoryWhenAsked() {
    FakeFlink flink =
        runningJob()
            .on("POST /jobs/" + JOB + "/stop", "stop-trigger.json")
            .on("GET /jobs/" + JOB + "/savepoints/" + TRIGGER, "savepoint-completed.json")
            .on("GET /jobs/" + JOB, "finished-job.json");
    try (flink) {

      assertThat(
          stop(
              JOB,
              "--savepoint",
              "--drain",
              "--savepointDir=/data/savepoints",
              "--flinkMaster=" + flink.master()),
          is(0));

      assertThat(
          flink.requests(),
          hasItem(
              "POST /jobs/"
                  + JOB
                  + "/stop {\"targetDirectory\":\"/data/savepoints\",\"drain\":true,"
                  + "\"formatType\":\"CANONICAL\",\"triggerId\":null}"));
    }
    assertThat(out(), containsString("it was drained (every window fired as final)"));
  }

  @Test
  void aFailedSavepointGivesFlinksReasonAndLeavesTheJobRunning() {
    FakeFlink flink =
        runningJob()
            .on("POST /jobs/" + JOB + "/stop", "stop-trigger.json")
            .answer("GET /jobs/" + JOB + "/savepoints/" + TRIGGER, 200, FakeFlink.deniedSavepoint())
            .on("GET /jobs/" + JOB, "running-job.json");
    try (flink) {

      assertThat(stop("order-revenue", "--savepoint", "--flinkMaster=" + flink.master()), is(1));
    }

    assertThat(
        err(),
        containsString(
            "kappa stop: the savepoint of order-revenue ("
                + JOB
                + ") failed; the job is RUNNING (it keeps running)\n"
                + "Flink's reason: org.apache.flink.runtime.checkpoint.CheckpointException: An"
                + " Exception occurred while triggering the checkpoint. IO-problem detected.\n"
                + "  caused by: java.io.IOException: Failed to create savepoint directory at"
                + " file:/proc/kappa-denied\n"));
    assertThat(out(), is(""));
  }

  @Test
  void aRefusedStopGivesFlinksReason() {
    FakeFlink flink =
        runningJob().onError("POST /jobs/" + JOB + "/stop", 409, "cancel-finished-job.json");
    try (flink) {

      assertThat(stop("order-revenue", "--savepoint", "--flinkMaster=" + flink.master()), is(1));
    }

    assertThat(
        err(),
        containsString(
            "kappa stop: Flink refused: Job cancellation failed because the job has already"
                + " reached another terminal state (FINISHED)."));
  }

  @Test
  void cancelsAndNamesTheRetainedCheckpointToStartFrom() {
    FakeFlink flink =
        runningJob()
            .answer("PATCH /jobs/" + JOB + "?mode=cancel", 202, "{}")
            .on("GET /jobs/" + JOB, "finished-job.json")
            .on("GET /jobs/" + JOB + "/checkpoints", "running-job-checkpoints.json");
    try (flink) {

      assertThat(stop("order-revenue", "--cancel", "--flinkMaster=" + flink.master()), is(0));

      assertThat(flink.requests(), not(hasItem(startsWith("POST"))));
    }

    String text = out();
    assertThat(text, startsWith("kappa stop: order-revenue (" + JOB + ") cancelled; the job is "));
    String checkpoint = "file:/tmp/kappa-ops/flink/checkpoints/" + JOB + "/chk-4";
    assertThat(text, containsString("\nlast retained checkpoint: " + checkpoint + "\n"));
    assertThat(text, containsString("\n      --savepointPath=" + checkpoint + "\n"));
  }

  @Test
  void anUnknownJobIsReportedWithTheRunningOnes() {
    try (FakeFlink flink = runningJob()) {

      assertThat(stop("revenue", "--cancel", "--flinkMaster=" + flink.master()), is(1));
    }

    assertThat(err(), startsWith("kappa stop: no job 'revenue' at http://localhost:"));
    assertThat(err(), containsString("; running: order-revenue (" + JOB + ")\n"));
  }

  @Test
  void anEndedJobIsNotStoppedAgain() {
    try (FakeFlink flink =
        new FakeFlink().on("GET /jobs/overview", "jobs-overview-after-stop.json")) {

      assertThat(stop("order-revenue", "--savepoint", "--flinkMaster=" + flink.master()), is(1));
    }

    assertThat(
        err(),
        is(
            "kappa stop: job order-revenue ("
                + JOB
                + ") is FINISHED, not running; no job is running\n"));
  }
}
