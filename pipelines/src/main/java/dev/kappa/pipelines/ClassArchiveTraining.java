package dev.kappa.pipelines;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the training launch of {@code scripts/kappa}'s class archive loads besides the classes of
 * the job it runs: the training launch is a run from files (it needs no server), so without this
 * none of the Kafka client's classes would be in the archive, and every Kafka launch would load and
 * verify about 1,600 of them from the jar while it makes its first admin client and consumers (the
 * launch checks and the change histories read at launch; docs/performance.md, issue 11 part 9).
 *
 * <p>Loads, without initialising, every class of the Kafka client's {@code clients} and {@code
 * common} packages in the jar that holds them; the JVM archives what is loaded when it exits.
 * Classes that cannot be loaded here (an optional library missing) are skipped: a launch that needs
 * one loads it from the jar as before.
 */
final class ClassArchiveTraining {
  private ClassArchiveTraining() {}

  /** The system property that {@code scripts/kappa} sets for the training launch. */
  static final String PROPERTY = "kappa.classArchive.training";

  private static final String[] PACKAGES = {
    "org/apache/kafka/clients/", "org/apache/kafka/common/"
  };

  /** Whether this JVM is the class archive's training launch. */
  static boolean training() {
    return Boolean.getBoolean(PROPERTY);
  }

  /** Loads the Kafka client classes; returns how many were loaded. */
  static int loadKafkaClientClasses() throws IOException {
    Path jar;
    try {
      jar = Path.of(Admin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException("cannot locate the Kafka client's jar", e);
    }
    ClassLoader loader = Admin.class.getClassLoader();
    int loaded = 0;
    try (JarFile file = new JarFile(jar.toFile())) {
      for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (!name.endsWith(".class") || !inPackages(name)) {
          continue;
        }
        try {
          Class.forName(
              name.substring(0, name.length() - ".class".length()).replace('/', '.'),
              false,
              loader);
          loaded++;
        } catch (ClassNotFoundException | LinkageError e) {
          // Refers to a library that is not here; not needed by a launch that got this far.
        }
      }
    }
    return loaded;
  }

  private static boolean inPackages(String entry) {
    for (String prefix : PACKAGES) {
      if (entry.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
