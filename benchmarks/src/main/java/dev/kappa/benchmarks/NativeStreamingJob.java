package dev.kappa.benchmarks;

import dev.kappa.benchmarks.NativeFlinkJob.Change;
import dev.kappa.benchmarks.NativeFlinkJob.ChangeParser;
import dev.kappa.benchmarks.NativeFlinkJob.DecodeOrderFn;
import dev.kappa.benchmarks.NativeFlinkJob.EnrichedOrder;
import dev.kappa.benchmarks.NativeFlinkJob.Order;
import dev.kappa.benchmarks.NativeFlinkJob.SumRevenueFn;
import dev.kappa.benchmarks.NativeFlinkJob.ToRowFn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The native contender of the streaming race: OrderRevenue's streaming work as a Flink 1.19
 * DataStream job in STREAMING execution mode, with the watermark policy of Kappa's Kafka source.
 *
 * <ol>
 *   <li>The orders topic from its start to the given offsets (so that the job ends where the
 *       producer stops), event time the Kafka record timestamp (the producer sets it to the order's
 *       event time), watermark per partition the greatest event time minus the out-of-orderness
 *       bound, emitted as often as Kappa's (its {@code --autoWatermarkInterval}), a partition
 *       without records for 1 minute idle; decoded and validated with our codec (bad records to a
 *       side output: the dead letters).
 *   <li>The products and customers change streams read to their end at launch and broadcast; the
 *       orders, keyed by product, wait in keyed state until the watermark passes their event time
 *       (an event-time temporal join: a change can never be missed because the orders' topic was
 *       read first), then take the versions valid at their event time.
 *   <li>Tumbling event-time windows keyed by category and currency, summed incrementally, emitted
 *       when the watermark passes their end (no early firings, no allowed lateness).
 *   <li>Results and dead letters written to Kafka topics, at least once and not transactionally,
 *       without checkpoints: each record is sent when it is computed.
 * </ol>
 *
 * <p>Usage: {@code NativeStreamingJob <bootstrapServers> <orders> <products> <customers>
 * <stopOffsets p=o,...> <windowMillis> <maxOutOfOrdernessMillis> <resultTopic> <deadLetterTopic>
 * <watermarkIntervalMillis>}.
 */
public final class NativeStreamingJob {
  private NativeStreamingJob() {}

  /** How long a partition without records may hold the watermark: Kappa's idle timeout. */
  static final Duration IDLE_TIMEOUT = Duration.ofMinutes(1);

  static final MapStateDescriptor<String, TreeMap<Long, String>> VERSIONS =
      new MapStateDescriptor<>(
          "versions",
          BasicTypeInfo.STRING_TYPE_INFO,
          TypeInformation.of(new TypeHint<TreeMap<Long, String>>() {}));

  public static void main(String[] args) throws Exception {
    String servers = args[0];
    String ordersTopic = args[1];
    Map<TopicPartition, Long> stop = new HashMap<>();
    for (String pair : args[4].split(",")) {
      String[] parts = pair.split("=");
      stop.put(
          new TopicPartition(ordersTopic, Integer.parseInt(parts[0])), Long.parseLong(parts[1]));
    }
    Duration window = Duration.ofMillis(Long.parseLong(args[5]));
    Duration maxOutOfOrderness = Duration.ofMillis(Long.parseLong(args[6]));
    Duration watermarkInterval = Duration.ofMillis(Long.parseLong(args[9]));

    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, watermarkInterval);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(2);

    KafkaSource<byte[]> orderSource =
        KafkaSource.<byte[]>builder()
            .setBootstrapServers(servers)
            .setTopics(ordersTopic)
            .setGroupId("native-" + ordersTopic)
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setBounded(OffsetsInitializer.offsets(stop))
            .setDeserializer(
                KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
            .setProperty("commit.offsets.on.checkpoint", "false")
            .build();
    SingleOutputStreamOperator<Order> orders =
        env.fromSource(
                orderSource,
                WatermarkStrategy.<byte[]>forBoundedOutOfOrderness(maxOutOfOrderness)
                    .withIdleness(IDLE_TIMEOUT),
                "ReadOrders")
            .process(new DecodeOrderFn())
            .name("DecodeOrders");

    DataStream<Change> changes =
        env.fromSource(
                changeSource(servers, args[2]), WatermarkStrategy.noWatermarks(), "ReadProducts")
            .setParallelism(1)
            .map(bytes -> ChangeParser.parse(bytes, "P|", "product_id", "category"))
            .setParallelism(1)
            .name("ParseProductChanges")
            .union(
                env.fromSource(
                        changeSource(servers, args[3]),
                        WatermarkStrategy.noWatermarks(),
                        "ReadCustomers")
                    .setParallelism(1)
                    .map(bytes -> ChangeParser.parse(bytes, "C|", "customer_id", "tier"))
                    .setParallelism(1)
                    .name("ParseCustomerChanges"));

    orders
        .keyBy(order -> order.productId)
        .connect(changes.broadcast(VERSIONS))
        .process(new TemporalEnrichFn())
        .name("EnrichOrders")
        .keyBy(order -> order.category + "\t" + order.currency)
        .window(TumblingEventTimeWindows.of(window))
        .aggregate(new SumRevenueFn(), new ToRowFn())
        .name("SumRevenue")
        .sinkTo(sink(servers, args[7]))
        .name("WriteResults");
    orders
        .getSideOutput(NativeFlinkJob.DEAD_LETTERS)
        .sinkTo(sink(servers, args[8]))
        .name("WriteDeadLetters");

    env.execute("native-streaming-order-revenue");
  }

  private static KafkaSource<byte[]> changeSource(String servers, String topic) {
    return KafkaSource.<byte[]>builder()
        .setBootstrapServers(servers)
        .setTopics(topic)
        .setGroupId("native-" + topic)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
        .setProperty("commit.offsets.on.checkpoint", "false")
        .build();
  }

  private static KafkaSink<String> sink(String servers, String topic) {
    return KafkaSink.<String>builder()
        .setBootstrapServers(servers)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.builder()
                .setTopic(topic)
                .setValueSerializationSchema(new SimpleStringSchema())
                .build())
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  /**
   * The event-time temporal join: each order waits, in its product's keyed state, until the
   * watermark (the minimum of the orders' and the change streams') passes its event time, then
   * takes from the broadcast versions the product and customer valid at that time.
   */
  static final class TemporalEnrichFn
      extends KeyedBroadcastProcessFunction<String, Order, Change, EnrichedOrder> {
    private static final long serialVersionUID = 1L;
    private transient MapState<Long, List<Order>> waiting;

    @Override
    public void open(Configuration parameters) {
      waiting =
          getRuntimeContext()
              .getMapState(
                  new MapStateDescriptor<>(
                      "waiting",
                      BasicTypeInfo.LONG_TYPE_INFO,
                      TypeInformation.of(new TypeHint<List<Order>>() {})));
    }

    @Override
    public void processBroadcastElement(
        Change change, Context context, Collector<EnrichedOrder> out) throws Exception {
      TreeMap<Long, String> versions = context.getBroadcastState(VERSIONS).get(change.key);
      if (versions == null) {
        versions = new TreeMap<>();
      }
      versions.put(change.time, change.value);
      context.getBroadcastState(VERSIONS).put(change.key, versions);
    }

    @Override
    public void processElement(Order order, ReadOnlyContext context, Collector<EnrichedOrder> out)
        throws Exception {
      List<Order> atTime = waiting.get(order.eventTime);
      if (atTime == null) {
        atTime = new ArrayList<>();
      }
      atTime.add(order);
      waiting.put(order.eventTime, atTime);
      context.timerService().registerEventTimeTimer(order.eventTime);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<EnrichedOrder> out)
        throws Exception {
      List<Order> due = waiting.get(timestamp);
      if (due == null) {
        return;
      }
      ReadOnlyBroadcastState<String, TreeMap<Long, String>> state =
          context.getBroadcastState(VERSIONS);
      for (Order order : due) {
        String category = asOf(state, "P|" + order.productId, order.eventTime);
        EnrichedOrder enriched = new EnrichedOrder();
        enriched.category = category == null ? "unknown" : category;
        enriched.tier = asOf(state, "C|" + order.customerId, order.eventTime);
        enriched.currency = order.currency;
        enriched.eventTime = order.eventTime;
        enriched.revenueCents = order.revenueCents;
        out.collect(enriched);
      }
      waiting.remove(timestamp);
    }

    private static String asOf(
        ReadOnlyBroadcastState<String, TreeMap<Long, String>> state, String key, long time)
        throws Exception {
      TreeMap<Long, String> versions = state.get(key);
      if (versions == null) {
        return null;
      }
      Map.Entry<Long, String> version = versions.floorEntry(time);
      return version == null ? null : version.getValue();
    }
  }
}
