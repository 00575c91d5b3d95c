package dev.kappa.testing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each local-server script refuses, before starting anything, a port that another process listens
 * on, naming that process and the variable that moves the server. The scripts run from a copy of
 * the repository's scripts/ (with links to the built classpaths), so their state directories are
 * the copy's, never those of servers a developer runs.
 */
@Timeout(120)
class LocalScriptsPortIT {
  private static final Path REPOSITORY =
      Path.of(System.getProperty("kappa.runnersConfig")).toAbsolutePath().normalize().getParent();

  @ParameterizedTest(name = "{0} with {1} taken")
  @CsvSource({
    "kafka-local.sh, KAFKA_PORT, the Kafka broker",
    "kafka-local.sh, KAFKA_CONTROLLER_PORT, the Kafka broker's controller",
    "postgres-local.sh, KAPPA_POSTGRES_PORT, PostgreSQL",
    "flink-cluster.sh, FLINK_REST_PORT, the Flink JobManager's REST endpoint",
    "flink-cluster.sh, FLINK_RPC_PORT, the Flink JobManager's RPC endpoint",
  })
  void refusesATakenPortNamingItsHolderAndTheVariable(
      String script, String variable, String server, @TempDir Path copy) throws Exception {
    Path scripts = Files.createDirectories(copy.resolve("scripts"));
    for (String name : new String[] {script, "ports.sh"}) {
      Files.copy(REPOSITORY.resolve("scripts").resolve(name), scripts.resolve(name));
    }
    for (String built : new String[] {"testing/target", "cluster/target", "runners-config"}) {
      Files.createDirectories(copy.resolve(built).getParent());
      Files.createSymbolicLink(copy.resolve(built), REPOSITORY.resolve(built));
    }
    int[] ports = Ports.freePorts("127.0.0.1", 4);
    try (ServerSocket taken = new ServerSocket(ports[0], 1, InetAddress.getByName("127.0.0.1"))) {
      ProcessBuilder start =
          new ProcessBuilder("bash", scripts.resolve(script).toString(), "start")
              .redirectErrorStream(true);
      // The copy's state directories, whatever the caller's environment says.
      start.environment().remove("FLINK_WORK_DIR");
      // Every port the script reads is free but the one under test.
      start.environment().put("KAFKA_PORT", Integer.toString(ports[1]));
      start.environment().put("KAFKA_CONTROLLER_PORT", Integer.toString(ports[2]));
      start.environment().put("FLINK_REST_PORT", Integer.toString(ports[1]));
      start.environment().put("FLINK_RPC_PORT", Integer.toString(ports[2]));
      start.environment().put("KAPPA_POSTGRES_PORT", Integer.toString(ports[3]));
      start.environment().put(variable, Integer.toString(taken.getLocalPort()));
      Process process = start.start();
      assertTrue(process.waitFor(90, TimeUnit.SECONDS), script + " did not exit within 90 s");
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertEquals(1, process.exitValue(), output);
      assertTrue(
          output.contains(
              "cannot start "
                  + server
                  + " on port "
                  + taken.getLocalPort()
                  + ": it is held by pid "
                  + ProcessHandle.current().pid()),
          output);
      assertTrue(output.contains("choose another port with " + variable + "=<port>"), output);
      assertTrue(nothingStarted(copy), "a server left state in " + copy.resolve(".kappa"));
    }
  }

  private static boolean nothingStarted(Path copy) throws IOException {
    Path state = copy.resolve(".kappa");
    if (!Files.exists(state)) {
      return true;
    }
    try (var files = Files.walk(state)) {
      return files.noneMatch(file -> file.getFileName().toString().endsWith(".pid"));
    }
  }
}
