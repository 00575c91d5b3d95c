package dev.kappa.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kappa.schemas.codec.DecodeException;
import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.validation.OrderEvents;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The native contender: OrderRevenue's batch work as a Flink 1.19 DataStream job in BATCH execution
 * mode, written the way a Flink engineer would for a backfill.
 *
 * <ol>
 *   <li>The orders topic, bounded at its end offsets, decoded and validated with our codec into a
 *       small POJO (undecodable or invalid records to a side output: the dead letters).
 *   <li>The products and customers change streams (small) broadcast to every order task, which
 *       keeps each key's versions in a sorted map and looks up the version valid at the order's
 *       event time: no shuffle of the orders (in BATCH mode the broadcast side is read first).
 *   <li>5-minute tumbling event-time windows keyed by category and currency, summed incrementally
 *       with an {@link AggregateFunction}.
 * </ol>
 *
 * <p>Parallelism 2 on a local MiniCluster. Results and dead letters are collected to this JVM and
 * written as a {@link RaceResult}.
 *
 * <p>Usage: {@code NativeFlinkJob <bootstrapServers> <orders> <products> <customers> <resultDir>}.
 */
public final class NativeFlinkJob {
  private NativeFlinkJob() {}

  static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("deadLetters") {};
  private static final String DEAD = "\u0000dead";

  static final MapStateDescriptor<String, TreeMap<Long, String>> VERSIONS =
      new MapStateDescriptor<>(
          "versions",
          BasicTypeInfo.STRING_TYPE_INFO,
          TypeInformation.of(new TypeHint<TreeMap<Long, String>>() {}));

  /** A decoded, valid order: only what the job needs. */
  public static final class Order {
    public String productId;
    public String customerId;
    public String currency;
    public long eventTime;
    public long revenueCents;

    public Order() {}
  }

  /** An order with its category and tier. */
  public static final class EnrichedOrder {
    public String category;
    public String tier;
    public String currency;
    public long eventTime;
    public long revenueCents;

    public EnrichedOrder() {}
  }

  /** One change of a table row: {@code value} (category or tier) null for a deletion. */
  public static final class Change {
    public String key;
    public long time;
    public String value;

    public Change() {}
  }

  public static void main(String[] args) throws Exception {
    String servers = args[0];
    Path out = Path.of(args[4]);

    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);

    SingleOutputStreamOperator<Order> orders =
        env.fromSource(source(servers, args[1]), WatermarkStrategy.noWatermarks(), "ReadOrders")
            .process(new DecodeOrderFn())
            .name("DecodeOrders");

    DataStream<Change> changes =
        env.fromSource(source(servers, args[2]), WatermarkStrategy.noWatermarks(), "ReadProducts")
            .setParallelism(1)
            .map(bytes -> ChangeParser.parse(bytes, "P|", "product_id", "category"))
            .setParallelism(1)
            .name("ParseProductChanges")
            .union(
                env.fromSource(
                        source(servers, args[3]), WatermarkStrategy.noWatermarks(), "ReadCustomers")
                    .setParallelism(1)
                    .map(bytes -> ChangeParser.parse(bytes, "C|", "customer_id", "tier"))
                    .setParallelism(1)
                    .name("ParseCustomerChanges"));

    DataStream<String> results =
        orders
            .connect(changes.broadcast(VERSIONS))
            .process(new EnrichFn())
            .name("EnrichOrders")
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<EnrichedOrder>forBoundedOutOfOrderness(Duration.ofMinutes(1))
                    .withTimestampAssigner((order, previous) -> order.eventTime))
            .keyBy(order -> order.category + "\t" + order.currency)
            .window(TumblingEventTimeWindows.of(Duration.ofMinutes(5)))
            .aggregate(new SumRevenueFn(), new ToRowFn())
            .name("SumRevenue");

    DataStream<String> dead = orders.getSideOutput(DEAD_LETTERS).map(error -> DEAD);

    TreeMap<String, String> rows = new TreeMap<>();
    long deadLetters = 0;
    // Not try-with-resources: CloseableIterator.close() may throw InterruptedException.
    CloseableIterator<String> collected =
        results.union(dead).executeAndCollect("native-order-revenue");
    try {
      while (collected.hasNext()) {
        String line = collected.next();
        if (line.equals(DEAD)) {
          deadLetters++;
        } else {
          String[] parts = line.split("\t");
          if (rows.put(parts[0], parts[1]) != null) {
            throw new IllegalStateException("two results for " + parts[0]);
          }
        }
      }
    } finally {
      collected.close();
    }
    long counted = new RaceResult(rows, true, 0, deadLetters).orderCountInRows();
    new RaceResult(rows, true, counted, deadLetters).write(out);
  }

  private static KafkaSource<byte[]> source(String servers, String topic) {
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

  /** Decodes and validates an order; failures to the dead-letter side output. */
  static final class DecodeOrderFn extends ProcessFunction<byte[], Order> {
    private static final long serialVersionUID = 1L;
    private transient EventCodec<OrderEvent> codec;

    @Override
    public void processElement(byte[] bytes, Context context, Collector<Order> out) {
      if (codec == null) {
        codec = EventCodec.of(OrderEvent.class);
      }
      OrderEvent event;
      try {
        event = codec.decode(bytes);
      } catch (DecodeException e) {
        context.output(DEAD_LETTERS, e.getMessage());
        return;
      }
      if (!OrderEvents.validate(event).isEmpty()) {
        context.output(DEAD_LETTERS, String.join("; ", OrderEvents.validate(event)));
        return;
      }
      Order order = new Order();
      order.productId = event.getProductId();
      order.customerId = event.getCustomerId();
      order.currency = event.getCurrency();
      order.eventTime = event.getEventTime().toEpochMilli();
      order.revenueCents = OrderEvents.revenueCents(event);
      out.collect(order);
    }
  }

  /** Reads a Debezium change event. */
  static final class ChangeParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChangeParser() {}

    static Change parse(byte[] bytes, String prefix, String keyField, String valueField)
        throws IOException {
      JsonNode event = JSON.readTree(bytes);
      boolean delete = event.path("op").asText().equals("d");
      JsonNode row = delete ? event.path("before") : event.path("after");
      Change change = new Change();
      change.key = prefix + row.path(keyField).asText();
      change.time = event.path("source").path("ts_ms").asLong();
      change.value = delete ? null : row.path(valueField).asText();
      return change;
    }
  }

  /** Adds the category and tier valid at each order's event time from the broadcast versions. */
  static final class EnrichFn extends BroadcastProcessFunction<Order, Change, EnrichedOrder> {
    private static final long serialVersionUID = 1L;

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
      ReadOnlyBroadcastState<String, TreeMap<Long, String>> state =
          context.getBroadcastState(VERSIONS);
      String category = asOf(state, "P|" + order.productId, order.eventTime);
      EnrichedOrder enriched = new EnrichedOrder();
      enriched.category = category == null ? "unknown" : category;
      enriched.tier = asOf(state, "C|" + order.customerId, order.eventTime);
      enriched.currency = order.currency;
      enriched.eventTime = order.eventTime;
      enriched.revenueCents = order.revenueCents;
      out.collect(enriched);
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

  /** Order count and revenue, incrementally. */
  static final class SumRevenueFn implements AggregateFunction<EnrichedOrder, long[], long[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public long[] createAccumulator() {
      return new long[2];
    }

    @Override
    public long[] add(EnrichedOrder order, long[] totals) {
      totals[0]++;
      totals[1] += order.revenueCents;
      return totals;
    }

    @Override
    public long[] getResult(long[] totals) {
      return totals;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  /** One result row: {@code window_start category currency <tab> count revenue}. */
  static final class ToRowFn extends ProcessWindowFunction<long[], String, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
        String key, Context context, Iterable<long[]> totals, Collector<String> out) {
      String[] categoryAndCurrency = key.split("\t");
      long[] sums = totals.iterator().next();
      out.collect(
          RaceResult.key(
                  context.window().getStart(), categoryAndCurrency[0], categoryAndCurrency[1])
              + "\t"
              + sums[0]
              + " "
              + sums[1]);
    }
  }
}
