package dev.kappa.pipelines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The arguments that run a job on the embedded Flink runner in the integration tests: {@code
 * [local]}, parallelism 2 (the machines have two cores), and the Flink configuration of {@code
 * runners-config/flink/embedded} (the {@code kappa.runnersConfig} property, else {@code
 * ../runners-config}).
 */
public final class EmbeddedFlinkArgs {
  private EmbeddedFlinkArgs() {}

  /** The runner's arguments followed by {@code more}, in a list the caller may add to. */
  public static List<String> with(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--parallelism=2",
                "--flinkConfDir="
                    + Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
                        .resolve("flink/embedded")));
    args.addAll(Arrays.asList(more));
    return args;
  }
}
