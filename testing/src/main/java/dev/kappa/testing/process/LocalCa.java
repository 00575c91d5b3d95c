package dev.kappa.testing.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made on this machine with the JDK's {@code keytool}, and the server
 * certificates it signs, for the local servers that speak TLS (the secured Kafka broker, PostgreSQL
 * with TLS). Nothing but a JDK is needed: {@code keytool} makes the keys and certificates, and the
 * JDK's {@link KeyStore} exports a server's private key as PEM for servers that want one
 * (PostgreSQL).
 *
 * <pre>{@code
 * LocalCa ca = LocalCa.create(dir, "Local CA", storePassword); // dir/ca.p12, dir/ca.crt (PEM)
 * ca.issueServerCertificate("server", "localhost");             // dir/server.p12, .crt, .key
 * }</pre>
 *
 * <p>Store passwords reach keytool through its {@code :env} form, never its command line. Each
 * server certificate is for {@code 127.0.0.1} and {@code localhost}: what a client checking host
 * names (Kafka's clients, PostgreSQL's {@code sslmode=verify-full}) connects to locally.
 */
public final class LocalCa {

  /** The host names every server certificate is for. */
  public static final String SUBJECT_ALTERNATIVE_NAMES = "san=ip:127.0.0.1,dns:localhost";

  private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);
  private static final String PASSWORD_VARIABLE = "KAPPA_KEYSTORE_PASSWORD";

  private final Path dir;
  private final String storePassword; // null for LocalCa.at: it cannot sign

  private LocalCa(Path dir, String storePassword) {
    this.dir = dir;
    this.storePassword = storePassword;
  }

  /**
   * Makes a new CA named {@code name} in {@code dir} (created if missing): its key pair in {@code
   * ca.p12}, protected by {@code storePassword}, and its certificate in {@code ca.crt} (PEM), the
   * file clients trust.
   *
   * @throws IOException if keytool fails; its output is in {@code dir/keytool.log}
   */
  public static LocalCa create(Path dir, String name, String storePassword) throws IOException {
    Files.createDirectories(dir);
    LocalCa ca = new LocalCa(dir, storePassword);
    ca.keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-dname",
        "CN=" + name,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "3650",
        "-ext",
        "bc:c",
        "-keystore",
        ca.store().toString(),
        "-storetype",
        "PKCS12");
    ca.keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.store().toString(),
        "-file",
        ca.certificate().toString());
    return ca;
  }

  /**
   * The CA made before in {@code dir} with {@code storePassword}, to issue more certificates with.
   */
  public static LocalCa open(Path dir, String storePassword) {
    return new LocalCa(dir, storePassword);
  }

  /**
   * The files of a CA made before in {@code dir}, for their paths: issuing more certificates needs
   * {@link #create} or {@link #open}.
   */
  public static LocalCa at(Path dir) {
    return new LocalCa(dir, null);
  }

  /** The CA's certificate (PEM): what clients trust. */
  public Path certificate() {
    return dir.resolve("ca.crt");
  }

  /** The PKCS12 key store of the server certificate {@code name} issued here. */
  public Path serverStore(String name) {
    return dir.resolve(name + ".p12");
  }

  /** The server certificate {@code name} issued here, PEM. */
  public Path serverCertificate(String name) {
    return dir.resolve(name + ".crt");
  }

  /** The private key of the server certificate {@code name}, PEM (PKCS#8), owner-only. */
  public Path serverKey(String name) {
    return dir.resolve(name + ".key");
  }

  /**
   * Makes a key pair for a server and has this CA sign its certificate for {@value
   * #SUBJECT_ALTERNATIVE_NAMES}: a PKCS12 store with the key and the chain up to the CA ({@link
   * #serverStore}, same password as the CA's), the certificate ({@link #serverCertificate}) and the
   * unencrypted key ({@link #serverKey}, readable by its owner only) as PEM.
   *
   * @param name the files' base name and the key's alias in the store
   * @param commonName the certificate subject's CN
   * @throws IOException if keytool fails or a file cannot be written
   */
  public void issueServerCertificate(String name, String commonName) throws IOException {
    issueServerCertificate(name, commonName, SUBJECT_ALTERNATIVE_NAMES);
  }

  /**
   * As {@link #issueServerCertificate(String, String)}, for the names {@code
   * subjectAlternativeNames} gives in keytool's {@code -ext} form (for example {@code
   * san=dns:db.example.org}): a test's certificate that does not name the host it is served from.
   */
  public void issueServerCertificate(String name, String commonName, String subjectAlternativeNames)
      throws IOException {
    if (storePassword == null) {
      throw new IllegalStateException("LocalCa.at(" + dir + ") cannot sign: use LocalCa.create");
    }
    Path store = serverStore(name);
    Path request = dir.resolve(name + ".csr");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-dname",
        "CN=" + commonName,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "3650",
        "-ext",
        subjectAlternativeNames,
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12");
    keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-file", request.toString());
    keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        store().toString(),
        "-infile",
        request.toString(),
        "-outfile",
        serverCertificate(name).toString(),
        "-ext",
        subjectAlternativeNames,
        "-validity",
        "3650",
        "-rfc");
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        certificate().toString(),
        "-keystore",
        store.toString());
    keytool(
        "-importcert",
        "-alias",
        name,
        "-file",
        serverCertificate(name).toString(),
        "-keystore",
        store.toString());
    Files.delete(request);
    writePrivateKey(name);
  }

  private Path store() {
    return dir.resolve("ca.p12");
  }

  /** keytool cannot export a private key; the JDK's KeyStore can, as PKCS#8 bytes. */
  private void writePrivateKey(String name) throws IOException {
    Key key;
    try (InputStream in = Files.newInputStream(serverStore(name))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, storePassword.toCharArray());
      key = store.getKey(name, storePassword.toCharArray());
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot read the key of " + name + " from " + serverStore(name), e);
    }
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    Path file = serverKey(name);
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }

  private void keytool(String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    command.add("-storepass:env");
    command.add(PASSWORD_VARIABLE);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put(PASSWORD_VARIABLE, storePassword);
    Path log = dir.resolve("keytool.log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    // Process.waitFor, not the ProcessHandle's onExit: that can complete before the Process has
    // its exit value, and exitValue() then throws.
    boolean exited;
    try {
      exited = process.waitFor(KEYTOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("Interrupted while keytool " + arguments[0] + " ran", e);
    }
    if (!exited) {
      process.destroyForcibly();
      throw new IOException("keytool " + arguments[0] + " did not finish within 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "keytool " + arguments[0] + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
