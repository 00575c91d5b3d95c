package dev.kappa.pipelines.archive;

import dev.kappa.io.file.Files;
import dev.kappa.io.kafka.ReadKafka;
import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.LauncherOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.pipelines.KafkaSafety;
import dev.kappa.pipelines.LaunchChecks;
import dev.kappa.pipelines.Sources;
import dev.kappa.schemas.common.SourceRecord;
import dev.kappa.transforms.windowing.EventTimeBounds;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
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
public final class ArchiveTopics {
  private ArchiveTopics() {}

  /** Everything ArchiveTopics reads from the command line. */
  public interface Options extends KafkaOptions, ConnectionOptions, LauncherOptions {
    @Description("Path prefix of the archive files, e.g. /archive/orders/orders (required).")
    String getArchive();

    void setArchive(String value);

    @Description("How often the archive writes a file, in processing time (ISO-8601).")
    @Default.String("PT1H")
    String getArchiveFlushInterval();

    void setArchiveFlushInterval(String value);
  }

  public static void main(String[] args) {
    run(args).waitUntilFinish();
  }

  public static PipelineResult run(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    return run(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  public static PipelineResult run(Options options) {
    Pipeline pipeline = Pipeline.create(options);
    LaunchChecks.within(OptionValues.connectTimeout("connectTimeout", options.getConnectTimeout()))
        .kafkaTopics(options.getBootstrapServers(), "inputTopics", options.getInputTopics())
        .run();
    build(pipeline, options);
    return pipeline.run();
  }

  /** Adds the job to {@code pipeline}. */
  public static void build(Pipeline pipeline, Options options) {
    String archive = OptionValues.required("archive", options.getArchive());
    org.joda.time.Duration flush =
        OptionValues.optionalPositiveDuration(
            "archiveFlushInterval", options.getArchiveFlushInterval());
    if (flush == null) {
      throw new dev.kappa.options.InvalidOptionException(
          "archiveFlushInterval", "must be a positive duration, was none");
    }
    KafkaSafety.checkKafka(options);
    ReadKafka read =
        Sources.kafka(options, "kappa-archive-topics")
            // The archive does not decode: Kafka's own timestamp is the only time it has. One far
            // ahead of now is archived like any record but does not move the watermark.
            .withEventTime(EventTimeBounds.create().checking(ArchiveTopics::kafkaTimestamp));
    PCollection<SourceRecord> records = pipeline.apply("ReadRecords", read);
    records.apply("ArchiveRecords", Files.writeArchive(archive).withFlushInterval(flush));
  }

  static Instant kafkaTimestamp(SourceRecord record) {
    return record.getTimestamp() == null ? null : new Instant(record.getTimestamp().toEpochMilli());
  }
}
