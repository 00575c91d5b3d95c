package dev.kappa.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands {@code @path} arguments into the options listed in that file, so that each environment
 * (embedded Flink, a cluster, the demo) keeps its runner options in one file under {@code
 * runners-config/}.
 *
 * <p>One option per line; blank lines and lines starting with {@code #} are ignored. A later {@code
 * --name=value} replaces an earlier one of the same name (Beam itself rejects a repeated option),
 * so {@code @demo.args --replaySpeedUp=max} overrides the file. Files do not nest.
 */
public final class ArgumentFiles {
  private ArgumentFiles() {}

  public static String[] expand(String[] args) {
    List<String> expanded = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("@") && arg.length() > 1) {
        expanded.addAll(read(Path.of(arg.substring(1))));
      } else {
        expanded.add(arg);
      }
    }
    // Keep the last value of each option, in the position of its first appearance.
    Map<String, String> byName = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    for (String arg : expanded) {
      if (arg.startsWith("--")) {
        int equals = arg.indexOf('=');
        byName.put(equals < 0 ? arg : arg.substring(0, equals), arg);
      } else {
        positional.add(arg);
      }
    }
    positional.addAll(byName.values());
    return positional.toArray(new String[0]);
  }

  private static List<String> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("argument file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read argument file " + file, e);
    }
    List<String> options = new ArrayList<>();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      if (trimmed.startsWith("@")) {
        throw new IllegalArgumentException(
            "argument file " + file + " names another argument file (" + trimmed + "); not nested");
      }
      options.add(trimmed);
    }
    return options;
  }
}
