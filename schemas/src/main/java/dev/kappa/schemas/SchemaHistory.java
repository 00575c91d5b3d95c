package dev.kappa.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Loads a version chain of a record schema from the classpath: {@code <directory>/v1.avsc}, {@code
 * v2.avsc}, ... up to the first missing number.
 *
 * <p>Versions are files rather than git history so that the codecs can resolve bytes written by any
 * of them at run time, and so that a new version is a reviewed file checked by the compatibility
 * gate. Numbers must be contiguous: a gap ends the chain, and a test fails on files past it.
 */
public final class SchemaHistory {
  private SchemaHistory() {}

  /**
   * Loads the chain under a classpath directory, oldest first.
   *
   * @param directory a classpath directory without leading or trailing slash, e.g. {@code
   *     avro/history/order_event}
   * @throws IllegalArgumentException if there is no {@code v1.avsc}, or a version does not parse
   */
  public static List<SchemaVersion> load(String directory) {
    List<SchemaVersion> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      String resource = directory + "/v" + version + ".avsc";
      Schema schema = parseResourceIfPresent(resource);
      if (schema == null) {
        break;
      }
      versions.add(SchemaVersion.of(version, schema, resource));
    }
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(
          "No schema history on the classpath at " + directory + "/v1.avsc");
    }
    return List.copyOf(versions);
  }

  /**
   * Parses one schema file from the classpath, on its own (it may not refer to other files' types).
   *
   * @throws IllegalArgumentException if the resource is missing or does not parse
   */
  public static Schema parseResource(String resource) {
    Schema schema = parseResourceIfPresent(resource);
    if (schema == null) {
      throw new IllegalArgumentException("No schema on the classpath at " + resource);
    }
    return schema;
  }

  private static Schema parseResourceIfPresent(String resource) {
    ClassLoader loader = SchemaHistory.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      return new Schema.Parser().parse(in);
    } catch (AvroRuntimeException e) {
      throw new IllegalArgumentException(
          "Schema " + resource + " does not parse: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read schema " + resource, e);
    }
  }
}
