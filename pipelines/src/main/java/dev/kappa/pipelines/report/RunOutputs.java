package dev.kappa.pipelines.report;

import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.schemas.codec.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;

/** Reads back what a run wrote: JSON-lines files under a prefix, or the upserted results table. */
final class RunOutputs {
  private RunOutputs() {}

  private static final Pattern TABLE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  /**
   * The files a file target with {@code prefix} wrote ({@code <prefix>-*.jsonl}; every {@code
   * .jsonl} file of the directory for a prefix ending in {@code /}), sorted by name.
   */
  static List<Path> files(String prefix) {
    Path dir;
    String glob;
    if (prefix.endsWith("/")) {
      dir = Path.of(prefix);
      glob = "*.jsonl";
    } else {
      Path path = Path.of(prefix).toAbsolutePath();
      dir = path.getParent();
      glob = path.getFileName() + "-*.jsonl";
    }
    List<Path> files = new ArrayList<>();
    if (dir == null || !Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
      stream.forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return files;
  }

  /** The records in {@code files}, one JSON object a line (blank lines skipped). */
  static <T extends SpecificRecordBase> List<T> read(List<Path> files, Class<T> type) {
    EventCodec<T> codec = EventCodec.of(type);
    List<T> records = new ArrayList<>();
    for (Path file : files) {
      try {
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          number++;
          if (line.isBlank()) {
            continue;
          }
          try {
            records.add(codec.fromJson(line));
          } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                file + ":" + number + " is no " + type.getSimpleName() + ": " + e.getMessage(), e);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return records;
  }

  /**
   * Every row of results table {@code table} (named by option {@code option}) of records {@code
   * type}, in the order of {@code orderColumn}: each result's latest pane or version.
   */
  static <T extends SpecificRecordBase> List<T> table(
      String option,
      String jdbcUrl,
      String user,
      String password,
      String table,
      String orderColumn,
      Class<T> type)
      throws SQLException {
    if (!TABLE.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "--" + option + ": '" + table + "' is no table name (letters, digits, _; schema.table)");
    }
    // io's mapping of a record's fields to columns, in one read-only transaction.
    return Jdbc.readAll(JdbcConfig.of(jdbcUrl, user, password), table, orderColumn, type);
  }
}
