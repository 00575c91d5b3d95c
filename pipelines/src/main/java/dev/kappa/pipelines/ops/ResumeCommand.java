package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.options.OutputVersionOptions;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The command line that starts a stopped job again from a savepoint: {@code scripts/kappa run
 * <pipeline> @runners-config/flink-cluster.args <the job's options> --savepointPath=<savepoint>}.
 *
 * <p>The launcher records the arguments a job was launched with in the job itself ({@code
 * --launchArguments}, which Flink keeps in the job's configuration): the command repeats them as
 * they were typed, with the new savepoint, and works as printed from the directory the job was
 * launched in. For a job without them, it is rebuilt as follows.
 *
 * <p>The options come from the job itself: the FlinkRunner records the Beam pipeline options of a
 * job in its Flink configuration ({@code GET /jobs/:id/config}). The command repeats those that
 * differ from what the argument file and the pipeline's defaults give, so the new job gets the same
 * settings, and the same {@code --jobName}. Flink does not record the values of list options (it
 * keeps them as empty strings): those are named for the user to add, not guessed.
 */
public final class ResumeCommand {
  /** The one secret option that can be typed inline: never recorded in a job. */
  private static final String INLINE_PASSWORD = "--jdbcPassword=";

  private ResumeCommand() {}

  /** The argument file of the local session cluster, relative to the repository root. */
  static final String CLUSTER_ARGS = "runners-config/flink-cluster.args";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The option in which the launcher records the arguments a job was launched with. */
  private static final String LAUNCH_ARGUMENTS = "launchArguments";

  /** Options that Beam or the runner set by themselves, or that the resume replaces. */
  private static final Set<String> NOT_REPEATED =
      Set.of(
          LAUNCH_ARGUMENTS,
          "optionsId",
          "appName",
          "filesToStage",
          "userAgent",
          "savepointPath",
          "streaming",
          "stableUniqueNames",
          "attachedMode");

  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./\\-\\[\\]]+");

  /** A resume command: its arguments after {@code scripts/kappa}, and list options it lacks. */
  record Command(List<String> arguments, List<String> unrecordedListOptions) {

    /**
     * The command as a user would type it: {@code scripts/kappa run <pipeline> [@file]} on the
     * first line, then one option per line, continued with backslashes.
     */
    String render(String indent) {
      StringBuilder text = new StringBuilder(indent).append("scripts/kappa");
      int i = 0;
      while (i < arguments.size() && !arguments.get(i).startsWith("--")) {
        text.append(' ').append(quote(arguments.get(i)));
        i++;
      }
      for (; i < arguments.size(); i++) {
        text.append(" \\\n").append(indent).append("    ").append(quote(arguments.get(i)));
      }
      return text.toString();
    }
  }

  /** The pipeline a job runs, from the options it was submitted with; empty for other jobs. */
  static Optional<KappaJob<?>> pipeline(Map<String, String> jobOptions) {
    String appName = jobOptions.get("appName");
    for (KappaJob<?> job : KappaJobs.all()) {
      if (job.getClass().getSimpleName().equals(appName)) {
        return Optional.of(job);
      }
    }
    String jobName = jobOptions.get("jobName");
    return jobName == null ? Optional.empty() : KappaJobs.named(jobName);
  }

  /**
   * The command that resumes a job of {@code pipeline} that ran with {@code jobOptions} from {@code
   * savepoint}.
   *
   * @param clusterArgs the options of {@link #CLUSTER_ARGS}, if that file is at hand: the command
   *     then names the file and repeats only the options that differ from it
   */
  static Command build(
      KappaJob<?> pipeline,
      Map<String, String> jobOptions,
      Optional<List<String>> clusterArgs,
      String savepoint) {
    Optional<List<String>> recorded = recorded(jobOptions);
    if (recorded.isPresent()) {
      List<String> arguments = new ArrayList<>(List.of("run", pipeline.name()));
      recorded.get().stream()
          .filter(argument -> !argument.startsWith("--savepointPath="))
          .forEach(arguments::add);
      arguments.add("--savepointPath=" + savepoint);
      return new Command(List.copyOf(arguments), List.of());
    }
    List<String> baselineArgs = new ArrayList<>(clusterArgs.orElse(List.of()));
    // The launcher names a job after its pipeline when --jobName is not given.
    baselineArgs.add("--jobName=" + pipeline.name());
    PipelineOptions baseline =
        PipelineOptionsFactory.fromArgs(baselineArgs.toArray(new String[0]))
            .as(pipeline.optionsClass());
    Map<String, Method> getters = getters(pipeline.optionsClass());
    getters.putAll(getters(FlinkPipelineOptions.class));
    // Every job takes --outputVersion: a version resumed without it would write unversioned names.
    getters.putAll(getters(OutputVersionOptions.class));

    List<String> arguments = new ArrayList<>(List.of("run", pipeline.name()));
    clusterArgs.ifPresent(args -> arguments.add("@" + CLUSTER_ARGS));
    List<String> unrecorded = new ArrayList<>();
    for (Map.Entry<String, String> option : ordered(jobOptions, getters).entrySet()) {
      String name = option.getKey();
      Method getter = getters.get(name);
      if (NOT_REPEATED.contains(name) || getter == null) {
        continue;
      }
      if (Collection.class.isAssignableFrom(getter.getReturnType())) {
        if (option.getValue().isEmpty()) {
          unrecorded.add(name);
        } else if (!option.getValue().equals(text(value(baseline, getter)))) {
          arguments.add("--" + name + "=" + option.getValue());
        }
        continue;
      }
      if (!same(option.getValue(), text(value(baseline, getter)))) {
        arguments.add("--" + name + "=" + option.getValue());
      }
    }
    arguments.add("--savepointPath=" + savepoint);
    return new Command(List.copyOf(arguments), List.copyOf(unrecorded));
  }

  /**
   * {@code arguments} as the launcher records them in a job ({@code --launchArguments}): a JSON
   * array of strings, without a database password typed inline ({@code --jdbcPassword=...}), which
   * the job's configuration must never hold: a resumed job takes it again from {@code
   * --jdbcPasswordFile} or {@code KAPPA_JDBC_PASSWORD}, as the launch did if it was not typed.
   */
  public static String record(List<String> arguments) {
    List<String> kept =
        arguments.stream().filter(argument -> !argument.startsWith(INLINE_PASSWORD)).toList();
    try {
      return JSON.writeValueAsString(kept);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the launch arguments as JSON", e);
    }
  }

  /**
   * The arguments the launcher recorded in a job's options, if it did (jobs launched by an older
   * Kappa, or not by the launcher, have none: their command is rebuilt from their options).
   */
  static Optional<List<String>> recorded(Map<String, String> jobOptions) {
    String recorded = jobOptions.get(LAUNCH_ARGUMENTS);
    if (recorded == null || recorded.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(List.of(JSON.readValue(recorded, String[].class)));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /** The job's options in the order the pipeline's interfaces declare them, then the rest. */
  private static Map<String, String> ordered(
      Map<String, String> jobOptions, Map<String, Method> getters) {
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String name : getters.keySet()) {
      if (jobOptions.containsKey(name)) {
        ordered.put(name, jobOptions.get(name));
      }
    }
    jobOptions.forEach(ordered::putIfAbsent);
    return ordered;
  }

  /**
   * The getters of an options interface and those it extends, by property name: the interface's own
   * first (by name), so that a pipeline's options come before Beam's and the runner's.
   */
  private static Map<String, Method> getters(Class<?> options) {
    Map<String, Method> getters = new LinkedHashMap<>();
    List<Class<?>> pending = new ArrayList<>(List.of(options));
    while (!pending.isEmpty()) {
      Class<?> type = pending.remove(0);
      // getDeclaredMethods has no defined order: sort, so a printed command is the same every time.
      Method[] methods = type.getDeclaredMethods();
      Arrays.sort(methods, Comparator.comparing(Method::getName));
      for (Method method : methods) {
        String property = property(method);
        if (property != null) {
          getters.putIfAbsent(property, method);
        }
      }
      pending.addAll(List.of(type.getInterfaces()));
    }
    return getters;
  }

  private static @Nullable String property(Method method) {
    if (method.getParameterCount() != 0
        || method.isDefault()
        || method.isSynthetic()
        || Modifier.isStatic(method.getModifiers())) {
      return null;
    }
    String name = method.getName();
    String bare;
    if (name.startsWith("get") && name.length() > 3) {
      bare = name.substring(3);
    } else if (name.startsWith("is") && name.length() > 2) {
      bare = name.substring(2);
    } else {
      return null;
    }
    return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }

  @SuppressWarnings("unchecked")
  private static @Nullable Object value(PipelineOptions options, Method getter) {
    try {
      return getter.invoke(
          options.as((Class<? extends PipelineOptions>) getter.getDeclaringClass()));
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      // A default that cannot be computed here: compare as unknown, so the option is repeated.
      return null;
    }
  }

  /** A value as Beam records it in the job's configuration. */
  private static @Nullable String text(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Collection) {
      return String.join(",", ((Collection<?>) value).stream().map(String::valueOf).toList());
    }
    if (value instanceof Enum) {
      return ((Enum<?>) value).name();
    }
    if (value instanceof Class) {
      return ((Class<?>) value).getName();
    }
    return value.toString();
  }

  private static boolean same(String recorded, @Nullable String baseline) {
    if (Objects.equals(recorded, baseline)) {
      return true;
    }
    if (baseline == null) {
      return false;
    }
    try {
      return Double.parseDouble(recorded) == Double.parseDouble(baseline);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The argument, single-quoted for a POSIX shell if it holds anything but safe characters. */
  static String quote(String argument) {
    if (SHELL_SAFE.matcher(argument).matches()) {
      return argument;
    }
    return "'" + argument.replace("'", "'\\''") + "'";
  }
}
