package dev.kappa.benchmarks;

import dev.kappa.schemas.codec.EventCodec;
import dev.kappa.schemas.events.OrderEvent;
import dev.kappa.schemas.results.CategoryRevenue;
import dev.kappa.testing.kafka.KafkaBroker;
import dev.kappa.testing.process.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One lap of the streaming race: one contender, one rate. Orders are produced into a fresh topic at
 * a fixed rate while the contender runs as a stream, and each window result's event-time latency is
 * measured: the time the broker appended it to the result topic (a topic with {@code
 * LogAppendTime}) minus the window's end.
 *
 * <p>A lap goes:
 *
 * <ol>
 *   <li>Tables: both change streams (a snapshot a day before, then recategorisations and tier
 *       changes over the hour before the lap) written before the contender starts.
 *   <li>Warm-up: {@value #WARM_UP} orders stamped over the two windows before the last complete
 *       one, written before the contender starts; the contender is ready when its first result
 *       reaches the result topic (so its start-up is not a backlog the measured phase drains).
 *   <li>Live: {@code rate × seconds} orders, each stamped with the wall-clock time it is produced
 *       (payload event time and Kafka timestamp), paced to the rate, the same generator, bytes and
 *       bad-record mix as the backfill race ({@link GenerateRaceData#order}).
 *   <li>End: both contenders read the orders topic up to the offsets the producer ends at (known in
 *       advance: record {@code i} goes to partition {@code i mod 4}), then finish; the windows
 *       still open are emitted by the end of input, not by the watermark, and are not measured.
 * </ol>
 *
 * <p>Measured: every result of a window that starts at or after the live phase's start plus the
 * settling time and ends at or before its last event time minus the out-of-orderness bound (the
 * windows the watermark closes once the contender runs steadily). The windows of the settling time
 * are the start-up: a contender whose code is still cold there falls behind and catches up, which a
 * stream pays once per start, not in its steady state; their greatest latency is reported on its
 * own. All results of all windows, warm-up included, must equal the generator's ground truth, as
 * must the dead-letter count.
 */
final class StreamingRace {

  /** The two contenders, in the order they run. */
  enum Contender {
    NATIVE("native", "native Flink 1.19 DataStream job, STREAMING"),
    KAPPA("kappa", "kappa run order-revenue, embedded Flink");

    final String id;
    final String description;

    Contender(String id, String description) {
      this.id = id;
      this.description = description;
    }
  }

  /** Latency percentiles in milliseconds over {@code count} window results. */
  record Latency(long count, long p50, long p99, long max) {
    static Latency of(List<Long> millis) {
      if (millis.isEmpty()) {
        return new Latency(0, -1, -1, -1);
      }
      long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Latency(
          sorted.length, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1]);
    }

    /** Nearest rank. */
    private static long percentile(long[] sorted, int p) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, rank - 1)];
    }
  }

  /**
   * How one contender did at one rate: {@code latency} over the measured windows, {@code startUp}
   * over the live windows of the settling time.
   */
  record Lap(
      Contender contender,
      double targetRate,
      double achievedRate,
      long liveOrders,
      Latency latency,
      Latency startUp,
      String loadAverage,
      List<String> differences) {}

  static final int WARM_UP = 400;
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private final Path root;
  private final String heap;
  private final Duration window;
  private final Duration maxOutOfOrderness;
  private final Duration settle;
  private final List<String> kappaOptions;

  /**
   * @param root the repository root
   * @param heap each contender JVM's {@code -Xmx}
   * @param window the tumbling window's size, for both contenders
   * @param maxOutOfOrderness the watermark's bound behind the greatest event time, for both
   * @param settle how long after the live phase's start windows are the start-up, not measured
   * @param kappaOptions more options for Kappa's job (experiments), after the race's own
   */
  StreamingRace(
      Path root,
      String heap,
      Duration window,
      Duration maxOutOfOrderness,
      Duration settle,
      List<String> kappaOptions) {
    this.root = root;
    this.kappaOptions = List.copyOf(kappaOptions);
    this.heap = heap;
    this.window = window;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.settle = settle;
  }

  /** Runs {@code contender} on orders produced at {@code rate} per second for {@code seconds}. */
  Lap run(KafkaBroker broker, Contender contender, double rate, long seconds, long seed, Path dir)
      throws IOException, InterruptedException {
    long windowMillis = window.toMillis();
    long now = System.currentTimeMillis();
    long warmUpStart = Math.floorDiv(now, windowMillis) * windowMillis - 3 * windowMillis;
    Run run =
        lap(
            broker,
            contender,
            WARM_UP,
            warmUpStart,
            2 * windowMillis / WARM_UP,
            rate,
            Math.max(1, Math.round(rate * seconds)),
            seed,
            dir,
            contender.id + "-" + Math.round(rate));
    long closedBy = run.lastEventTime - maxOutOfOrderness.toMillis();
    LongPredicate live = end -> end - windowMillis >= run.liveStart && end <= closedBy;
    LongPredicate measured =
        end -> live.test(end) && end - windowMillis >= run.liveStart + settle.toMillis();
    List<Long> latencies = new ArrayList<>();
    List<Long> startUp = new ArrayList<>();
    TreeMap<Long, List<Long>> byWindow = new TreeMap<>();
    run.parsed.firstAppend.forEach(
        (key, append) -> {
          long end = run.parsed.windowEnds.get(key);
          byWindow.computeIfAbsent(end, e -> new ArrayList<>()).add(append - end);
          if (measured.test(end)) {
            latencies.add(append - end);
          } else if (live.test(end)) {
            startUp.add(append - end);
          }
        });
    writeWindowLatencies(
        dir.resolve(contender.id + "-" + Math.round(rate)).resolve("latency.tsv"),
        byWindow,
        end -> measured.test(end) ? "yes" : live.test(end) ? "start-up" : "no");
    Latency latency = Latency.of(latencies);
    Latency settling = Latency.of(startUp);
    Race.log(
        "%-6s %,7.0f/s (target %,.0f/s): p50 %,d ms, p99 %,d ms, max %,d ms over %,d results"
            + " (start-up: max %,d ms over %,d); load %s; %s",
        contender.id,
        run.achievedRate,
        rate,
        latency.p50(),
        latency.p99(),
        latency.max(),
        latency.count(),
        settling.max(),
        settling.count(),
        run.load,
        run.differences.isEmpty() ? "equal to the ground truth" : "DIFFERENT: " + run.differences);
    return new Lap(
        contender,
        rate,
        run.achievedRate,
        run.liveOrders,
        latency,
        settling,
        run.load,
        run.differences);
  }

  /**
   * Each window's results, one line per window in order: its end, whether the lap measures it
   * ({@code yes}, {@code start-up} or {@code no}; see the class documentation), how many results it
   * had, and the least and greatest latency of its results in milliseconds. Where in a lap the
   * latency comes from, which p50 and p99 do not tell.
   */
  private static void writeWindowLatencies(
      Path file, TreeMap<Long, List<Long>> byWindow, LongFunction<String> measured)
      throws IOException {
    StringBuilder out = new StringBuilder("# window_end\tmeasured\tresults\tmin_ms\tmax_ms\n");
    byWindow.forEach(
        (end, latencies) ->
            out.append(Instant.ofEpochMilli(end))
                .append('\t')
                .append(measured.apply(end))
                .append('\t')
                .append(latencies.size())
                .append('\t')
                .append(latencies.stream().mapToLong(Long::longValue).min().orElse(0))
                .append('\t')
                .append(latencies.stream().mapToLong(Long::longValue).max().orElse(0))
                .append('\n'));
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
  }

  /** A contender's capacity: how fast it works off a backlog, and on what load. */
  record Capacity(
      Contender contender, double ordersPerSecond, String loadAverage, List<String> differences) {}

  /**
   * How many orders per second {@code contender} processes as a stream when it has a backlog:
   * {@code orders} orders stamped {@value #BACKLOG_SPACING_MILLIS} ms apart are written before it
   * starts; its rate is the number of orders between the end of the first window it emits and the
   * end of the last one the watermark closes, over the time between the broker's appending the two
   * (so its start-up does not count).
   */
  Capacity capacity(KafkaBroker broker, Contender contender, long orders, long seed, Path dir)
      throws IOException, InterruptedException {
    long windowMillis = window.toMillis();
    long span = orders * BACKLOG_SPACING_MILLIS;
    long start =
        Math.floorDiv(System.currentTimeMillis() - span, windowMillis) * windowMillis
            - 2 * windowMillis;
    Run run =
        lap(
            broker,
            contender,
            orders,
            start,
            BACKLOG_SPACING_MILLIS,
            0,
            0,
            seed,
            dir,
            contender.id + "-capacity");
    long closedBy = start + (orders - 1) * BACKLOG_SPACING_MILLIS - maxOutOfOrderness.toMillis();
    // Per window the watermark closed: when its first result was appended.
    TreeMap<Long, Long> appendedByEnd = new TreeMap<>();
    run.parsed.firstAppend.forEach(
        (key, append) -> {
          long end = run.parsed.windowEnds.get(key);
          if (end <= closedBy) {
            appendedByEnd.merge(end, append, Math::min);
          }
        });
    if (appendedByEnd.size() < 3) {
      throw new IllegalStateException(
          "too few windows to measure a capacity (" + appendedByEnd.size() + "): more orders");
    }
    long firstEnd = appendedByEnd.firstKey();
    long lastEnd = appendedByEnd.lastKey();
    double seconds = (appendedByEnd.get(lastEnd) - appendedByEnd.get(firstEnd)) / 1000.0;
    double between = (double) (lastEnd - firstEnd) / BACKLOG_SPACING_MILLIS;
    double rate = between / Math.max(seconds, 0.001);
    Race.log(
        "%-6s capacity %,.0f orders/s (%,.0f orders in %.1f s, from a backlog of %,d); load %s; %s",
        contender.id,
        rate,
        between,
        seconds,
        orders,
        run.load,
        run.differences.isEmpty() ? "equal to the ground truth" : "DIFFERENT: " + run.differences);
    return new Capacity(contender, rate, run.load, run.differences);
  }

  /** The event-time gap between backlog orders in a capacity lap. */
  static final long BACKLOG_SPACING_MILLIS = 1;

  /** What a lap produced and measured. */
  private record Run(
      Parsed parsed,
      List<String> differences,
      long liveStart,
      long lastEventTime,
      long liveOrders,
      double achievedRate,
      String load) {}

  /**
   * Writes the tables and {@code backlog} orders (from {@code backlogStart}, {@code spacing} ms
   * apart), starts {@code contender}; if {@code live > 0}, waits for its first result and produces
   * {@code live} orders at {@code rate} per second stamped with the wall clock; waits for it to
   * finish, reads what it wrote and compares it with the ground truth.
   */
  private Run lap(
      KafkaBroker broker,
      Contender contender,
      long backlog,
      long backlogStart,
      long spacing,
      double rate,
      long live,
      long seed,
      Path dir,
      String name)
      throws IOException, InterruptedException {
    String servers = broker.bootstrapServers();
    String stamp = name + "-" + Long.toString(System.currentTimeMillis(), 36);
    GenerateRaceData.Topics topics =
        new GenerateRaceData.Topics(
            "stream-orders-" + stamp, "stream-products-" + stamp, "stream-customers-" + stamp);
    String results = "stream-results-" + stamp;
    String deadLetters = "stream-dead-letters-" + stamp;
    String tooLate = "stream-too-late-" + stamp;
    createTopics(broker, topics, results, deadLetters, tooLate);
    Files.createDirectories(dir);
    Path log = dir.resolve(name + ".log");
    SplittableRandom random = new SplittableRandom(seed);
    EventCodec<OrderEvent> codec = EventCodec.of(OrderEvent.class);
    GenerateRaceData.History products = new GenerateRaceData.History();
    GenerateRaceData.History customers = new GenerateRaceData.History();
    GenerateRaceData.Totals truth = new GenerateRaceData.Totals(window.toMillis());
    String loadBefore = loadAverage();
    double achieved = 0;
    long liveStart = 0;
    long lastEventTime = 0;
    try (KafkaProducer<byte[], byte[]> producer = GenerateRaceData.producer(servers, 0);
        ResultReader reader = new ResultReader(servers, results, deadLetters, tooLate)) {
      GenerateRaceData.Sender sender = new GenerateRaceData.Sender(producer);
      long tablesFrom = Math.min(backlogStart, System.currentTimeMillis() - 3_600_000);
      GenerateRaceData.writeTables(
          sender,
          topics,
          products,
          customers,
          random,
          tablesFrom,
          Math.max(60_000, backlogStart + backlog * spacing - tablesFrom),
          backlog + live);
      for (long i = 0; i < backlog; i++) {
        send(
            sender,
            topics,
            truth,
            products,
            GenerateRaceData.order(codec, random, i, backlogStart + i * spacing));
      }
      producer.flush();
      sender.check();

      Process process =
          start(contender, servers, topics, backlog + live, results, deadLetters, tooLate, log);
      Race.RUNNING.add(process);
      try {
        if (live > 0) {
          reader.awaitFirstResult(process, READY_TIMEOUT, log);
          Race.log(
              "%s is ready (its first result is in); producing %,.0f orders/s for %,d orders",
              contender.id, rate, live);
          long begin = System.nanoTime();
          liveStart = System.currentTimeMillis();
          for (long k = 0; k < live; k++) {
            long wait = begin + (long) (k * 1e9 / rate) - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            long eventTime = System.currentTimeMillis();
            lastEventTime = eventTime;
            send(
                sender,
                topics,
                truth,
                products,
                GenerateRaceData.order(codec, random, backlog + k, eventTime));
          }
          producer.flush();
          achieved = live / ((System.nanoTime() - begin) / 1e9);
          sender.check();
        }
        Duration timeout = Duration.ofMinutes(10);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              contender.id + " did not finish within " + timeout + " after the last order");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              contender.id + " exited with " + process.exitValue() + "; see " + log);
        }
      } finally {
        ChildProcesses.killTree(process.toHandle(), Duration.ofSeconds(10));
        Race.RUNNING.remove(process);
      }
      reader.drain();
      String load = loadBefore + " / " + loadAverage();
      Parsed parsed = parse(contender, reader);
      long counted = new RaceResult(parsed.rows, true, 0, 0).orderCountInRows();
      RaceResult result = new RaceResult(parsed.rows, true, counted, reader.deadLetters.size());
      Path out = dir.resolve(name);
      result.write(out);
      RaceResult expected = truth.result();
      expected.write(out.resolve("truth"));
      List<String> differences = new ArrayList<>(expected.differences(result));
      if (!reader.tooLate.isEmpty()) {
        differences.add(reader.tooLate.size() + " orders too late");
      }
      return new Run(parsed, differences, liveStart, lastEventTime, live, achieved, load);
    } finally {
      deleteTopics(servers, topics, results, deadLetters, tooLate);
    }
  }

  private static void send(
      GenerateRaceData.Sender sender,
      GenerateRaceData.Topics topics,
      GenerateRaceData.Totals truth,
      GenerateRaceData.History products,
      GenerateRaceData.OrderRecord order) {
    sender.sendOrder(
        topics.orders(), order.partition(), order.eventTime(), order.key(), order.value());
    truth.add(order, products);
  }

  /**
   * What a contender wrote, per (window, category, currency): the first pane's append time, the
   * window's end and the last pane's values.
   */
  private record Parsed(
      Map<String, Long> firstAppend, Map<String, Long> windowEnds, TreeMap<String, String> rows) {}

  private Parsed parse(Contender contender, ResultReader reader) {
    Map<String, Long> firstAppend = new HashMap<>();
    Map<String, Long> windowEnds = new HashMap<>();
    TreeMap<String, String> rows = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : reader.results) {
      Row row =
          contender == Contender.KAPPA
              ? kappaRow(record.value())
              : nativeRow(record.value(), window.toMillis());
      firstAppend.putIfAbsent(row.key, record.timestamp());
      windowEnds.put(row.key, row.windowEnd);
      if (rows.put(row.key, row.value) != null && contender == Contender.NATIVE) {
        throw new IllegalStateException("two native results for " + row.key);
      }
    }
    return new Parsed(firstAppend, windowEnds, rows);
  }

  /** One result: its key (as {@link RaceResult#key}), its window's end and its values. */
  private record Row(String key, long windowEnd, String value) {}

  private static final EventCodec<CategoryRevenue> RESULTS = EventCodec.of(CategoryRevenue.class);

  private static Row kappaRow(byte[] value) {
    CategoryRevenue result = RESULTS.decode(value);
    return new Row(
        RaceResult.key(
            result.getWindowStart().toEpochMilli(), result.getCategory(), result.getCurrency()),
        result.getWindowEnd().toEpochMilli(),
        result.getOrderCount() + " " + result.getRevenueCents());
  }

  private static Row nativeRow(byte[] value, long windowMillis) {
    String[] parts = new String(value, StandardCharsets.UTF_8).split("\t");
    long start = Instant.parse(parts[0].substring(0, parts[0].indexOf(' '))).toEpochMilli();
    return new Row(parts[0], start + windowMillis, parts[1]);
  }

  private Process start(
      Contender contender,
      String servers,
      GenerateRaceData.Topics topics,
      long total,
      String results,
      String deadLetters,
      String tooLate,
      Path log)
      throws IOException {
    String stopOffsets = stopOffsets(total);
    List<String> command = new ArrayList<>();
    command.add(ChildProcesses.javaExecutable());
    command.add("-Xmx" + heap);
    command.add("@" + root.resolve("runners-config/jvm/java17-opens.args"));
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    switch (contender) {
      case NATIVE -> {
        command.addAll(List.of("-cp", Race.classpath(), NativeStreamingJob.class.getName()));
        command.addAll(
            List.of(
                servers,
                topics.orders(),
                topics.products(),
                topics.customers(),
                stopOffsets,
                Long.toString(window.toMillis()),
                Long.toString(maxOutOfOrderness.toMillis()),
                results,
                deadLetters,
                Long.toString(kappaWatermarkInterval().toMillis())));
      }
      case KAPPA -> {
        command.addAll(List.of("-jar", Race.bundledJar(root).toString(), "run", "order-revenue"));
        command.add("@" + root.resolve("runners-config/flink-embedded.args"));
        command.addAll(kappaOptions(servers, topics, stopOffsets, results, deadLetters, tooLate));
        command.addAll(kappaOptions);
      }
    }
    Files.writeString(log, String.join(" ", command) + "\n\n");
    return ChildProcesses.startLogged(command, root, log);
  }

  /**
   * How often Kappa's sources publish their watermark in a lap: {@code --autoWatermarkInterval} as
   * Kappa reads it, the last one of {@code runners-config/flink-embedded.args} and the lap's extra
   * options. The native job's sources publish theirs as often: both follow the same watermark
   * policy, so that neither waits longer for the watermark that closes a window.
   */
  Duration kappaWatermarkInterval() throws IOException {
    String interval = null;
    List<String> options = new ArrayList<>();
    options.addAll(Files.readAllLines(root.resolve("runners-config/flink-embedded.args")));
    options.addAll(kappaOptions);
    for (String option : options) {
      if (option.strip().startsWith(WATERMARK_INTERVAL)) {
        interval = option.strip().substring(WATERMARK_INTERVAL.length());
      }
    }
    if (interval == null) {
      throw new IllegalStateException(
          "runners-config/flink-embedded.args gives no " + WATERMARK_INTERVAL + "<ms>");
    }
    return Duration.ofMillis(Long.parseLong(interval));
  }

  private static final String WATERMARK_INTERVAL = "--autoWatermarkInterval=";

  /** Kappa's options in a lap: the stream, the same window and watermark as the native job. */
  List<String> kappaOptions(
      String servers,
      GenerateRaceData.Topics topics,
      String stopOffsets,
      String results,
      String deadLetters,
      String tooLate) {
    return List.of(
        "--source=KAFKA",
        "--bootstrapServers=" + servers,
        "--inputTopics=" + topics.orders(),
        "--consumerGroup=bench-" + topics.orders(),
        "--stopAtOffsets=" + stopOffsets,
        "--productChanges=kafka:" + topics.products(),
        "--customerChanges=kafka:" + topics.customers(),
        "--window=fixed:" + window,
        "--maxOutOfOrderness=" + maxOutOfOrderness,
        "--earlyFirings=none",
        "--allowedLateness=PT0S",
        "--kafkaDelivery=AT_LEAST_ONCE",
        "--output=kafka:" + results,
        "--deadLetterOutput=kafka:" + deadLetters,
        "--tooLateOutput=kafka:" + tooLate);
  }

  /** {@code 0=n0,1=n1,...}: where each partition ends after {@code total} orders. */
  static String stopOffsets(long total) {
    int partitions = GenerateRaceData.ORDER_PARTITIONS;
    List<String> pairs = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      pairs.add(p + "=" + (total / partitions + (p < total % partitions ? 1 : 0)));
    }
    return String.join(",", pairs);
  }

  /** The 1-, 5- and 15-minute load averages. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.join(" ", Arrays.asList(fields).subList(0, 3));
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * Creates the lap's topics: the inputs with the broker's helper, which returns once each
   * partition has a leader (a producer started earlier can fail on a partition still without one),
   * and the outputs with {@code LogAppendTime}, waiting for their leaders the same way.
   */
  private static void createTopics(
      KafkaBroker broker, GenerateRaceData.Topics topics, String... outputs)
      throws InterruptedException {
    broker.createTopic(topics.orders(), GenerateRaceData.ORDER_PARTITIONS);
    broker.createTopic(topics.products(), 1);
    broker.createTopic(topics.customers(), 1);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      List<NewTopic> create = new ArrayList<>();
      for (String output : outputs) {
        // The broker stamps each output record with the time it appends it: when a reader can
        // first see it.
        create.add(
            new NewTopic(output, 2, (short) 1)
                .configs(Map.of("message.timestamp.type", "LogAppendTime")));
      }
      admin.createTopics(create).all().get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!haveLeaders(admin, outputs)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the lap's output topics got no leader within 60 s");
        }
        Thread.sleep(100);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the lap's topics: " + e, e);
    }
  }

  /**
   * Whether every partition of {@code topics} has a leader; false while the broker that answers
   * does not know a topic yet (its metadata can lag the creation on a loaded machine).
   */
  private static boolean haveLeaders(Admin admin, String... topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    try {
      return admin
          .describeTopics(List.of(topics))
          .allTopicNames()
          .get(60, TimeUnit.SECONDS)
          .values()
          .stream()
          .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
  }

  private static void deleteTopics(
      String servers, GenerateRaceData.Topics topics, String... outputs)
      throws InterruptedException {
    List<String> names =
        new ArrayList<>(List.of(topics.orders(), topics.products(), topics.customers()));
    names.addAll(List.of(outputs));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      admin.deleteTopics(names).all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Race.log("could not delete the topics of this lap (%s)", e);
    }
  }

  /**
   * Reads the lap's output topics from their start, in a thread of its own, keeping every record
   * (with the broker's append time) until closed.
   */
  private static final class ResultReader implements AutoCloseable {
    final List<ConsumerRecord<byte[], byte[]>> results = new ArrayList<>();
    final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    final List<ConsumerRecord<byte[], byte[]>> tooLate = new ArrayList<>();
    private final String resultTopic;
    private final String deadLetterTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long lastRecordAt = System.nanoTime();
    private volatile RuntimeException failure;

    ResultReader(String servers, String results, String deadLetters, String tooLate) {
      this.resultTopic = results;
      this.deadLetterTopic = deadLetters;
      Properties config = new Properties();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      config.put(
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      config.put(
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
      consumer = new KafkaConsumer<>(config);
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(results, deadLetters, tooLate)) {
        for (int p = 0; p < 2; p++) {
          partitions.add(new TopicPartition(topic, p));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      thread = new Thread(this::poll, "read-results");
      thread.setDaemon(true);
      thread.start();
    }

    private void poll() {
      try {
        while (!stopped) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            lastRecordAt = System.nanoTime();
            synchronized (this) {
              if (record.topic().equals(resultTopic)) {
                results.add(record);
              } else if (record.topic().equals(deadLetterTopic)) {
                deadLetters.add(record);
              } else {
                tooLate.add(record);
              }
            }
          }
        }
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        consumer.close();
      }
    }

    void awaitFirstResult(Process process, Duration timeout, Path log) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        synchronized (this) {
          if (!results.isEmpty()) {
            return;
          }
        }
        check();
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "the contender exited with "
                  + process.exitValue()
                  + " before its first result; see "
                  + log);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no result within " + timeout + "; see " + log);
        }
        Thread.sleep(50);
      }
    }

    /** Waits until nothing has arrived for 3 s, then stops reading. */
    void drain() throws InterruptedException {
      while (System.nanoTime() - lastRecordAt < TimeUnit.SECONDS.toNanos(3)) {
        Thread.sleep(200);
      }
      close();
      check();
    }

    private void check() {
      if (failure != null) {
        throw new IllegalStateException("cannot read the results: " + failure, failure);
      }
    }

    @Override
    public void close() {
      stopped = true;
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        // The reading thread stops by itself within a poll; whoever interrupted us learns of it.
        Thread.currentThread().interrupt();
      }
    }
  }
}
