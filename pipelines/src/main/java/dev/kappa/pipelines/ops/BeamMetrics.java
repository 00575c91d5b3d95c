package dev.kappa.pipelines.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Finds a pipeline's Beam metrics among a vertex's Flink metrics and adds them up over subtasks.
 *
 * <p>The FlinkRunner registers each Beam counter, distribution and gauge with the Flink metric
 * group of the operator that updates it, named {@code <namespace>_<name>} (dots in the namespace
 * become underscores): the REST API lists it as {@code <subtask>.<operator>.<namespace>_<name>},
 * e.g. {@code 0.ComputeOrderRevenue/DecodeOrders/ParMultiDo(Decode).DecodeOrders_decoded}, and the
 * Prometheus reporter as {@code flink_taskmanager_job_task_operator_DecodeOrders_decoded} with the
 * operator in a label. A metric appears once it was first updated. Counters and gauges are numbers;
 * a distribution is a gauge whose value is text, {@code DistributionResult{sum=.., count=..,
 * min=.., max=..}} (which is why Prometheus sees it as 0).
 */
final class BeamMetrics {
  private BeamMetrics() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUBTASK_ID = Pattern.compile("(\\d+)\\.(.+)\\.([^.]+)");
  private static final Pattern FLINK_HISTOGRAM_STAT =
      Pattern.compile("[A-Za-z]+_(min|max|mean|median|stddev|p\\d+)");
  private static final Pattern DISTRIBUTION =
      Pattern.compile(
          "DistributionResult\\{sum=(-?\\d+), count=(\\d+), min=(-?\\d+), max=(-?\\d+)\\}");
  private static final Pattern JAVA_PACKAGE_SEGMENT = Pattern.compile("[a-z][a-z0-9]*");

  /** A Beam metric of one operator: which operator, and its namespace and name. */
  record Key(String operator, String namespace, String name) {
    /** {@code DecodeOrders/decoded}, {@code DivertTooLateEvents/tooLateRecords}. */
    String displayName() {
      return shortNamespace(namespace) + "/" + name;
    }
  }

  /**
   * The Beam metric in a subtask metric id, if it is one: {@code <subtask>.<operator>.<namespace>_
   * <name>}. Flink's own metrics have no namespace ({@code numRecordsIn}), or sit on the task
   * rather than an operator ({@code 0.mailboxLatencyMs_p99}).
   */
  static Optional<Key> parse(String metricId) {
    Matcher id = SUBTASK_ID.matcher(metricId);
    if (!id.matches()) {
      return Optional.empty();
    }
    String metric = id.group(3);
    int separator = metric.lastIndexOf('_');
    if (separator <= 0
        || separator == metric.length() - 1
        || FLINK_HISTOGRAM_STAT.matcher(metric).matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new Key(id.group(2), metric.substring(0, separator), metric.substring(separator + 1)));
  }

  /**
   * The Beam metrics among {@code values} (metric id to value, as the REST API renders them), each
   * summed over subtasks, in the order they first appear.
   */
  static List<StepMetric> aggregate(Map<String, String> values) {
    Map<Key, StepMetric> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : values.entrySet()) {
      Optional<Key> key = parse(entry.getKey());
      if (key.isEmpty()) {
        continue;
      }
      StepMetric value = value(key.get(), entry.getValue());
      metrics.merge(key.get(), value, StepMetric::plus);
    }
    return new ArrayList<>(metrics.values());
  }

  private static StepMetric value(Key key, String text) {
    String step = step(key.operator());
    String metric = key.displayName();
    Matcher distribution = DISTRIBUTION.matcher(text.strip());
    if (distribution.matches()) {
      return new StepMetric(
          step,
          metric,
          null,
          new Distribution(
              Long.parseLong(distribution.group(2)),
              Long.parseLong(distribution.group(1)),
              Long.parseLong(distribution.group(3)),
              Long.parseLong(distribution.group(4))),
          null);
    }
    try {
      return new StepMetric(step, metric, Long.parseLong(text.strip()), null, null);
    } catch (NumberFormatException e) {
      return new StepMetric(step, metric, null, null, text);
    }
  }

  /**
   * The final Beam metrics of an ended job, from its {@code __metricscontainers} accumulator
   * ({@code GET /jobs/:id/accumulators}): the FlinkRunner's {@code MetricsContainerStepMap} as
   * JSON, one {@code MonitoringInfo} per metric and step, its value Beam's variable-length encoding
   * in base64. While a job runs the accumulator stays empty: the vertices' metrics hold the values
   * then.
   */
  static List<StepMetric> fromAccumulators(Map<String, String> accumulators) {
    Map<Key, StepMetric> metrics = new LinkedHashMap<>();
    String value = accumulators.get("__metricscontainers");
    if (value != null) {
      JsonNode containers;
      try {
        containers = JSON.readTree(value);
      } catch (JsonProcessingException e) {
        return List.of();
      }
      for (JsonNode info : containers.path("metrics").path("attempted")) {
        JsonNode labels = info.path("labels");
        Key key =
            new Key(
                labels.path("PTRANSFORM").asText(),
                labels.path("NAMESPACE").asText().replace('.', '_'),
                labels.path("NAME").asText());
        long[] values = varints(Base64.getDecoder().decode(info.path("payload").asText()));
        String type = info.path("type").asText();
        StepMetric metric;
        if (type.equals("beam:metrics:sum_int64:v1") && values.length == 1) {
          metric = new StepMetric(step(key.operator()), key.displayName(), values[0], null, null);
        } else if (type.equals("beam:metrics:distribution_int64:v1") && values.length == 4) {
          metric =
              new StepMetric(
                  step(key.operator()),
                  key.displayName(),
                  null,
                  new Distribution(values[0], values[1], values[2], values[3]),
                  null);
        } else if (type.equals("beam:metrics:latest_int64:v1") && values.length == 2) {
          metric = new StepMetric(step(key.operator()), key.displayName(), values[1], null, null);
        } else {
          continue;
        }
        metrics.merge(key, metric, StepMetric::plus);
      }
    }
    return new ArrayList<>(metrics.values());
  }

  /** Beam's VarInt encoding: unsigned LEB128 of each long's two's complement. */
  static long[] varints(byte[] bytes) {
    List<Long> values = new ArrayList<>();
    long value = 0;
    int shift = 0;
    for (byte b : bytes) {
      value |= (long) (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        values.add(value);
        value = 0;
        shift = 0;
      }
    }
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * The Beam step an operator name stands for: {@code WriteResults/MeasureOutput} for {@code
   * WriteResults/MeasureOutput/ParDo(Measure)/ParMultiDo(Measure)}.
   */
  static String step(String operator) {
    String step = operator.replaceFirst("^Source__", "Source: ");
    String previous;
    do {
      previous = step;
      step = step.replaceFirst("/(ParMultiDo|ParDo)\\([^/]*\\)$", "");
    } while (!step.equals(previous) && step.contains("/"));
    return step;
  }

  /**
   * {@code DivertTooLateEvents} for the namespace of a class ({@code
   * dev_kappa_transforms_lateness_DivertTooLateEvents}); other namespaces as they are.
   */
  static String shortNamespace(String namespace) {
    String[] segments = namespace.split("_");
    if (segments.length < 2) {
      return namespace;
    }
    for (int i = 0; i < segments.length - 1; i++) {
      if (!JAVA_PACKAGE_SEGMENT.matcher(segments[i]).matches()) {
        return namespace;
      }
    }
    String last = segments[segments.length - 1];
    return !last.isEmpty() && Character.isUpperCase(last.charAt(0)) ? last : namespace;
  }

  /**
   * One Beam metric of one step over all its subtasks: a counter's or gauge's {@code value}, a
   * {@code distribution}, or, for anything else, its {@code text}.
   */
  record StepMetric(
      String step,
      String metric,
      @Nullable Long value,
      @Nullable Distribution distribution,
      @Nullable String text) {

    StepMetric plus(StepMetric other) {
      if (value != null && other.value != null) {
        return new StepMetric(step, metric, value + other.value, null, null);
      }
      if (distribution != null && other.distribution != null) {
        return new StepMetric(step, metric, null, distribution.plus(other.distribution), null);
      }
      return new StepMetric(step, metric, null, null, render() + ", " + other.render());
    }

    /** The value as {@code kappa status} shows it. */
    String render() {
      if (value != null) {
        return Long.toString(value);
      }
      if (distribution != null) {
        return distribution.render(metric.endsWith("Millis"));
      }
      return String.valueOf(text);
    }
  }

  /** A Beam distribution: how many values, their sum, the smallest and the largest. */
  record Distribution(long count, long sum, long min, long max) {
    Distribution plus(Distribution other) {
      if (count == 0) {
        return other;
      }
      if (other.count == 0) {
        return this;
      }
      return new Distribution(
          count + other.count, sum + other.sum, Math.min(min, other.min), Math.max(max, other.max));
    }

    /** The mean, or 0 without values. */
    double mean() {
      return count == 0 ? 0 : (double) sum / count;
    }

    /** {@code count 346, mean 264d 13h, min ..., max ...}; durations if {@code millis}. */
    String render(boolean millis) {
      if (count == 0) {
        return "count 0";
      }
      return "count "
          + count
          + ", mean "
          + (millis ? Formats.duration((long) mean()) : Formats.decimal(mean()))
          + ", min "
          + (millis ? Formats.duration(min) : Long.toString(min))
          + ", max "
          + (millis ? Formats.duration(max) : Long.toString(max));
    }
  }
}
