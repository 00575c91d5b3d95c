package dev.kappa.io;

import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code src/test/resources/serialized-sources}: the sources as a Flink savepoint holds them
 * (Java-serialized). Run once, on the version before a change to a source's classes; the files
 * checked in were written by commit 9d2199a. The {@code *SerializedFormTest}s read them with the
 * current classes.
 */
public final class WriteSerializedSources {
  private WriteSerializedSources() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    write(dir.resolve("kafka-to-end-source.ser"), dev.kappa.io.kafka.SerializedSources.toEnd());
    write(dir.resolve("kafka-range-source.ser"), dev.kappa.io.kafka.SerializedSources.range());
    write(dir.resolve("replay-file-source.ser"), dev.kappa.io.file.SerializedSources.replay());
  }

  private static void write(Path path, Object source) throws Exception {
    try (OutputStream out = Files.newOutputStream(path);
        ObjectOutputStream objects = new ObjectOutputStream(out)) {
      objects.writeObject(source);
    }
  }
}
