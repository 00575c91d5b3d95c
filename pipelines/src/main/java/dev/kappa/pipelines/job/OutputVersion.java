package dev.kappa.pipelines.job;

import dev.kappa.options.InvalidOptionException;
import java.io.Serializable;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * A version of a job's outputs ({@code --outputVersion=v2}) and how it names what the job writes,
 * so that a new version runs beside the live one without touching its outputs:
 *
 * <ul>
 *   <li>PostgreSQL tables, Kafka topics and file prefixes get the suffix {@code _v2}: {@code
 *       category_revenue} becomes {@code category_revenue_v2}, {@code kafka:revenue} {@code
 *       kafka:revenue_v2}, {@code out/too-late} {@code out/too-late_v2}; the console stays;
 *   <li>the Kafka consumer group and exactly-once sink group get the suffix {@code -v2}: {@code
 *       kappa-order-revenue-v2}, so the version reads the input from its own position;
 *   <li>the launcher's default job name gets the suffix {@code -v2} too ({@code order-revenue-v2}),
 *       which {@code kappa cutover} finds the version's Flink job by.
 * </ul>
 *
 * <p>The stable names (the table's and topic's names as given) point at the live version: a table's
 * is a view of the live version's table; a topic's is a convention, its readers looking up the live
 * version in {@code kappa_live_versions} ({@link OutputVersions}).
 */
public record OutputVersion(String name) implements Serializable {

  private static final Pattern NAME = Pattern.compile("v[1-9][0-9]{0,5}");

  /** The option that sets it. */
  public static final String OPTION = "outputVersion";

  public OutputVersion {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidOptionException(
          OPTION,
          "'"
              + name
              + "' is not a version: give v followed by a number, such as v2 (it becomes the"
              + " suffix _v2 of the job's tables and topics)");
    }
  }

  /** The version {@code text} names, or null when it is unset (unversioned outputs). */
  @Nullable
  public static OutputVersion parse(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    return new OutputVersion(text.trim());
  }

  /** {@code category_revenue} as {@code category_revenue_v2}. */
  public String table(String stable) {
    return stable + "_" + name;
  }

  /** {@code revenue} as {@code revenue_v2}. */
  public String topic(String stable) {
    return stable + "_" + name;
  }

  /** {@code kappa-order-revenue} as {@code kappa-order-revenue-v2}. */
  public String group(String group) {
    return group + "-" + name;
  }

  /** {@code order-revenue} as {@code order-revenue-v2}: the launcher's default job name. */
  public String jobName(String job) {
    return job + "-" + name;
  }

  /** {@code target} under this version's name; the console as it is. */
  public Target target(Target target) {
    if (target instanceof Target.KafkaTopic topic) {
      return new Target.KafkaTopic(topic(topic.topic()));
    }
    if (target instanceof Target.Files files) {
      return new Target.Files(files.prefix() + "_" + name);
    }
    return target;
  }

  @Override
  public String toString() {
    return name;
  }
}
