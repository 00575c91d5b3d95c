package dev.kappa.pipelines.archive;

import dev.kappa.io.file.Files;
import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.KafkaReadOptions;
import dev.kappa.options.LauncherOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.job.Events;
import dev.kappa.pipelines.job.JobContext;
import dev.kappa.pipelines.job.JobPart;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.schemas.common.SourceRecord;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Archives Kafka topics to Avro files, record by record: original key and value bytes, topic,
 * partition, offset and Kafka timestamp. Nothing is decoded, so nothing is rejected: malformed
 * records are archived as they are and become dead letters only when a job replays them.
 *
 * <p>Files are written every {@code --archiveFlushInterval} of processing time (default one hour)
 * under {@code --archive}; any job reads them back with {@code --source=FILES
 * --input=<archive>-*.avro} and sees the same records, positions included, as it would from Kafka.
 *
 * <pre>{@code
 * scripts/kappa run archive-topics @runners-config/flink-embedded.args \
 *     --inputTopics=orders --archive=/archive/orders/orders
 * }</pre>
 */
public final class ArchiveTopics implements KappaJob<ArchiveTopics.Options> {

  /** Everything ArchiveTopics reads from the command line. */
  public interface Options extends KafkaReadOptions, ConnectionOptions, LauncherOptions {
    @Description("Path prefix of the archive files, e.g. /archive/orders/orders (required).")
    String getArchive();

    void setArchive(String value);

    @Description("How often the archive writes a file, in processing time (ISO-8601).")
    @Default.String("PT1H")
    String getArchiveFlushInterval();

    void setArchiveFlushInterval(String value);
  }

  /**
   * The records of {@code --inputTopics} (default: orders). The archive does not decode: Kafka's
   * own timestamp is the only time it has. One far ahead of now is archived like any record but
   * does not move the watermark.
   */
  static final Events<Options> RECORDS =
      Events.<Options>read("ReadRecords", ArchiveTopics::kafkaTimestamp)
          .withDefaultTopics("orders")
          .keepingImplausibleEventTimes();

  public static void main(String[] args) {
    JobRunner.main(new ArchiveTopics(), args);
  }

  @Override
  public String name() {
    return "archive-topics";
  }

  @Override
  public String description() {
    return "Archives Kafka topics to Avro files (bytes and positions kept) for replay from files.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<JobPart<Options>> parts() {
    return List.of(RECORDS);
  }

  @Override
  public void checkOptions(Options options) {
    archive(options);
    flushInterval(options);
  }

  @Override
  public void build(JobContext<Options> job) {
    job.read(RECORDS)
        .apply(
            "ArchiveRecords",
            Files.writeArchive(archive(job.options()))
                .withFlushInterval(flushInterval(job.options())));
  }

  private static String archive(Options options) {
    return OptionValues.required("archive", options.getArchive());
  }

  private static Duration flushInterval(Options options) {
    Duration flush =
        OptionValues.optionalPositiveDuration(
            "archiveFlushInterval", options.getArchiveFlushInterval());
    if (flush == null) {
      throw new InvalidOptionException(
          "archiveFlushInterval", "must be a positive duration, was none");
    }
    return flush;
  }

  static Instant kafkaTimestamp(SourceRecord record) {
    return record.getTimestamp() == null ? null : new Instant(record.getTimestamp().toEpochMilli());
  }
}
