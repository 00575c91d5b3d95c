package dev.kappa.pipelines.report;

import dev.kappa.options.DeadLetterOptions;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.options.JdbcOptions;
import dev.kappa.options.LatenessOptions;
import dev.kappa.options.WindowingOptions;
import dev.kappa.pipelines.ClusterOutputs;
import dev.kappa.pipelines.Secrets;
import dev.kappa.pipelines.job.JobReport;
import dev.kappa.pipelines.job.JobRunner;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.job.Target;
import dev.kappa.schemas.common.DeadLetter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code kappa report <job> [the run's options] [--report=<file.html>]}: reads back what a run of
 * the job wrote and draws it as one HTML page ({@link ReportPage}) that opens without network.
 *
 * <p>What is drawn is the job's {@link JobReport} ({@link KappaJob#report()}): its charts of the
 * results per window, its too-late records per window they missed, and the dead letters. It takes
 * the run's own options, so a run's command line with {@code run} replaced by {@code report} names
 * the same outputs: results from the job's results table (e.g. {@code --resultsTable}, with {@code
 * --jdbcUrl}, {@code --jdbcUser}, the password from {@code --jdbcPasswordFile} or else {@code
 * KAPPA_JDBC_PASSWORD}, as the run read it) when set, else from the files of their output option
 * (e.g. {@code --output}); too-late records and dead letters from the files of the job's too-late
 * output and {@code --deadLetterOutput}. Outputs left at {@code console} are read from {@code
 * .kappa/outputs/<job name>/}, where a cluster run's launcher sends them ({@link ClusterOutputs}),
 * when files are there. Kafka and console outputs cannot be read back; the page says so.
 *
 * <p>Exit codes: 0 written, 2 a usage error or nothing to read (the message says what to give).
 */
public final class ReportCommand {
  private ReportCommand() {}

  static final String USAGE =
      "kappa report <job> [the run's options: its results' output (--output=<prefix>, ...) or"
          + " table (--resultsTable=<table> --jdbcUrl=<url> --jdbcUser=<user> [--jdbcPasswordFile=<file>]),"
          + " --tooLateOutput=<prefix>, --deadLetterOutput=<prefix>, @args-file ...]"
          + " [--report=<file.html>]";

  /** The jobs with a report, in catalogue order. */
  static List<String> reported() {
    return KappaJobs.all().stream()
        .filter(job -> job.report().isPresent())
        .map(KappaJob::name)
        .toList();
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, Path.of(""), Clock.systemUTC());
  }

  static int run(
      String[] args, PrintStream out, PrintStream err, Path workingDirectory, Clock clock) {
    if (args.length == 0 || args[0].startsWith("--")) {
      err.println("kappa report: name a job; usage: " + USAGE);
      return 2;
    }
    String name = args[0];
    Optional<KappaJob<?>> job = KappaJobs.named(name);
    if (job.isEmpty() || job.get().report().isEmpty()) {
      err.println(
          "kappa report: "
              + (job.isEmpty()
                  ? "no pipeline named '" + name + "'"
                  : "no report for " + name + " yet")
              + "; reports: "
              + String.join(", ", reported()));
      return 2;
    }
    String reportFile = null;
    List<String> runOptions = new ArrayList<>();
    for (String arg : Arrays.copyOfRange(args, 1, args.length)) {
      if (arg.startsWith("--report=")) {
        reportFile = arg.substring("--report=".length());
      } else {
        runOptions.add(arg);
      }
    }
    try {
      return report(job.get(), runOptions, reportFile, out, err, workingDirectory, clock);
    } catch (InvalidOptionException e) {
      err.println("kappa report " + name + ": " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      // Beam's unknown or malformed options, a file that holds no such records, a bad table name.
      err.println("kappa report " + name + ": " + e.getMessage());
      return 2;
    } catch (SQLException e) {
      err.println("kappa report " + name + ": cannot read the results table: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("kappa report " + name + ": cannot write the report: " + e.getMessage());
      return 2;
    }
  }

  private static <O extends PipelineOptions> int report(
      KappaJob<O> job,
      List<String> runOptions,
      String reportFile,
      PrintStream out,
      PrintStream err,
      Path workingDirectory,
      Clock clock)
      throws SQLException, IOException {
    String name = job.name();
    JobReport<O> spec = job.report().orElseThrow();
    O options = JobRunner.parse(job, runOptions.toArray(new String[0]));
    FileSystems.setDefaultPipelineOptions(options);
    String jobName = last(runOptions, "jobName").orElse(name);
    Path clusterOutputs = ClusterOutputs.directory(workingDirectory, jobName);
    List<ReportPage.Source> sources = new ArrayList<>();

    List<Row> rows = new ArrayList<>();
    boolean first = true;
    for (JobReport.Results<O, ?> results : spec.results()) {
      Optional<List<Row>> read =
          results(results, options, runOptions, clusterOutputs, sources, first);
      if (read.isEmpty()) {
        String table = results.tableOptionName();
        err.println(
            "kappa report "
                + name
                + ": no results to read: give the run's --"
                + results.optionName()
                + "=<path prefix> (the files it wrote)"
                + (table == null ? "" : " or --" + table + "=<table> with --jdbcUrl and --jdbcUser")
                + (last(runOptions, results.optionName()).isPresent()
                    ? " (--" + results.optionName() + "'s prefix matches no file)"
                    : ""));
        return 2;
      }
      rows.addAll(read.get());
      first = false;
    }
    List<TooLate> tooLate = new ArrayList<>();
    if (spec.tooLate() != null) {
      tooLate.addAll(tooLate(spec.tooLate(), options, runOptions, clusterOutputs, sources));
    }
    List<DeadLetter> deadLetters =
        optional(
            runOptions,
            "deadLetterOutput",
            options.as(DeadLetterOptions.class).getDeadLetterOutput(),
            clusterOutputs,
            "dead letters",
            DeadLetter.class,
            sources);

    ReportContent report = ReportContent.of(spec, rows, tooLate, deadLetters);
    String html =
        ReportPage.render(
            "Kappa report: " + jobName,
            clock.instant(),
            report,
            sources,
            parameters(runOptions, options));
    Path target =
        workingDirectory
            .toAbsolutePath()
            .resolve(reportFile != null ? reportFile : "kappa-report-" + jobName + ".html");
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    Files.writeString(target, html, StandardCharsets.UTF_8);
    out.printf(
        "kappa report %s: wrote %s (%d results in %d windows, %d too-late records, %d dead"
            + " letters)%n",
        name,
        target.normalize(),
        report.results().size(),
        report.windowStarts().size(),
        report.tooLateCount(),
        report.deadLetterCount());
    return 0;
  }

  /**
   * The rows of one results output: from its table when the run's options name one and a JDBC URL,
   * else from its files; empty when there is nothing to read ({@code required}) and otherwise no
   * rows, the page saying why.
   */
  private static <O extends PipelineOptions, R extends SpecificRecordBase>
      Optional<List<Row>> results(
          JobReport.Results<O, R> results,
          O options,
          List<String> runOptions,
          Path clusterOutputs,
          List<ReportPage.Source> sources,
          boolean required)
          throws SQLException {
    String table = results.table(options);
    JdbcOptions jdbc = options.as(JdbcOptions.class);
    if (table != null && jdbc.getJdbcUrl() != null) {
      String password = Secrets.jdbcPassword(jdbc);
      List<R> records =
          RunOutputs.table(
              results.tableOptionName(),
              jdbc.getJdbcUrl(),
              jdbc.getJdbcUser(),
              password,
              table,
              results.tableKey().get(0),
              results.recordClass());
      sources.add(
          new ReportPage.Source(
              results.label() + " records",
              "PostgreSQL table "
                  + table
                  + " at "
                  // The page is made to be shared: a password in the URL is not on it.
                  + Secrets.withoutPassword(jdbc.getJdbcUrl())
                  + " ("
                  + records.size()
                  + " rows: each result's latest)"));
      return Optional.of(records.stream().map(results::row).toList());
    }
    String target = results.target(options);
    Optional<List<Path>> files =
        target == null
            ? Optional.empty()
            : files(runOptions, results.optionName(), target, clusterOutputs);
    if (files.isEmpty() || files.get().isEmpty()) {
      if (required) {
        return Optional.empty();
      }
      sources.add(
          new ReportPage.Source(
              results.label() + " records",
              "not read: --"
                  + results.optionName()
                  + (target == null
                      ? " is not set"
                      : "=" + target + " cannot be read back (give the run's file prefix)")));
      return Optional.of(List.of());
    }
    List<R> records = RunOutputs.read(files.get(), results.recordClass());
    sources.add(
        new ReportPage.Source(results.label() + " records", describe(files.get(), records.size())));
    return Optional.of(records.stream().map(results::row).toList());
  }

  private static <O extends PipelineOptions, L extends SpecificRecordBase> List<TooLate> tooLate(
      JobReport.TooLates<O, L> tooLate,
      O options,
      List<String> runOptions,
      Path clusterOutputs,
      List<ReportPage.Source> sources) {
    return optional(
            runOptions,
            tooLate.optionName(),
            tooLate.target(options),
            clusterOutputs,
            "too-late records",
            tooLate.recordClass(),
            sources)
        .stream()
        .map(tooLate::tooLate)
        .toList();
  }

  /**
   * The files of option {@code option} (value {@code value}): its file target's files when the
   * command line set it to a path; when left at its default {@code console}, the cluster output
   * files under {@code clusterOutputs} if any; empty when it names the console or a topic.
   */
  private static Optional<List<Path>> files(
      List<String> runOptions, String option, String value, Path clusterOutputs) {
    Target target = Target.parse(option, value);
    if (target instanceof Target.Files files) {
      return Optional.of(RunOutputs.files(files.prefix()));
    }
    if (target instanceof Target.Console && last(runOptions, option).isEmpty()) {
      List<Path> cluster =
          RunOutputs.files(clusterOutputs.resolve(ClusterOutputs.fileName(option)).toString());
      return cluster.isEmpty() ? Optional.empty() : Optional.of(cluster);
    }
    return Optional.empty();
  }

  private static <T extends SpecificRecordBase> List<T> optional(
      List<String> runOptions,
      String option,
      String value,
      Path clusterOutputs,
      String what,
      Class<T> type,
      List<ReportPage.Source> sources) {
    Optional<List<Path>> files = files(runOptions, option, value, clusterOutputs);
    if (files.isEmpty()) {
      sources.add(
          new ReportPage.Source(
              what,
              "not read: --"
                  + option
                  + "="
                  + value
                  + " cannot be read back (give the run's file prefix)"));
      return List.of();
    }
    List<T> records = RunOutputs.read(files.get(), type);
    sources.add(new ReportPage.Source(what, describe(files.get(), records.size())));
    return records;
  }

  private static String describe(List<Path> files, int records) {
    if (files.isEmpty()) {
      return "no files (none written: an empty output writes none)";
    }
    return records
        + " records from "
        + files.size()
        + (files.size() == 1 ? " file, " : " files, ")
        + files.get(0).toAbsolutePath().normalize()
        + (files.size() > 1 ? " ..." : "");
  }

  /** The options the command line set, then the windowing and lateness ones it left at default. */
  private static List<ReportPage.Parameter> parameters(
      List<String> runOptions, PipelineOptions options) {
    List<ReportPage.Parameter> parameters = new ArrayList<>();
    for (String option : runOptions) {
      if (!option.startsWith("--")) {
        continue;
      }
      int equals = option.indexOf('=');
      String name = equals < 0 ? option.substring(2) : option.substring(2, equals);
      String value = equals < 0 ? "true" : option.substring(equals + 1);
      if (Secrets.isSecret(name)) {
        value = "(hidden)";
      } else if (name.equals("jdbcUrl")) {
        // A URL may carry the password as a parameter.
        value = Secrets.withoutPassword(value);
      }
      parameters.add(new ReportPage.Parameter(name, value, true));
    }
    if (options instanceof WindowingOptions windowing) {
      addDefault(parameters, runOptions, "window", windowing, WindowingOptions::getWindow);
      addDefault(
          parameters, runOptions, "earlyFirings", windowing, WindowingOptions::getEarlyFirings);
    }
    if (options instanceof LatenessOptions lateness) {
      addDefault(
          parameters, runOptions, "allowedLateness", lateness, LatenessOptions::getAllowedLateness);
      addDefault(
          parameters,
          runOptions,
          "lateFiringCount",
          lateness,
          l -> Integer.toString(l.getLateFiringCount()));
    }
    return parameters;
  }

  private static <O> void addDefault(
      List<ReportPage.Parameter> parameters,
      List<String> runOptions,
      String name,
      O options,
      Function<O, String> getter) {
    if (last(runOptions, name).isEmpty()) {
      String value = getter.apply(options);
      parameters.add(new ReportPage.Parameter(name, value == null ? "(none)" : value, false));
    }
  }

  private static Optional<String> last(List<String> options, String name) {
    Optional<String> value = Optional.empty();
    for (String option : options) {
      if (option.startsWith("--" + name + "=")) {
        value = Optional.of(option.substring(name.length() + 3));
      }
    }
    return value;
  }
}
