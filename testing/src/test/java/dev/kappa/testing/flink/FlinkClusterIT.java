package dev.kappa.testing.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.flink.FlinkCluster.Overview;
import dev.kappa.testing.flink.FlinkCluster.TaskManager;
import dev.kappa.testing.process.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Flink session cluster: a JobManager and TaskManagers in JVMs of their own, started,
 * inspected through the REST API, hit by a TaskManager crash, and stopped (about 35 s in all).
 */
@Timeout(120)
class FlinkClusterIT {

  @TempDir Path workDir;

  @Test
  void survivesTheLossOfATaskManagerAndStopsCleanly() throws IOException {
    try (FlinkCluster cluster = FlinkCluster.start(workDir, 2)) {
      Overview overview = cluster.overview();
      assertEquals(2, overview.taskManagers(), "TaskManagers");
      assertEquals(4, overview.slotsTotal(), "2 TaskManagers x 2 slots");
      assertEquals(4, overview.slotsAvailable(), "no job yet");
      assertTrue(overview.flinkVersion().startsWith("1.19."), overview.flinkVersion());
      assertEquals(List.of(1, 2), numbers(cluster.taskManagers()));
      assertEquals(
          Map.of("taskmanager-1", 2, "taskmanager-2", 2), cluster.registeredTaskManagers());
      assertEquals(List.of(), cluster.jobs());
      assertTrue(Files.size(cluster.jobManagerLog()) > 0, "the JobManager logs to its file");
      for (TaskManager taskManager : cluster.taskManagers()) {
        assertTrue(Files.size(taskManager.logFile()) > 0, taskManager + " logs to its file");
      }

      TaskManager victim = cluster.taskManagers().get(0);
      cluster.killTaskManager(victim.number());

      assertFalse(victim.isAlive(), "SIGKILL ends the JVM at once");
      Overview afterKill = cluster.awaitTaskManagers(1, Duration.ofSeconds(30));
      assertEquals(2, afterKill.slotsTotal(), "the survivor's slots");
      assertEquals(Map.of("taskmanager-2", 2), cluster.registeredTaskManagers());
      assertEquals(List.of(2), numbers(cluster.taskManagers()));

      TaskManager replacement = cluster.startTaskManager();

      assertEquals(3, replacement.number(), "a new number, not the dead one's");
      assertEquals(4, cluster.overview().slotsTotal());
      assertEquals(List.of(2, 3), numbers(cluster.taskManagers()));

      List<Long> pids = new ArrayList<>(List.of(cluster.jobManagerPid()));
      cluster.taskManagers().forEach(t -> pids.add(t.pid()));
      cluster.stop();

      assertFalse(cluster.isRunning());
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
      }
      assertTrue(Ports.isFree(FlinkCluster.HOST, cluster.restPort()), "REST port free again");
      assertTrue(Ports.isFree(FlinkCluster.HOST, cluster.rpcPort()), "RPC port free again");
      try (var files = Files.list(workDir)) {
        assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".pid")).toList());
      }
    }
  }

  @Test
  void scriptCommandsStartIdempotentlyReportAndStop() {
    int[] ports = FlinkCluster.freePorts(2);
    String[] start = {
      "start",
      workDir.toString(),
      "--taskmanagers",
      "1",
      "--rest-port",
      Integer.toString(ports[0]),
      "--rpc-port",
      Integer.toString(ports[1])
    };
    try {
      Result started = cli(start);
      assertEquals(0, started.code(), started.err());
      assertTrue(started.out().contains("started in"), started.out());
      assertTrue(started.out().contains("taskmanager-1"), started.out());

      Result again = cli(start);
      assertEquals(0, again.code(), again.err());
      assertTrue(again.out().contains("already running"), again.out());

      Result status = cli("status", workDir.toString());
      assertEquals(0, status.code(), status.err());
      assertTrue(
          status.out().contains("slots: 2 total, 2 available; jobs: 0 running"), status.out());
    } finally {
      Result stopped = cli("stop", workDir.toString());
      assertEquals(0, stopped.code(), stopped.err());
      assertTrue(stopped.out().startsWith("flink-cluster: stopped (jobmanager pid"), stopped.out());
    }
    Result status = cli("status", workDir.toString());
    assertEquals(3, status.code());
    assertEquals("flink-cluster: stopped\n", status.out());
  }

  @Test
  void refusesAPortInUseBeforeStartingAnything() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
      int rpcPort = FlinkCluster.freePorts(1)[0];
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> FlinkCluster.start(workDir, 1, taken.getLocalPort(), rpcPort));
      assertTrue(
          e.getMessage().contains("localhost:" + taken.getLocalPort() + ": the port is in use"),
          e.getMessage());
    }
  }

  private static List<Integer> numbers(List<TaskManager> taskManagers) {
    return taskManagers.stream().map(TaskManager::number).toList();
  }

  private record Result(int code, String out, String err) {}

  private static Result cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        FlinkClusterCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
