package dev.kappa.testing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  private static final String HOST = "127.0.0.1";

  @Test
  void freePortsAreNeverHandedOutTwiceInOneJvm() {
    Set<Integer> seen = new HashSet<>();
    int handedOut = 0;
    for (int i = 0; i < 50; i++) {
      for (int port : Ports.freePorts(HOST, 3)) {
        seen.add(port);
        handedOut++;
      }
    }
    assertEquals(handedOut, seen.size(), "ports handed out twice");
  }

  /**
   * A probe whose connection reaches itself (TCP's simultaneous open) finds no server, and leaves
   * the port free for the server that is starting.
   */
  @Test
  void aProbeConnectedToItselfIsNotAServer() throws IOException {
    int port = Ports.freePorts(HOST, 1)[0];
    try (Socket probe = new Socket()) {
      // What the kernel does by chance when it picks the target port as the probe's own.
      probe.bind(new InetSocketAddress(HOST, port));
      assertFalse(Ports.reachesAnother(probe, HOST, port));
    }
    try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getByName(HOST));
        Socket probe = new Socket()) {
      assertTrue(Ports.reachesAnother(probe, HOST, port));
    }
  }

  @Test
  void freePortsCanBeBound() throws IOException {
    List<ServerSocket> bound = new ArrayList<>();
    try {
      for (int port : Ports.freePorts(HOST, 4)) {
        bound.add(new ServerSocket(port, 1, InetAddress.getByName(HOST)));
      }
    } finally {
      for (ServerSocket socket : bound) {
        socket.close();
      }
    }
  }

  @Test
  void freePortsLieBelowTheEphemeralRangeWhereOutgoingConnectionsTakeTheirs() {
    int ephemeralStart = Ports.ephemeralRangeStart();
    assumeTrue(ephemeralStart > 11_000, "the ephemeral range is not known here");
    for (int port : Ports.freePorts(HOST, 20)) {
      assertTrue(port < ephemeralStart, port + " is in the ephemeral range from " + ephemeralStart);
    }
  }

  @Test
  void aPortAServerHoldsIsNotFree() throws IOException {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      assertFalse(Ports.isFree(HOST, held.getLocalPort()));
    }
  }

  @Test
  void theMessageForATakenPortNamesTheProcessHoldingIt() throws IOException {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      PortInUseException taken =
          assertThrows(
              PortInUseException.class,
              () -> Ports.requireFree("the test server", HOST, held.getLocalPort()));
      assertContains(
          taken.getMessage(),
          (HOST
              + ":"
              + held.getLocalPort()
              + ": the port is in use by pid "
              + ProcessHandle.current().pid()));
    }
  }

  @Test
  void aServerWhosePortIsTakenBeforeItStartsGetsOtherPorts() throws IOException {
    List<int[]> tried = new ArrayList<>();
    List<ServerSocket> thieves = new ArrayList<>();
    try {
      int started =
          Ports.startOnFreePorts(
              HOST,
              2,
              ports -> {
                tried.add(ports);
                if (tried.size() < 3) {
                  // Another process takes the second port between the pick and the start.
                  thieves.add(bind(ports[1]));
                }
                Ports.requireFree("the test server", HOST, ports[0]);
                Ports.requireFree("the test server", HOST, ports[1]);
                return ports[0];
              });
      assertEquals(3, tried.size());
      assertEquals(tried.get(2)[0], started);
    } finally {
      for (ServerSocket socket : thieves) {
        socket.close();
      }
    }
  }

  @Test
  void aServerWhosePortsAreTakenThreeTimesFailsNamingThePort() throws IOException {
    List<ServerSocket> thieves = new ArrayList<>();
    try {
      PortInUseException taken =
          assertThrows(
              PortInUseException.class,
              () ->
                  Ports.startOnFreePorts(
                      HOST,
                      1,
                      ports -> {
                        thieves.add(bind(ports[0]));
                        Ports.requireFree("the test server", HOST, ports[0]);
                        return ports[0];
                      }));
      assertContains(taken.getMessage(), (":" + thieves.get(0).getLocalPort() + ":"));
      assertEquals(2, taken.getSuppressed().length);
    } finally {
      for (ServerSocket socket : thieves) {
        socket.close();
      }
    }
  }

  private static ServerSocket bind(int port) {
    try {
      return new ServerSocket(port, 1, InetAddress.getByName(HOST));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertContains(String message, String part) {
    assertTrue(
        message.contains(part), () -> "\"" + message + "\" does not contain \"" + part + "\"");
  }
}
