package dev.kappa.pipelines;

import dev.kappa.pipelines.job.KappaJob;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.sdk.options.Default;

/**
 * On a Flink cluster, outputs left at their default {@code console} go to files instead: a console
 * line written by a TaskManager ends up in that JVM's stdout file, which nobody is told about and
 * which a restart rolls away. An output the user sets (to {@code console} too) is left as it is;
 * the launcher prints where the others go, and one note naming those set to {@code console}.
 *
 * <p>The files are under {@code .kappa/outputs/<job name>/} of the launcher's working directory, as
 * an absolute path: right for the local session cluster, whose TaskManagers share this file system.
 * On a remote cluster, set each output to a shared path or a Kafka topic.
 */
public final class ClusterOutputs {
  private ClusterOutputs() {}

  /** The option value of a console target. */
  private static final String CONSOLE = "console";

  /**
   * {@code options} with a file target added for every option of {@code job} whose default is
   * {@code console} and that {@code options} do not set, when they submit to a Flink cluster;
   * otherwise {@code options} unchanged.
   *
   * @param options the launch options, argument files expanded
   * @param workingDirectory where {@code .kappa/outputs} goes
   */
  static String[] durableDefaults(
      KappaJob<?> job, String[] options, Path workingDirectory, PrintStream err) {
    if (!submitsToACluster(options)) {
      return options;
    }
    String jobName = last(options, "jobName").orElse(job.name());
    Path directory = directory(workingDirectory, jobName);
    List<String> added = new ArrayList<>(Arrays.asList(options));
    Method[] getters = job.optionsClass().getMethods();
    Arrays.sort(getters, Comparator.comparing(Method::getName));
    List<String> setToConsole = new ArrayList<>();
    for (Method getter : getters) {
      Default.String fallback = getter.getAnnotation(Default.String.class);
      if (fallback == null || !fallback.value().equals(CONSOLE) || getter.getParameterCount() > 0) {
        continue;
      }
      String option = property(getter);
      if (last(options, option).filter(CONSOLE::equals).isPresent()) {
        setToConsole.add("--" + option);
      }
      if (last(options, option).isEmpty()) {
        String prefix = directory.resolve(fileName(option)).toString();
        added.add("--" + option + "=" + prefix);
        err.println(
            "kappa: on a Flink cluster --"
                + option
                + " goes to files "
                + prefix
                + "-*.jsonl, not to a TaskManager's stdout (set it to console or kafka:<topic>"
                + " to change that)");
      }
    }
    if (!setToConsole.isEmpty()) {
      err.println(
          "kappa: on a Flink cluster "
              + String.join(", ", setToConsole)
              + (setToConsole.size() == 1 ? " goes" : " go")
              + " to the stdout file of the TaskManager that writes each record"
              + " (.kappa/flink/log/taskmanager-*.out on scripts/flink-cluster.sh's cluster; the"
              + " web UI's Task Managers > Stdout), as set");
    }
    return added.toArray(new String[0]);
  }

  /**
   * Where the outputs of job {@code jobName} go on a cluster by default ({@code kappa report} reads
   * them there): {@code <workingDirectory>/.kappa/outputs/<jobName>}, absolute.
   */
  public static Path directory(Path workingDirectory, String jobName) {
    return workingDirectory.toAbsolutePath().resolve(Path.of(".kappa", "outputs", jobName));
  }

  /** Whether {@code options} run the Flink runner against a cluster's REST address. */
  static boolean submitsToACluster(String[] options) {
    boolean flink = last(options, "runner").map(r -> r.endsWith("FlinkRunner")).orElse(false);
    Optional<String> master = last(options, "flinkMaster");
    return flink && master.isPresent() && !master.get().startsWith("[");
  }

  /** The value of the last {@code --name=value} among {@code options}. */
  private static Optional<String> last(String[] options, String name) {
    Optional<String> value = Optional.empty();
    for (String option : options) {
      if (option.startsWith("--" + name + "=")) {
        value = Optional.of(option.substring(name.length() + 3));
      }
    }
    return value;
  }

  private static String property(Method getter) {
    String bare = getter.getName().substring(3);
    return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }

  /**
   * {@code tooLateOutput} -> {@code too-late}: the option's name without "Output", in words; the
   * results' {@code output} -> {@code results}.
   */
  public static String fileName(String option) {
    if (option.equals("output")) {
      return "results";
    }
    String bare = option.endsWith("Output") ? option.substring(0, option.length() - 6) : option;
    return bare.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
