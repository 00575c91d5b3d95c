package dev.kappa.testing.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.process.ClasspathFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFilesTest {

  @TempDir Path repository;

  @Test
  void findsTheFilesFromAModuleDirectory() throws IOException {
    Path classpathFile = write(ClusterFiles.CLASSPATH_IN_REPOSITORY, "/a.jar:/b.jar\n");
    Path module = Files.createDirectories(repository.resolve("pipelines"));

    Path found =
        ClasspathFile.locate(
            null, "p", ClusterFiles.CLASSPATH_IN_REPOSITORY, module, "classpath", "");

    assertEquals(classpathFile, found);
    assertEquals("/a.jar:/b.jar", ClusterFiles.read(found));
  }

  @Test
  void thePropertyWinsWhenItNamesAFile() throws IOException {
    write(ClusterFiles.CLASSPATH_IN_REPOSITORY, "/a.jar");
    Path elsewhere = Files.writeString(repository.resolve("other.classpath"), "/c.jar");

    Path found =
        ClasspathFile.locate(
            elsewhere.toString(),
            "p",
            ClusterFiles.CLASSPATH_IN_REPOSITORY,
            repository,
            "classpath",
            "");

    assertEquals(elsewhere, found);
  }

  @Test
  void saysHowToBuildWhatIsMissing() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ClasspathFile.locate(
                    null,
                    ClusterFiles.CLASSPATH_PROPERTY,
                    ClusterFiles.CLASSPATH_IN_REPOSITORY,
                    repository,
                    "Flink cluster classpath file",
                    "; build it"));

    assertTrue(e.getMessage().startsWith("No Flink cluster classpath file: the system property"));
    assertTrue(e.getMessage().endsWith("; build it."), e.getMessage());
  }

  @Test
  void checksTheConfigurationIsComplete() throws IOException {
    Path classpathFile = write(ClusterFiles.CLASSPATH_IN_REPOSITORY, "/a.jar");
    Path runnersConfig = repository.resolve("runners-config");
    write(Path.of("runners-config", "flink", "cluster", "config.yaml"), "rest.port: 8081\n");

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> ClusterFiles.of(classpathFile, runnersConfig));
    assertTrue(e.getMessage().contains("log4j.properties"), e.getMessage());

    write(Path.of("runners-config", "flink", "cluster", "log4j.properties"), "");
    write(Path.of("runners-config", "jvm", "java17-opens.args"), "");
    ClusterFiles files = ClusterFiles.of(classpathFile, runnersConfig);
    assertEquals(runnersConfig.resolve("flink/cluster"), files.configDir());
  }

  private Path write(Path relative, String text) throws IOException {
    Path file = repository.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }
}
