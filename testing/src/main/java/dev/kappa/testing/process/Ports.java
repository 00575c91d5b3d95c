package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loopback ports for the local servers. */
public final class Ports {
  private static final Logger LOG = LoggerFactory.getLogger(Ports.class);

  private Ports() {}

  /** {@code count} distinct free ports on {@code host}, as the operating system hands them out. */
  public static int[] freePorts(String host, int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find free ports on " + host, e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          LOG.debug("Closing a port probe failed", e);
        }
      }
    }
  }

  /**
   * Checks that {@code port} is a TCP port a server can listen on.
   *
   * @throws IllegalArgumentException naming the setting if it is not in 1..65535
   */
  public static void check(String name, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be in 1..65535, got " + port);
    }
  }
}
