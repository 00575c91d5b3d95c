package dev.kappa.pipelines;

import dev.kappa.options.BackfillOptions;
import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.DeadLetterOptions;
import dev.kappa.options.EnrichmentOptions;
import dev.kappa.options.JdbcOptions;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.KafkaReadOptions;
import dev.kappa.options.KafkaWriteOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.LauncherOptions;
import dev.kappa.options.OutputVersionOptions;
import dev.kappa.options.SinkOptions;
import dev.kappa.options.SourceOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.job.KappaJob;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What {@code kappa <pipeline> --help} prints: the job's own options grouped by concern (source,
 * windowing, lateness, outputs, enrichment, Kafka, database, launcher), each with its values, its
 * default and its description, then the few runner options a job is launched with, then examples.
 * Beam's and the runners' other options (dozens, most of them internal) only with {@code
 * --help=all}, which prints Beam's own listing.
 */
final class JobHelp {
  private JobHelp() {}

  /** A heading and the option interfaces listed under it, in this order. */
  private record Group(String title, List<Class<? extends PipelineOptions>> interfaces) {}

  private static final List<Group> GROUPS =
      List.of(
          new Group("Source", List.of(SourceOptions.class, BackfillOptions.class)),
          new Group("Windowing", List.of(WindowingOptions.class)),
          new Group("Lateness", List.of(LatenessOptions.class)),
          new Group("Outputs", List.of(SinkOptions.class, DeadLetterOptions.class)),
          new Group("Enrichment", List.of(EnrichmentOptions.class)),
          new Group(
              "Kafka",
              List.of(
                  KafkaOptions.class,
                  KafkaReadOptions.class,
                  KafkaWriteOptions.class,
                  ConnectionOptions.class)),
          new Group("Database", List.of(JdbcOptions.class)),
          new Group("Launcher", List.of(LauncherOptions.class)));

  /** A runner option a job is launched with, described for Kappa's users. */
  private record RunnerOption(String line, String description) {}

  /** The runner's options a job is launched with (the rest: {@code --help=all}). */
  private static final List<RunnerOption> RUNNER_OPTIONS =
      List.of(
          new RunnerOption(
              "--runner=FlinkRunner|DirectRunner  (default DirectRunner)",
              "FlinkRunner for real runs, embedded or on a cluster; DirectRunner for tests and"
                  + " small samples."),
          new RunnerOption(
              "--flinkMaster=[local]|[auto]|<host:port>  (default [auto])",
              "[local] or [auto]: an embedded Flink inside the launcher's JVM; host:port: the"
                  + " REST address of a session cluster (scripts/flink-cluster.sh starts one on"
                  + " localhost:8081)."),
          new RunnerOption(
              "--parallelism=<int>  (default the cluster's, 1 embedded)",
              "Parallel tasks of every operator."),
          new RunnerOption(
              "--maxParallelism=<int>  (default Flink's, 128 for parallelism 2)",
              "Key groups of keyed state: fixed for the life of a job's state, since a savepoint"
                  + " restores only into the same number."),
          new RunnerOption(
              "--checkpointingInterval=<millis>  (default none)",
              "Checkpoints of a stream: needed to restart from a failure without loss, to commit"
                  + " Kafka offsets and for EXACTLY_ONCE sinks."),
          new RunnerOption(
              "--savepointPath=<path>",
              "Start from this savepoint or retained checkpoint (kappa stop prints the command)."),
          new RunnerOption(
              "--jobName=<name>  (default the pipeline's name)",
              "The job's name in Flink's web UI and metrics, for kappa status and kappa stop."));

  private static final int WIDTH = 100;

  /** Prints {@code job}'s help. */
  static void print(KappaJob<?> job, PrintStream out) {
    out.println("kappa run " + job.name() + " [--option=value | @args-file ...]");
    out.println("kappa backfill " + job.name() + " --from=<instant> --to=<instant> [...]");
    out.println();
    out.println(wrap(job.description(), "", ""));
    Class<? extends PipelineOptions> options = job.optionsClass();
    Set<Class<?>> grouped = new LinkedHashSet<>();
    GROUPS.forEach(group -> grouped.addAll(group.interfaces()));
    List<Class<?>> own =
        allInterfaces(options).stream()
            .filter(type -> !grouped.contains(type))
            .filter(type -> type.getName().startsWith("dev.kappa."))
            .toList();
    if (!own.isEmpty()) {
      section(out, job.name() + "'s own", own);
    }
    for (Group group : GROUPS) {
      List<Class<?>> present =
          group.interfaces().stream()
              .filter(type -> type.isAssignableFrom(options))
              .<Class<?>>map(type -> type)
              .toList();
      if (!present.isEmpty()) {
        section(out, group.title(), present);
      }
    }
    // Every job takes them (JobRunner registers them), whatever its options interface.
    section(out, "Output versions (docs/reprocessing.md)", List.of(OutputVersionOptions.class));
    out.println();
    out.println("Runner (the argument files in runners-config/ set these; docs/flink-cluster.md):");
    for (RunnerOption option : RUNNER_OPTIONS) {
      out.println("  " + option.line());
      out.println(wrap(option.description(), "      ", ""));
    }
    if (!job.examples().isEmpty()) {
      out.println();
      out.println("Examples:");
      for (List<String> example : job.examples()) {
        out.println(wrap("scripts/kappa " + String.join(" ", example), "  ", " \\"));
      }
    }
    out.println();
    out.println(
        "Every option, Beam's and the runners' included: kappa " + job.name() + " --help=all");
  }

  private static void section(PrintStream out, String title, List<Class<?>> interfaces) {
    out.println();
    out.println(title + ":");
    for (Class<?> type : interfaces) {
      Method[] methods = type.getDeclaredMethods();
      // Reflection gives no declaration order: by name, so the listing is stable.
      Arrays.sort(methods, Comparator.comparing(Method::getName));
      for (Method method : methods) {
        if (isGetter(method) && method.getAnnotation(Hidden.class) == null) {
          option(out, method, defaultValue(method));
        }
      }
    }
  }

  private static void option(PrintStream out, Method getter, Optional<String> defaultValue) {
    StringBuilder line =
        new StringBuilder("  --").append(property(getter)).append('=').append(values(getter));
    defaultValue.ifPresent(value -> line.append("  (default ").append(value).append(')'));
    out.println(line);
    Description description = getter.getAnnotation(Description.class);
    if (description != null) {
      out.println(wrap(description.value(), "      ", ""));
    }
  }

  private static String values(Method getter) {
    Class<?> type = getter.getReturnType();
    if (type.isEnum()) {
      return Arrays.stream(type.getEnumConstants())
          .map(Object::toString)
          .collect(Collectors.joining("|"));
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true|false";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "<a>,<b>,...";
    }
    return "<" + (type.isPrimitive() ? type.getName() : type.getSimpleName().toLowerCase()) + ">";
  }

  private static Optional<String> defaultValue(Method getter) {
    for (Annotation annotation : getter.getAnnotations()) {
      if (annotation instanceof Default.String value) {
        return Optional.of(value.value().isEmpty() ? "\"\"" : value.value());
      }
      if (annotation instanceof Default.Enum value) {
        return Optional.of(value.value());
      }
      if (annotation instanceof Default.Boolean value) {
        return Optional.of(Boolean.toString(value.value()));
      }
      if (annotation instanceof Default.Integer value) {
        return Optional.of(Integer.toString(value.value()));
      }
      if (annotation instanceof Default.Long value) {
        return Optional.of(Long.toString(value.value()));
      }
      if (annotation instanceof Default.Double value) {
        return Optional.of(Double.toString(value.value()));
      }
      if (annotation instanceof Default.InstanceFactory) {
        return Optional.of("computed at launch");
      }
    }
    return Optional.empty();
  }

  private static boolean isGetter(Method method) {
    return method.getParameterCount() == 0
        && !method.isDefault()
        && !method.isSynthetic()
        && !Modifier.isStatic(method.getModifiers())
        && (method.getName().startsWith("get") || method.getName().startsWith("is"));
  }

  private static String property(Method getter) {
    String bare = getter.getName().substring(getter.getName().startsWith("is") ? 2 : 3);
    return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }

  /** {@code options} and every interface it extends, nearest first. */
  private static List<Class<?>> allInterfaces(Class<?> options) {
    Set<Class<?>> all = new LinkedHashSet<>();
    List<Class<?>> pending = new ArrayList<>(List.of(options));
    while (!pending.isEmpty()) {
      Class<?> type = pending.remove(0);
      if (all.add(type)) {
        pending.addAll(List.of(type.getInterfaces()));
      }
    }
    return List.copyOf(all);
  }

  /**
   * {@code text} in lines of at most {@value #WIDTH} characters: the first after {@code indent},
   * the others after {@code indent} and, when they continue a command ({@code continuation} not
   * empty), four more spaces; every line but the last ends in {@code continuation}.
   */
  static String wrap(String text, String indent, String continuation) {
    StringBuilder wrapped = new StringBuilder();
    StringBuilder line = new StringBuilder(indent);
    String nextIndent = continuation.isEmpty() ? indent : indent + "    ";
    for (String word : text.split("\\s+")) {
      if (line.length() > indent.length()
          && line.length() + 1 + word.length() + continuation.length() > WIDTH) {
        wrapped.append(line).append(continuation).append('\n');
        line = new StringBuilder(nextIndent);
        indent = nextIndent;
      }
      if (line.length() > indent.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    return wrapped.append(line).toString();
  }

  /** Beam's own listing of every option of {@code job}, for {@code --help=all}. */
  static void printAll(KappaJob<?> job, PrintStream out) {
    PipelineOptionsFactory.printHelp(out, job.optionsClass());
  }
}
