package dev.kappa.pipelines.ops;

import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.options.InvalidOptionException;
import dev.kappa.pipelines.Secrets;
import dev.kappa.pipelines.job.KappaJob;
import dev.kappa.pipelines.job.KappaJobs;
import dev.kappa.pipelines.job.Reconciliation;
import dev.kappa.pipelines.job.Reconciliation.Row;
import dev.kappa.pipelines.job.Reconciliation.TooLate;
import dev.kappa.pipelines.reconcile.Comparison;
import dev.kappa.pipelines.reconcile.ReconcileReport;
import dev.kappa.pipelines.reconcile.Reconciler;
import dev.kappa.pipelines.reconcile.ResultSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * {@code kappa reconcile <job> --left=<source> --right=<source> [--tooLate=<source>]
 * [--from=<instant>] [--to=<instant>] [--html=<file>] [--jdbcUrl=<url>] [--jdbcUser=<user>]
 * [--jdbcPasswordFile=<file>]}: compares two result sets of a job per window and key (two versions,
 * a stream and a backfill, a table and files) and explains their differences by the stream's
 * too-late records.
 *
 * <p>A source is {@code table:<name>} (read with {@code --jdbcUrl}, {@code --jdbcUser} and the
 * password of {@code --jdbcPasswordFile}, else the {@code KAPPA_JDBC_PASSWORD} environment
 * variable, as a job reads it) or a path prefix of the JSON-lines files a file target wrote. Exit
 * codes: 0 when every difference is explained (or there is none), 1 when some difference is
 * unexplained, 2 for a usage error, 3 when a source cannot be read.
 */
public final class ReconcileCommand {
  private ReconcileCommand() {}

  private static final Set<String> OPTIONS =
      Set.of(
          "left",
          "right",
          "tooLate",
          "from",
          "to",
          "html",
          "jdbcUrl",
          "jdbcUser",
          "jdbcPasswordFile");

  static final String USAGE =
      "kappa reconcile <job> --left=<table:name|path prefix> --right=<table:name|path prefix>"
          + " [--tooLate=<path prefix>] [--from=<instant>] [--to=<instant>] [--html=<file>]"
          + " [--jdbcUrl=jdbc:postgresql://...] [--jdbcUser=kappa]"
          + " [--jdbcPasswordFile=<file>]";

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, System.getenv());
  }

  /** Runs the command with {@code environment} for the environment variables. */
  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
    OpsArguments arguments;
    KappaJob<?> job;
    Reconciliation<?, ?> spec;
    ResultSource left;
    ResultSource right;
    ResultSource tooLate;
    Instant from;
    Instant to;
    JdbcConfig database;
    try {
      arguments = OpsArguments.parse(args, Set.of(), OPTIONS);
      if (arguments.positional().size() != 1) {
        throw new OpsArguments.UsageException("name one job, got " + arguments.positional());
      }
      String name = arguments.positional().get(0);
      job =
          KappaJobs.named(name)
              .orElseThrow(
                  () ->
                      new OpsArguments.UsageException(
                          "no job '" + name + "' (kappa list shows the jobs)"));
      spec =
          job.reconciliation()
              .orElseThrow(
                  () ->
                      new OpsArguments.UsageException(
                          "job '" + name + "' declares no reconciliation of its results"));
      left = source(arguments, "left", true);
      right = source(arguments, "right", true);
      tooLate = source(arguments, "tooLate", false);
      if (tooLate instanceof ResultSource.Table) {
        throw new OpsArguments.UsageException(
            "--tooLate must name the files of the job's --tooLateOutput, not a table");
      }
      if (tooLate != null && spec.tooLateClass() == null) {
        throw new OpsArguments.UsageException(
            "--tooLate: job '" + name + "' has no too-late records that explain differences");
      }
      from = instant(arguments, "from");
      to = instant(arguments, "to");
      if (from != null && to != null && !from.isBefore(to)) {
        throw new OpsArguments.UsageException("--from must be before --to");
      }
      database = database(arguments, environment);
    } catch (OpsArguments.UsageException e) {
      err.println("kappa reconcile: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try {
      return reconcile(job.name(), spec, left, right, tooLate, from, to, database, arguments, out);
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println("kappa reconcile: " + e.getMessage());
      return 3;
    }
  }

  private static <R extends SpecificRecordBase, L extends SpecificRecordBase> int reconcile(
      String job,
      Reconciliation<R, L> spec,
      ResultSource left,
      ResultSource right,
      @Nullable ResultSource tooLate,
      @Nullable Instant from,
      @Nullable Instant to,
      @Nullable JdbcConfig database,
      OpsArguments arguments,
      PrintStream out) {
    List<Row> leftRows = rows(spec, left, database);
    List<Row> rightRows = rows(spec, right, database);
    List<TooLate> tooLateRecords =
        tooLate == null
            ? List.of()
            : tooLate.read(spec.tooLateClass(), null, "").stream().map(spec::tooLate).toList();
    Comparison comparison =
        Reconciler.compare(
            leftRows, rightRows, tooLateRecords, spec.measureNames(), spec::group, from, to);
    ReconcileReport.Sources sources =
        new ReconcileReport.Sources(
            job,
            left.toString(),
            leftRows.size(),
            right.toString(),
            rightRows.size(),
            tooLate == null ? null : tooLate.toString(),
            tooLateRecords.size(),
            from,
            to);
    out.print(ReconcileReport.text(sources, comparison, spec.keyNames(), spec.groupNames()));
    Optional<String> html = arguments.option("html");
    if (html.isPresent()) {
      Path page = Path.of(html.get());
      try {
        Files.writeString(
            page,
            ReconcileReport.html(sources, comparison, spec.keyNames(), spec.groupNames()),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write --html " + page + ": " + e.getMessage(), e);
      }
      out.println("\nThe report as a page: " + page);
    }
    return comparison.allExplained() ? 0 : 1;
  }

  private static <R extends SpecificRecordBase> List<Row> rows(
      Reconciliation<R, ?> spec, ResultSource source, @Nullable JdbcConfig database) {
    return source.read(spec.resultClass(), database, Reconciliation.TABLE_ORDER).stream()
        .map(spec::row)
        .toList();
  }

  @Nullable
  private static ResultSource source(OpsArguments arguments, String option, boolean required) {
    Optional<String> text = arguments.option(option);
    if (text.isEmpty()) {
      if (required) {
        throw new OpsArguments.UsageException("--" + option + " is required");
      }
      return null;
    }
    try {
      return ResultSource.parse(text.get());
    } catch (IllegalArgumentException e) {
      throw new OpsArguments.UsageException("--" + option + " " + e.getMessage());
    }
  }

  @Nullable
  private static Instant instant(OpsArguments arguments, String option) {
    Optional<String> text = arguments.option(option);
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(text.get());
    } catch (DateTimeParseException e) {
      throw new OpsArguments.UsageException(
          "--"
              + option
              + " must be an ISO-8601 instant such as 2026-03-01T10:00:00Z, was '"
              + text.get()
              + "'");
    }
  }

  /** The database of {@code --jdbcUrl}, with the password as {@link Secrets#jdbcPassword}. */
  @Nullable
  static JdbcConfig database(OpsArguments arguments, Map<String, String> environment) {
    Optional<String> url = arguments.option("jdbcUrl");
    if (url.isEmpty()) {
      return null;
    }
    String password;
    try {
      password =
          Secrets.jdbcPassword(
              null, arguments.option("jdbcPasswordFile").orElse(null), environment);
    } catch (InvalidOptionException e) {
      throw new OpsArguments.UsageException(e.getMessage());
    }
    try {
      return JdbcConfig.of(url.get(), arguments.option("jdbcUser", "kappa"), password);
    } catch (IllegalArgumentException e) {
      throw new OpsArguments.UsageException("--jdbcUrl: " + e.getMessage());
    }
  }
}
