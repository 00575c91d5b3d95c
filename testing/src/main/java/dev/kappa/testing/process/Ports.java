package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loopback ports for the local servers: free ones, taken ones, and whether one answers. */
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

  /** Whether a server could bind {@code host:port} now (nothing else listens there). */
  public static boolean isFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Checks, before a server starts, that its port is free: a server started on a taken port fails
   * late and obscurely, or a client reaches the other process instead.
   *
   * @param server what is starting, in the message: "PostgreSQL", "the Kafka broker"
   * @throws IllegalStateException naming the server and {@code host:port} if the port is taken
   */
  public static void requireFree(String server, String host, int port) {
    if (!isFree(host, port)) {
      throw new IllegalStateException(
          "Cannot start "
              + server
              + " on "
              + host
              + ":"
              + port
              + ": the port is in use by another process");
    }
  }

  /**
   * Checks the two ports of a server that listens on two ({@link #check}, distinct, {@link
   * #requireFree}).
   *
   * @param server what is starting, in messages
   */
  public static void requireTwoFree(
      String server, String host, String firstName, int first, String secondName, int second) {
    check(firstName, first);
    check(secondName, second);
    if (first == second) {
      throw new IllegalArgumentException(
          firstName + " and " + secondName + " must differ, both are " + first);
    }
    requireFree(server + " (" + firstName + ")", host, first);
    requireFree(server + " (" + secondName + ")", host, second);
  }

  /** Whether something accepts TCP connections on {@code host:port} (within a second). */
  public static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
