package dev.kappa.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback port that accepts connections and never answers, as a firewall or the wrong service
 * would: a client's connection succeeds and its requests get no reply. Closing it closes the
 * connections it holds.
 */
public final class SilentServer implements AutoCloseable {
  private final ServerSocket socket;
  private final List<Socket> held = new CopyOnWriteArrayList<>();

  private SilentServer(ServerSocket socket) {
    this.socket = socket;
  }

  /** Listens on a free loopback port, accepting on a daemon thread named {@code name}. */
  public static SilentServer start(String name) {
    ServerSocket socket;
    try {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen on a loopback port", e);
    }
    SilentServer server = new SilentServer(socket);
    Thread acceptor = new Thread(server::accept, name);
    acceptor.setDaemon(true);
    acceptor.start();
    return server;
  }

  /** The port it listens on. */
  public int port() {
    return socket.getLocalPort();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        held.add(socket.accept());
      } catch (IOException closed) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket connection : held) {
      connection.close();
    }
  }
}
