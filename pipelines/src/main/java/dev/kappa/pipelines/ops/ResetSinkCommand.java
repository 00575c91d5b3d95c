package dev.kappa.pipelines.ops;

import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.Secrets;
import dev.kappa.pipelines.SinkProgress;
import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/**
 * {@code kappa reset-sink <topic> --sinkGroupId=<the job's --sinkGroupId>
 * [--bootstrapServers=localhost:9092] [--kafkaClientProperties=<file>]}: deletes the progress
 * Beam's exactly-once Kafka sink keeps for one output topic (the committed offsets of group {@code
 * <sinkGroupId>-<topic>}), the recovery from known defect 1 in docs/reliability.md.
 *
 * <p>For a job that fails on every restore with "Kafka metadata exists for shard N, but there is no
 * stored state for it": cancel it, run this, and resume from the same savepoint or checkpoint. The
 * sink then starts afresh and writes the records of its first transaction a second time (they were
 * committed once already, and the state restored still holds them as not written); every other
 * record once. Not for any other failure: a writer that has a writer id in its state needs its
 * progress in Kafka. Exit codes: 0 reset (or nothing to reset), 1 the broker failed, 2 a usage
 * error.
 */
public final class ResetSinkCommand {
  private ResetSinkCommand() {}

  private static final Set<String> OPTIONS =
      Set.of("sinkGroupId", "bootstrapServers", Secrets.KAFKA_OPTION);

  static final String USAGE =
      "kappa reset-sink <topic> --sinkGroupId=<the job's --sinkGroupId>"
          + " [--bootstrapServers=localhost:9092] [--kafkaClientProperties=<file>]";

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    OpsArguments arguments;
    String sinkGroupId;
    try {
      arguments = OpsArguments.parse(args, Set.of(), OPTIONS);
      if (arguments.positional().size() != 1) {
        throw new OpsArguments.UsageException(
            "name one output topic, got " + arguments.positional());
      }
      sinkGroupId =
          arguments
              .option("sinkGroupId")
              .orElseThrow(
                  () ->
                      new OpsArguments.UsageException(
                          "--sinkGroupId is required: the job's, without the topic"));
    } catch (OpsArguments.UsageException e) {
      err.println("kappa reset-sink: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    String topic = arguments.positional().get(0);
    String bootstrapServers = arguments.option("bootstrapServers", "localhost:9092");
    String group = SinkProgress.group(sinkGroupId, topic);
    Map<Integer, String> reset;
    try {
      Map<String, Object> client =
          Secrets.kafkaClientConfig(arguments.option(Secrets.KAFKA_OPTION).orElse(null));
      reset = SinkProgress.reset(bootstrapServers, group, topic, client);
    } catch (InvalidOptionException e) {
      err.println("kappa reset-sink: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      err.println("kappa reset-sink: " + e.getMessage());
      return 1;
    }
    if (reset.isEmpty()) {
      out.println(
          "kappa reset-sink: group " + group + " has no progress for topic " + topic + ": kept");
      return 0;
    }
    for (Map.Entry<Integer, String> shard : reset.entrySet()) {
      out.println(
          "kappa reset-sink: deleted group "
              + group
              + " shard "
              + shard.getKey()
              + " (was "
              + shard.getValue()
              + ")");
    }
    out.println(
        "kappa reset-sink: resume the job from the savepoint or checkpoint it failed to restore;"
            + " its sink writes the records of its first transaction again");
    return 0;
  }
}
