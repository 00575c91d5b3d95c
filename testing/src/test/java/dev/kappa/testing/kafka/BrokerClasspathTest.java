package dev.kappa.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerClasspathTest {

  @TempDir Path repository;

  @Test
  void systemPropertyNamesTheFile() throws IOException {
    Path file = Files.writeString(repository.resolve("elsewhere.classpath"), "/a.jar:/b.jar\n");

    Path located = BrokerClasspath.locate(file.toString(), repository);

    assertEquals(file, located);
    assertEquals("/a.jar:/b.jar", BrokerClasspath.read(located));
  }

  @Test
  void fileIsFoundFromAModuleDirectoryOfTheRepository() throws IOException {
    Path file = repository.resolve(BrokerClasspath.FILE_IN_REPOSITORY);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "/a.jar");
    Path moduleDir = Files.createDirectories(repository.resolve("pipelines/src"));

    assertEquals(file, BrokerClasspath.locate(null, moduleDir));
  }

  @Test
  void systemPropertyNamingAMissingFileFallsBackToTheSearch() throws IOException {
    Path file = repository.resolve(BrokerClasspath.FILE_IN_REPOSITORY);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "/a.jar");
    String missing = repository.resolve("testing/testing/target/kafka-broker.classpath").toString();

    assertEquals(file, BrokerClasspath.locate(missing, repository.resolve("testing")));
  }

  @Test
  void missingFileTellsHowToBuildIt() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> BrokerClasspath.locate(null, repository));

    assertTrue(e.getMessage().contains("mvn -pl testing package"), e.getMessage());
  }

  @Test
  void systemPropertyNamingAMissingFileTellsHowToBuildIt() {
    String missing = repository.resolve("missing.classpath").toString();

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> BrokerClasspath.locate(missing, repository));

    assertTrue(e.getMessage().contains(missing), e.getMessage());
    assertTrue(e.getMessage().contains("mvn -pl testing package"), e.getMessage());
  }

  @Test
  void emptyFileIsRejected() throws IOException {
    Path file = Files.writeString(repository.resolve("empty.classpath"), "\n");

    assertThrows(IllegalStateException.class, () -> BrokerClasspath.read(file));
  }
}
