package dev.kappa.pipelines.reconcile;

import dev.kappa.io.jdbc.Jdbc;
import dev.kappa.io.jdbc.JdbcConfig;
import dev.kappa.schemas.codec.EventCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Where {@code kappa reconcile} reads a result set: {@code table:<name>} for a PostgreSQL table the
 * job upserts into, or a path prefix for the JSON-lines files a job's file target writes (every
 * file whose name starts with the prefix's last part, or every file in a directory), as the job's
 * {@code --output} or {@code --tooLateOutput} named it.
 */
public sealed interface ResultSource permits ResultSource.Table, ResultSource.FilePrefix {

  /** The prefix of a source that names a table. */
  String TABLE_PREFIX = "table:";

  /** A PostgreSQL table, read in one read-only transaction. */
  record Table(String name) implements ResultSource {
    @Override
    public String toString() {
      return TABLE_PREFIX + name;
    }
  }

  /** JSON-lines files under a path prefix. */
  record FilePrefix(String prefix) implements ResultSource {
    @Override
    public String toString() {
      return prefix;
    }
  }

  /**
   * The source {@code text} names.
   *
   * @throws IllegalArgumentException for a blank text or a table prefix with no name
   */
  static ResultSource parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty: give table:<name> or a path prefix");
    }
    String trimmed = text.trim();
    if (trimmed.startsWith(TABLE_PREFIX)) {
      String name = trimmed.substring(TABLE_PREFIX.length()).trim();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("names no table after 'table:'");
      }
      return new Table(name);
    }
    return new FilePrefix(trimmed);
  }

  /**
   * Every record of {@code recordClass} in this source.
   *
   * @param database the database a table is read from; null when none was configured
   * @param orderColumn a column of the records to read a table in order by
   * @throws IllegalStateException saying which source, file or line could not be read
   */
  default <T extends SpecificRecordBase> List<T> read(
      Class<T> recordClass, JdbcConfig database, String orderColumn) {
    if (this instanceof Table table) {
      if (database == null) {
        throw new IllegalStateException(
            this
                + " needs a database: give --jdbcUrl (and --jdbcUser, --jdbcPasswordFile or KAPPA_JDBC_PASSWORD)");
      }
      try {
        return Jdbc.readAll(database, table.name(), orderColumn, recordClass);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read " + this + ": " + e.getMessage(), e);
      }
    }
    List<Path> files = files(((FilePrefix) this).prefix());
    if (files.isEmpty()) {
      throw new IllegalStateException("no files match " + this);
    }
    EventCodec<T> codec = EventCodec.of(recordClass);
    List<T> records = new ArrayList<>();
    for (Path file : files) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
          number++;
          if (line.isBlank()) {
            continue;
          }
          try {
            records.add(codec.fromJson(line));
          } catch (RuntimeException e) {
            throw new IllegalStateException(
                file
                    + ":"
                    + number
                    + " is not a "
                    + recordClass.getSimpleName()
                    + ": "
                    + e.getMessage(),
                e);
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return records;
  }

  /** The files a prefix names, in name order; Beam's hidden temporary files left out. */
  static List<Path> files(String prefix) {
    Path path = Path.of(prefix);
    try {
      if (Files.isDirectory(path)) {
        return list(path, "");
      }
      Path parent = path.toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        return List.of();
      }
      return list(parent, path.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path directory, String namePrefix) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries
          .filter(Files::isRegularFile)
          .filter(file -> file.getFileName().toString().startsWith(namePrefix))
          .filter(file -> !file.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    }
  }
}
