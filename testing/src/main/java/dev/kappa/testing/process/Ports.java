package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loopback ports for the local servers: free ones, taken ones, and whether one answers. */
public final class Ports {
  private static final Logger LOG = LoggerFactory.getLogger(Ports.class);

  private Ports() {}

  /** Where {@link #freePorts} looks when the ephemeral range is known: below it, above 1023. */
  private static final int LOWEST = 10_000;

  /** Linux's range for the local ports of outgoing connections. */
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /** Every port {@link #freePorts} has handed out in this JVM: never handed out twice. */
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  /**
   * {@code count} distinct ports on {@code host} that are free now and that this JVM has not handed
   * out before.
   *
   * <p>Taken below the operating system's ephemeral range when it is known (Linux): a port the
   * operating system picks for a listening socket comes from the same range as the local ports of
   * outgoing connections, so between the pick and the server's bind any connection (a client of
   * another server starting at the same time, a test's probe) may take it. Below that range only a
   * server that binds it on purpose can. Elsewhere, the operating system picks.
   */
  public static synchronized int[] freePorts(String host, int count) {
    int below = ephemeralRangeStart();
    int[] ports = below - LOWEST >= 1_000 ? pick(host, count, below) : pickEphemeral(host, count);
    for (int port : ports) {
      HANDED_OUT.add(port);
    }
    return ports;
  }

  private static int[] pick(String host, int count, int below) {
    int[] ports = new int[count];
    Set<Integer> chosen = new HashSet<>();
    for (int i = 0, tries = 0; i < count; tries++) {
      if (tries == 10_000) {
        throw new IllegalStateException(
            "Cannot find " + count + " free ports on " + host + " in " + LOWEST + ".." + below);
      }
      int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
      if (!HANDED_OUT.contains(port) && chosen.add(port) && isFree(host, port)) {
        ports[i++] = port;
      }
    }
    return ports;
  }

  private static int[] pickEphemeral(String host, int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; ) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host));
        sockets.add(socket);
        if (!HANDED_OUT.contains(socket.getLocalPort())) {
          ports[i++] = socket.getLocalPort();
        }
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

  /** The first port of the ephemeral range, or 0 if it cannot be read. */
  static int ephemeralRangeStart() {
    try {
      // Line by line: Files.readString trusts the size procfs reports and returns a fragment.
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
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
      throw new PortInUseException(
          "Cannot start "
              + server
              + " on "
              + host
              + ":"
              + port
              + ": the port is in use by "
              + holder(port).orElse("another process"));
    }
  }

  /**
   * Starts a server on ports {@link #freePorts} picks, picking again (up to three times in all) if
   * another process takes one of them between the pick and the server's own check: a pick cannot
   * reserve a port, and another build or server on the machine may bind the same one.
   *
   * @param count how many ports the server needs
   * @param start starts the server on the ports given; throws {@link PortInUseException} before
   *     starting anything if one is taken
   */
  public static <T> T startOnFreePorts(String host, int count, Function<int[], T> start) {
    PortInUseException taken = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        return start.apply(freePorts(host, count));
      } catch (PortInUseException e) {
        LOG.warn("{}; picking other ports", e.getMessage());
        if (taken == null) {
          taken = e;
        } else {
          taken.addSuppressed(e);
        }
      }
    }
    throw taken;
  }

  /**
   * What listens on TCP {@code port} of this machine, as {@code "pid 123 (java ...)"}, read from
   * Linux's {@code /proc}; empty where that is not readable (another user's process, another
   * system).
   */
  public static Optional<String> holder(int port) {
    try {
      Set<String> inodes = new HashSet<>();
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        Path path = Path.of(table);
        if (Files.isReadable(path)) {
          for (String line : Files.readAllLines(path)) {
            String[] fields = line.trim().split("\\s+");
            // local_address is "ADDR:PORT" in hex; st 0A is LISTEN; the inode is the tenth field.
            if (fields.length > 9 && fields[3].equals("0A") && fields[1].contains(":")) {
              String hexPort = fields[1].substring(fields[1].lastIndexOf(':') + 1);
              if (Integer.parseInt(hexPort, 16) == port) {
                inodes.add("socket:[" + fields[9] + "]");
              }
            }
          }
        }
      }
      if (inodes.isEmpty()) {
        return Optional.empty();
      }
      try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
        return processes
            .filter(dir -> dir.getFileName().toString().chars().allMatch(Character::isDigit))
            .filter(dir -> holdsAny(dir, inodes))
            .findFirst()
            .map(Ports::describe);
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean holdsAny(Path process, Set<String> inodes) {
    try (Stream<Path> fds = Files.list(process.resolve("fd"))) {
      return fds.anyMatch(
          fd -> {
            try {
              return inodes.contains(Files.readSymbolicLink(fd).toString());
            } catch (IOException e) {
              return false;
            }
          });
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String describe(Path process) {
    String pid = process.getFileName().toString();
    String command =
        ProcessHandle.of(Long.parseLong(pid))
            .flatMap(handle -> handle.info().commandLine())
            .map(line -> line.length() > 160 ? line.substring(0, 160) + "..." : line)
            .orElse("command unknown");
    return "pid " + pid + " (" + command + ")";
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

  /**
   * Whether something accepts TCP connections on {@code host:port} (within a second): another
   * socket, not this probe itself (see {@link #reachesAnother}).
   */
  public static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      return reachesAnother(socket, host, port);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Connects {@code socket} to {@code host:port}; whether it reached another socket. A port in the
   * ephemeral range (32768 and up on Linux) that nothing listens on yet can be handed to the probe
   * itself as its local port: the connection then reaches itself (TCP's simultaneous open) and
   * holds the port, so that the server about to listen there fails to bind ("Address already in
   * use"), even after a plain close, for the minute the connection then waits in TIME_WAIT. Such a
   * connection counts as nothing listening, and is reset at close (no TIME_WAIT), which frees the
   * port at once.
   */
  static boolean reachesAnother(Socket socket, String host, int port) throws IOException {
    socket.connect(new InetSocketAddress(host, port), 1_000);
    boolean itself =
        socket.getLocalPort() == port && socket.getLocalAddress().equals(socket.getInetAddress());
    if (itself) {
      socket.setSoLinger(true, 0);
    }
    return !itself;
  }
}
