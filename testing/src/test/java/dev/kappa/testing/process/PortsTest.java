package dev.kappa.testing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
}
