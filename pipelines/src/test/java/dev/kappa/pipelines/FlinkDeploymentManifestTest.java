package dev.kappa.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayContaining;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.kappa.options.BackfillOptions;
import dev.kappa.options.KafkaOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.OptionValues;
import dev.kappa.options.SourceOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import dev.kappa.pipelines.orderrevenue.OrderRevenue;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifest ({@code runners-config/k8s/order-revenue-flinkdeployment.yaml}) runs what
 * this build makes: the shaded jar by its name, the launcher as entry class, a real subcommand and
 * pipeline, and options that pipeline accepts, in a combination it allows. A renamed option, jar or
 * class fails here rather than in the cluster.
 *
 * <p>The YAML is read with SnakeYAML, which Beam brings onto this module's classpath already.
 */
class FlinkDeploymentManifestTest {

  private static final Path MANIFEST =
      Path.of(System.getProperty("kappa.runnersConfig", "../runners-config"))
          .resolve("k8s/order-revenue-flinkdeployment.yaml");

  private static Map<String, Object> spec;
  private static Map<String, Object> job;
  private static List<String> args;

  @BeforeAll
  static void readManifest() throws Exception {
    Map<String, Object> manifest;
    try (Reader reader = Files.newBufferedReader(MANIFEST)) {
      manifest = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    }
    assertThat(manifest.get("apiVersion"), equalTo("flink.apache.org/v1beta1"));
    assertThat(manifest.get("kind"), equalTo("FlinkDeployment"));
    spec = map(manifest.get("spec"));
    job = map(spec.get("job"));
    args = ((List<?>) job.get("args")).stream().map(String::valueOf).toList();
  }

  @Test
  void runsFlink119() {
    assertThat(spec.get("flinkVersion"), equalTo("v1_19"));
    assertThat("an image to run", String.valueOf(spec.get("image")).isBlank(), is(false));
  }

  @Test
  void jarIsTheShadedJarOfThisBuild() throws Exception {
    String jarUri = String.valueOf(job.get("jarURI"));
    assertThat(jarUri, startsWith("local:///"));
    String fileName = jarUri.substring(jarUri.lastIndexOf('/') + 1);

    assertThat(fileName, equalTo(shadedJarFinalName() + ".jar"));
  }

  @Test
  void entryClassIsAMainClass() throws Exception {
    Class<?> entry = Class.forName(String.valueOf(job.get("entryClass")));
    Method main = entry.getMethod("main", String[].class);

    assertThat(Modifier.isStatic(main.getModifiers()), is(true));
    assertThat(entry, equalTo(Launcher.class));
  }

  @Test
  void argsNameASubcommandAndAPipeline() {
    assertThat(args.get(0), equalTo("run"));
    assertThat("a pipeline 'kappa list' shows", KappaJobs.named(args.get(1)).isPresent(), is(true));
  }

  @Test
  void everyOptionIsAcceptedByThePipeline() {
    KappaJob<?> pipeline = KappaJobs.named(args.get(1)).orElseThrow();
    String[] options = options();
    // The launcher's own processing: a repeated option would be silently replaced there.
    assertThat(ArgumentFiles.expand(options), arrayContaining(options));

    PipelineOptions parsed = parse(pipeline, options);

    assertThat(parsed.getRunner(), equalTo(FlinkRunner.class));
    if (parsed instanceof SourceOptions && parsed instanceof BackfillOptions) {
      KafkaSafety.check(parsed);
    }
    if (parsed instanceof WindowingOptions && parsed instanceof LatenessOptions) {
      checkWindowing(parsed);
    }
  }

  @org.junit.jupiter.api.io.TempDir java.nio.file.Path tempDir;

  private java.nio.file.Path clientProperties;

  @org.junit.jupiter.api.BeforeEach
  void writeClientProperties() throws java.io.IOException {
    clientProperties =
        java.nio.file.Files.writeString(
            tempDir.resolve("client.properties"),
            "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
  }

  /** Where the pod mounts the volume {@code volume}, which must come from a Secret. */
  private String secretMountPath(String volume) {
    Map<String, Object> pod = map(map(spec.get("podTemplate")).get("spec"));
    boolean fromSecret = false;
    for (Object entry : (List<?>) pod.get("volumes")) {
      Map<String, Object> v = map(entry);
      if (volume.equals(v.get("name"))) {
        fromSecret = v.containsKey("secret");
      }
    }
    assertThat("volume " + volume + " comes from a Secret", fromSecret, equalTo(true));
    for (Object container : (List<?>) pod.get("containers")) {
      for (Object mount : (List<?>) map(container).get("volumeMounts")) {
        if (volume.equals(map(mount).get("name"))) {
          return (String) map(mount).get("mountPath");
        }
      }
    }
    throw new AssertionError("no container mounts volume " + volume);
  }

  @Test
  void theJobBuildsFromTheseOptions() {
    KappaJob<?> pipeline = KappaJobs.named(args.get(1)).orElseThrow();
    PipelineOptions parsed = parse(pipeline, options());
    assertThat(pipeline.name(), equalTo("order-revenue"));

    // The Kafka client settings come from the Secret the pod mounts; here a file like it.
    KafkaOptions kafka = parsed.as(KafkaOptions.class);
    String mounted = kafka.getKafkaClientProperties();
    assertThat(mounted, equalTo(secretMountPath("kafka-client") + "/client.properties"));
    kafka.setKafkaClientProperties(clientProperties.toString());

    // Every option the job needs, and every combination it refuses, is parsed before it builds.
    JobRunner.build(
        new OrderRevenue(), Pipeline.create(parsed), parsed.as(OrderRevenue.Options.class));
  }

  @Test
  void runsTheFlinkRunnerInTheApplicationClusterWithCheckpoints() {
    FlinkPipelineOptions flink =
        parse(KappaJobs.named(args.get(1)).orElseThrow(), options()).as(FlinkPipelineOptions.class);

    assertThat(flink.getFlinkMaster(), equalTo("[auto]"));
    assertThat(flink.getCheckpointingInterval(), greaterThan(0L));
    assertThat(
        CheckpointingMode.valueOf(flink.getCheckpointingMode()),
        equalTo(CheckpointingMode.EXACTLY_ONCE));
    assertThat(flink.getParallelism(), equalTo(((Number) job.get("parallelism")).intValue()));
    assertThat("no --stateBackend: the cluster's", flink.getStateBackend(), equalTo(null));
  }

  @Test
  void upgradesThroughSavepointsWithDurableStorage() {
    assertThat(job.get("upgradeMode"), equalTo("savepoint"));
    assertThat(job.get("state"), equalTo("running"));
    Map<String, Object> configuration = map(spec.get("flinkConfiguration"));
    for (String key :
        List.of(
            "state.checkpoints.dir",
            "state.savepoints.dir",
            "high-availability.type",
            "high-availability.storageDir")) {
      assertThat(configuration, hasKey(key));
    }
    assertThat(
        configuration.get("metrics.reporter.prom.factory.class"),
        equalTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory"));
  }

  /** The args after the subcommand and the pipeline name. */
  private static String[] options() {
    return args.subList(2, args.size()).toArray(new String[0]);
  }

  private static PipelineOptions parse(KappaJob<?> pipeline, String[] options) {
    for (String option : options) {
      assertThat(option, startsWith("--"));
    }
    PipelineOptionsFactory.register(pipeline.optionsClass());
    return PipelineOptionsFactory.fromArgs(options).withValidation().as(pipeline.optionsClass());
  }

  @SuppressWarnings("unchecked")
  private static <O extends WindowingOptions & LatenessOptions> void checkWindowing(
      PipelineOptions options) {
    OptionValues.windowing((O) options);
  }

  /** The shade plugin's {@code finalName} in pipelines/pom.xml. */
  private static String shadedJarFinalName() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse("pom.xml");
    String finalName =
        (String)
            XPathFactory.newInstance()
                .newXPath()
                .evaluate(
                    "//plugin[artifactId='maven-shade-plugin']//finalName",
                    pom,
                    XPathConstants.STRING);
    assertThat("the shade plugin names its jar", finalName.isBlank(), is(false));
    return finalName.strip();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) Optional.ofNullable(value).orElseThrow();
  }
}
