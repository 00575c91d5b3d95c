package dev.kappa.testing.kafka;

import dev.kappa.testing.process.LocalCa;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * What makes a {@link KafkaBroker} a secured one, kept in {@code <data-dir>/secure} so that a
 * restarted broker keeps its users and certificate: a SASL_SSL listener with SCRAM-SHA-512 users
 * (created when the storage is formatted), a self-signed CA and a broker certificate for {@code
 * 127.0.0.1}/{@code localhost} made with the JDK's {@code keytool}, and the StandardAuthorizer with
 * {@value #ADMIN} as the super user. Passwords are random, kept in {@code users.properties} (owner
 * only), and never passed on a command line.
 */
final class BrokerSecurity {

  /** The super user, for set-up: topics, users, ACLs. */
  static final String ADMIN = "admin";

  /** The job's user, created with the broker; it may do only what ACLs grant it. */
  static final String JOB_USER = "kappa";

  static final String MECHANISM = "SCRAM-SHA-512";

  private static final String KEYSTORE_PASSWORD = "keystore.password";
  private static final String USER_PREFIX = "user.";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The user of the client certificate the test listeners issue: its subject. */
  static final String CERTIFICATE_USER = "CN=kappa-mtls";

  private static final String CLIENT_CERTIFICATE = "mtls-client";

  private final Path dir;
  private final Properties secrets;

  /** The port of the test listeners' mTLS listener; 0 without them. */
  private final int mtlsPort;

  private BrokerSecurity(Path dir, Properties secrets) {
    this(dir, secrets, 0);
  }

  private BrokerSecurity(Path dir, Properties secrets, int mtlsPort) {
    this.dir = dir;
    this.secrets = secrets;
    this.mtlsPort = mtlsPort;
  }

  /**
   * This security with the test listeners too: an SSL listener on {@code port} that requires a
   * client certificate from the broker's CA ({@link #mtlsClientSettings}), and PLAIN and
   * OAUTHBEARER besides SCRAM on the SASL_SSL listener, OAUTHBEARER with Kafka's unsecured JWS
   * handlers, which take any token's subject for the user: for tests only, never the local broker
   * of {@code kafka-local.sh}.
   */
  BrokerSecurity withTestListeners(int port) {
    try {
      if (!Files.exists(LocalCa.at(dir).serverKey(CLIENT_CERTIFICATE))) {
        LocalCa.open(dir, secrets.getProperty(KEYSTORE_PASSWORD))
            .issueServerCertificate(CLIENT_CERTIFICATE, "kappa-mtls");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot issue the client certificate in " + dir, e);
    }
    return new BrokerSecurity(dir, secrets, port);
  }

  /** The mTLS listener's {@code bootstrap.servers}; fails without the test listeners. */
  String mtlsBootstrapServers(String host) {
    if (mtlsPort == 0) {
      throw new IllegalStateException("The broker was started without its test listeners");
    }
    return host + ":" + mtlsPort;
  }

  /**
   * The security of the broker on {@code dataDir}: read back if it was made before, else made now
   * (passwords, CA, broker certificate).
   */
  static BrokerSecurity createOrLoad(Path dataDir) {
    Path dir = dataDir.resolve("secure");
    Path users = dir.resolve("users.properties");
    try {
      Properties secrets = new Properties();
      if (Files.exists(users)) {
        try (Reader reader = Files.newBufferedReader(users, StandardCharsets.UTF_8)) {
          secrets.load(reader);
        }
        return new BrokerSecurity(dir, secrets);
      }
      Files.createDirectories(dir);
      secrets.setProperty(KEYSTORE_PASSWORD, randomPassword());
      secrets.setProperty(USER_PREFIX + ADMIN, randomPassword());
      secrets.setProperty(USER_PREFIX + JOB_USER, randomPassword());
      BrokerSecurity security = new BrokerSecurity(dir, secrets);
      security.makeCertificates();
      writePrivately(users, writer -> secrets.store(writer, "Kafka users of the secured broker"));
      return security;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot set up the secured Kafka broker in " + dir, e);
    }
  }

  /** A password of 24 letters and digits: nothing that needs quoting in JAAS or properties. */
  static String randomPassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    StringBuilder password = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      password.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return password.toString();
  }

  /** The users created when the storage is formatted, by name. */
  Map<String, String> users() {
    Map<String, String> users = new LinkedHashMap<>();
    for (String key : new TreeSet<>(secrets.stringPropertyNames())) {
      if (key.startsWith(USER_PREFIX)) {
        users.put(key.substring(USER_PREFIX.length()), secrets.getProperty(key));
      }
    }
    return users;
  }

  String password(String user) {
    String password = secrets.getProperty(USER_PREFIX + user);
    if (password == null) {
      throw new IllegalArgumentException("The secured broker has no user " + user);
    }
    return password;
  }

  /** The CA certificate (PEM) that clients trust. */
  Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** The {@code kafka-storage format} arguments that create the SCRAM users. */
  List<String> formatArguments() {
    List<String> arguments = new ArrayList<>();
    users()
        .forEach(
            (user, password) -> {
              arguments.add("--add-scram");
              arguments.add(MECHANISM + "=[name=" + user + ",password=" + password + "]");
            });
    return arguments;
  }

  /** The broker's settings for a SASL_SSL listener on {@code port} and the authorizer. */
  Map<String, String> serverSettings(String host, int port, int controllerPort) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put(
        "listeners",
        "SASL_SSL://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    config.put("advertised.listeners", "SASL_SSL://" + host + ":" + port);
    config.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
    config.put("inter.broker.listener.name", "SASL_SSL");
    config.put("sasl.enabled.mechanisms", MECHANISM);
    if (mtlsPort != 0) {
      config.put(
          "listeners",
          config
              .get("listeners")
              .replace(",CONTROLLER:", ",SSL://" + host + ":" + mtlsPort + ",CONTROLLER:"));
      config.put(
          "advertised.listeners",
          config.get("advertised.listeners") + ",SSL://" + host + ":" + mtlsPort);
      config.put(
          "listener.security.protocol.map", "SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT");
      config.put("listener.name.ssl.ssl.client.auth", "required");
      config.put("sasl.enabled.mechanisms", MECHANISM + ",PLAIN,OAUTHBEARER");
      StringBuilder plain =
          new StringBuilder(
              "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                  + ADMIN
                  + "\" password=\""
                  + password(ADMIN)
                  + "\"");
      users().forEach((user, password) -> plain.append(" user_" + user + "=\"" + password + "\""));
      config.put("listener.name.sasl_ssl.plain.sasl.jaas.config", plain.append(';').toString());
      // No server callback handler: Kafka's unsecured JWS validator.
      config.put(
          "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
              + " unsecuredLoginStringClaim_sub=\""
              + ADMIN
              + "\";");
    }
    config.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
    config.put(
        "listener.name.sasl_ssl." + MECHANISM.toLowerCase() + ".sasl.jaas.config",
        jaas(ADMIN, password(ADMIN)));
    config.put("ssl.keystore.type", "PKCS12");
    config.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
    config.put("ssl.keystore.password", secrets.getProperty(KEYSTORE_PASSWORD));
    config.put("ssl.key.password", secrets.getProperty(KEYSTORE_PASSWORD));
    config.put("ssl.truststore.type", "PEM");
    config.put("ssl.truststore.location", caCertificate().toString());
    config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // The controller listener is plaintext on loopback: the broker's own requests to its
    // controller come from User:ANONYMOUS there.
    config.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
    config.put("allow.everyone.if.no.acl.found", "false");
    return config;
  }

  /** The settings a client of {@code user} connects with: SCRAM over TLS, trusting the CA. */
  Map<String, String> clientSettings(String user, String password) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", MECHANISM);
    config.put("sasl.jaas.config", jaas(user, password));
    config.put("ssl.truststore.type", "PEM");
    config.put("ssl.truststore.location", caCertificate().toString());
    return config;
  }

  /**
   * The settings of the client certificate's user ({@value #CERTIFICATE_USER}) on the mTLS
   * listener, in the inline PEM form docs/security.md gives: the certificate, its key and the CA,
   * each as one value.
   */
  Map<String, String> mtlsClientSettings() {
    LocalCa ca = LocalCa.at(dir);
    Map<String, String> config = new LinkedHashMap<>();
    config.put("security.protocol", "SSL");
    config.put("ssl.keystore.type", "PEM");
    config.put("ssl.keystore.certificate.chain", read(ca.serverCertificate(CLIENT_CERTIFICATE)));
    config.put("ssl.keystore.key", read(ca.serverKey(CLIENT_CERTIFICATE)));
    config.put("ssl.truststore.type", "PEM");
    config.put("ssl.truststore.certificates", read(caCertificate()));
    return config;
  }

  /** The settings of {@code user} with SASL/PLAIN over TLS on the SASL_SSL listener. */
  Map<String, String> plainClientSettings(String user, String password) {
    Map<String, String> config = clientSettings(user, password);
    config.put("sasl.mechanism", "PLAIN");
    config.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    return config;
  }

  /**
   * The settings of {@code user} with SASL/OAUTHBEARER over TLS, an unsecured token (Kafka's
   * unsecured login handler, no identity provider) whose subject is {@code user}.
   */
  Map<String, String> oauthClientSettings(String user) {
    Map<String, String> config = clientSettings(user, "");
    config.put("sasl.mechanism", "OAUTHBEARER");
    config.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
            + " unsecuredLoginStringClaim_sub=\""
            + user
            + "\";");
    return config;
  }

  private static String read(Path pem) {
    try {
      return Files.readString(pem, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + pem, e);
    }
  }

  static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** Writes {@code settings} as a properties file only its owner may read. */
  static void writeProperties(Path file, Map<String, String> settings, String comment) {
    Properties properties = new Properties();
    properties.putAll(settings);
    try {
      writePrivately(file, writer -> properties.store(writer, comment));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  private interface WriteTo {
    void write(Writer writer) throws IOException;
  }

  private static void writePrivately(Path file, WriteTo content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      content.write(writer);
    }
  }

  /**
   * A CA, and a broker key pair whose certificate the CA signs for 127.0.0.1 and localhost ({@code
   * broker.p12}), with the JDK's keytool.
   */
  private void makeCertificates() throws IOException {
    LocalCa.create(dir, "Kappa local CA", secrets.getProperty(KEYSTORE_PASSWORD))
        .issueServerCertificate("broker", "localhost");
  }
}
