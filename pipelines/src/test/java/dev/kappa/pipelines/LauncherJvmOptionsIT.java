package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.kappa.testing.process.ChildProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options {@code scripts/kappa} gives a launch by its command: a {@code backfill} gets
 * {@code runners-config/jvm/backfill.args} (C2 only for what is hot per record), a stream ({@code
 * run}) the JDK's defaults, and {@code KAPPA_JAVA_OPTS} wins over the file. Each launch asks for
 * its pipeline's help (nothing runs) with {@code -XX:+PrintFlagsFinal}, which prints every flag's
 * final value and where it came from.
 */
class LauncherJvmOptionsIT {
  /** Far above a loaded machine's launch that only prints help; a hang is forever. */
  private static final Duration EXIT_BOUND = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void backfillGetsTheBackfillArgsFile() throws Exception {
    String flags = launch("backfill", "");
    assertThat(flags, flag(flags, "Tier4InvocationThreshold"), equalTo("50000 {command line}"));
    assertThat(flags, flag(flags, "Tier4CompileThreshold"), equalTo("150000 {command line}"));
    assertThat(flags, flag(flags, "Tier4BackEdgeThreshold"), equalTo("120000 {command line}"));
  }

  @Test
  void aStreamKeepsTheJdksDefaults() throws Exception {
    String flags = launch("run", "");
    assertThat(flags, flag(flags, "Tier4InvocationThreshold"), equalTo("5000 {default}"));
    assertThat(flags, flag(flags, "Tier4CompileThreshold"), equalTo("15000 {default}"));
    assertThat(flags, flag(flags, "Tier4BackEdgeThreshold"), equalTo("40000 {default}"));
  }

  @Test
  void kappaJavaOptsWinOverTheBackfillArgsFile() throws Exception {
    String flags = launch("backfill", "-XX:Tier4InvocationThreshold=5000");
    assertThat(flags, flag(flags, "Tier4InvocationThreshold"), equalTo("5000 {command line}"));
    // The file's other values stay.
    assertThat(flags, flag(flags, "Tier4CompileThreshold"), equalTo("150000 {command line}"));
  }

  /**
   * {@code KAPPA_JAVA_OPTS="-XX:+PrintFlagsFinal <javaOptions>" scripts/kappa <command>
   * order-revenue [--from=... --to=...] --help}: its output, after checking that it printed the
   * help and exited 0.
   */
  private String launch(String command, String javaOptions) throws Exception {
    Path log = dir.resolve(command + ".log");
    List<String> arguments = new ArrayList<>(List.of(command, "order-revenue"));
    if (command.equals("backfill")) {
      // A backfill asks for its range before anything else.
      arguments.addAll(List.of("--from=2026-03-01T00:00:00Z", "--to=2026-03-02T00:00:00Z"));
    }
    arguments.add("--help");
    ProcessBuilder builder = ScriptsKappa.command(log, arguments);
    builder.environment().put("KAPPA_JAVA_OPTS", ("-XX:+PrintFlagsFinal " + javaOptions).strip());
    Process process = builder.start();
    boolean exited = ChildProcesses.awaitExit(process.toHandle(), EXIT_BOUND);
    if (!exited) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output, exited, is(true));
    assertThat(output, process.exitValue(), is(0));
    assertThat(output, containsString("--inputTopics"));
    return output;
  }

  /** A flag's final value and origin, from -XX:+PrintFlagsFinal's line for it. */
  private static String flag(String flags, String name) {
    Optional<String> line =
        flags.lines().filter(l -> l.matches("\\s*\\S+\\s+" + name + "\\s+=.*")).findFirst();
    return line.map(
            l -> l.replaceFirst(".*=\\s*(\\S+)\\s+\\{product\\}\\s+(\\{[^}]*\\}).*", "$1 $2"))
        .orElse("no line for " + name);
  }
}
