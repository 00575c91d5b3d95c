package dev.kappa.options;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** How a job reads Kafka topics: which, under which consumer group, and where it stops. */
public interface KafkaReadOptions extends KafkaOptions {

  @Description("Topics to read events from (comma-separated). Default: the job's own input topic.")
  List<String> getInputTopics();

  void setInputTopics(List<String> value);

  @Description(
      "Consumer group whose offsets are committed when a Flink checkpoint completes. Default:"
          + " kappa-<pipeline>, the same at every launch, so a restarted job resumes there.")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description(
      "Stream only what is in the topics at launch, then finish (the watermark then passes every"
          + " window): for catching up and for tests.")
  @Default.Boolean(false)
  boolean getStopAtEnd();

  void setStopAtEnd(boolean value);

  @Description(
      "Stream until these offsets, written or not yet, then finish: partition=offset pairs of the"
          + " single input topic, e.g. 0=134,1=133,2=133. For runs that must end at a known point"
          + " while data is still being produced.")
  List<String> getStopAtOffsets();

  void setStopAtOffsets(List<String> value);

  @Description(
      "Let the Kafka consumer commit offsets on its own timer (live reads only) instead of on"
          + " checkpoints. Refused with checkpointing: offsets can be committed for records a"
          + " failed checkpoint never processed (apache/beam#21742).")
  @Default.Boolean(false)
  boolean getKafkaAutoCommit();

  void setKafkaAutoCommit(boolean value);
}
