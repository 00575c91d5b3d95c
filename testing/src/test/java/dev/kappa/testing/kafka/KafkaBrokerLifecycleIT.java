package dev.kappa.testing.kafka;

import static dev.kappa.testing.kafka.TestRecords.consumeFromBeginning;
import static dev.kappa.testing.kafka.TestRecords.produce;
import static dev.kappa.testing.kafka.TestRecords.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.kafka.TestRecords.Record;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping, killing and restarting a broker of the test's own: the shared broker of {@link
 * KafkaBrokerExtension} must stay up for the other tests.
 */
@Timeout(180)
class KafkaBrokerLifecycleIT {

  private static final String TOPIC = "lifecycle";

  @TempDir Path dataDir;

  @Test
  void restartKeepsTopicsAndRecords() {
    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      broker.createTopic(TOPIC, 3);
      List<Record> before = records("before", 12, 3);
      produce(broker.bootstrapServers(), TOPIC, before);
      String bootstrapServers = broker.bootstrapServers();

      broker.restart();

      assertEquals(bootstrapServers, broker.bootstrapServers(), "same address after restart");
      List<Record> received = consumeFromBeginning(broker.bootstrapServers(), TOPIC, before.size());
      assertEquals(TestRecords.valuesByPartition(before), TestRecords.valuesByPartition(received));
    }
  }

  @Test
  void restartAfterKillRecoversAcknowledgedRecordsAndTakesNewOnes() {
    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      broker.createTopic(TOPIC, 3);
      List<Record> beforeCrash = records("before-crash", 12, 3);
      produce(broker.bootstrapServers(), TOPIC, beforeCrash);

      broker.kill();
      assertFalse(broker.isRunning());
      broker.restart();

      List<Record> afterCrash = records("after-crash", 6, 3);
      produce(broker.bootstrapServers(), TOPIC, afterCrash);
      List<Record> all = new ArrayList<>(beforeCrash);
      all.addAll(afterCrash);
      List<Record> received = consumeFromBeginning(broker.bootstrapServers(), TOPIC, all.size());
      assertEquals(TestRecords.valuesByPartition(all), TestRecords.valuesByPartition(received));
    }
  }

  @Test
  void stopReleasesBothPorts() throws IOException {
    KafkaBroker broker = KafkaBroker.start(dataDir);

    broker.stop();

    assertFalse(broker.isRunning());
    for (int port : new int[] {broker.port(), broker.controllerPort()}) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        assertTrue(socket.isBound(), "port " + port + " is free again");
      }
    }
    broker.close();
  }

  @Test
  @SuppressWarnings("try") // the socket is there only to hold the port
  void startOnATakenPortFailsNamingThePort() throws IOException {
    int[] ports = KafkaBroker.freePorts(2);
    try (ServerSocket taken = new ServerSocket(ports[0], 1, InetAddress.getByName("127.0.0.1"))) {

      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> KafkaBroker.start(dataDir, ports[0], ports[1]));

      assertTrue(
          e.getMessage().contains("127.0.0.1:" + ports[0] + ": the port is in use"),
          e.getMessage());
    }
  }
}
