package dev.kappa.testing.kafka;

import dev.kappa.testing.process.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A {@link KafkaBroker} as production clusters are: one SASL_SSL listener (SCRAM-SHA-512 over TLS
 * with a certificate from a CA of its own) and ACLs enforced by KRaft's StandardAuthorizer. The
 * super user {@code admin} sets up topics, users and ACLs; the job's user {@code kappa} may do
 * nothing until {@link #allowRead} or {@link #allowWrite} grant it.
 *
 * <pre>{@code
 * broker.createTopic("orders", 3);
 * broker.allowRead(SecuredKafkaBroker.JOB_USER, "orders", "kappa-order-revenue");
 * broker.allowWrite(SecuredKafkaBroker.JOB_USER, "results");
 * broker.writeClientProperties(file, SecuredKafkaBroker.JOB_USER);   // --kafkaClientProperties
 * }</pre>
 *
 * <p>In JUnit 5 tests, {@link SecuredKafkaBrokerExtension} shares one per test JVM.
 */
public final class SecuredKafkaBroker implements AutoCloseable {

  /** The job's user, created with the broker. */
  public static final String JOB_USER = BrokerSecurity.JOB_USER;

  /** The super user, created with the broker. */
  public static final String ADMIN = BrokerSecurity.ADMIN;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaBroker broker;

  private SecuredKafkaBroker(KafkaBroker broker) {
    this.broker = broker;
  }

  /**
   * Starts a secured broker on free loopback ports, its data and certificates in {@code dataDir},
   * with the test listeners: mTLS ({@link #mtlsBootstrapServers}), and PLAIN and OAUTHBEARER
   * (unsecured tokens, which anyone can forge: tests only) besides SCRAM.
   */
  public static SecuredKafkaBroker start(Path dataDir) {
    return new SecuredKafkaBroker(
        Ports.startOnFreePorts(
            KafkaBroker.HOST,
            3,
            ports ->
                KafkaBroker.start(
                    dataDir,
                    ports[0],
                    ports[1],
                    System.getProperty(KafkaBroker.LOG_LEVEL_PROPERTY, "WARN"),
                    false,
                    true,
                    ports[2])));
  }

  /** Wraps a broker started secured (by {@link KafkaLocalCli}). */
  static SecuredKafkaBroker of(KafkaBroker broker) {
    broker.security();
    return new SecuredKafkaBroker(broker);
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The broker's log file. */
  public Path logFile() {
    return broker.logFile();
  }

  /** The password of {@code user} ({@link #ADMIN}, {@link #JOB_USER}, or one created). */
  public String password(String user) {
    return broker.security().password(user);
  }

  /** The PEM certificate of the broker's CA, which clients trust. */
  public Path caCertificate() {
    return broker.security().caCertificate();
  }

  /** The client settings of {@code user} with {@code password}: SASL_SSL, SCRAM, the CA. */
  public Map<String, String> clientSettings(String user, String password) {
    return broker.security().clientSettings(user, password);
  }

  /** The user a client of {@link #mtlsClientSettings} is, as ACLs name it (its subject). */
  public static final String CERTIFICATE_USER = BrokerSecurity.CERTIFICATE_USER;

  /** The {@code bootstrap.servers} of the listener that requires a client certificate. */
  public String mtlsBootstrapServers() {
    return broker.security().mtlsBootstrapServers(KafkaBroker.HOST);
  }

  /**
   * The client settings of {@link #CERTIFICATE_USER} on {@link #mtlsBootstrapServers}: SSL, the
   * certificate, key and CA inline (PEM).
   */
  public Map<String, String> mtlsClientSettings() {
    return broker.security().mtlsClientSettings();
  }

  /** The client settings of {@code user} with SASL/PLAIN over TLS and its own password. */
  public Map<String, String> plainClientSettings(String user) {
    return broker.security().plainClientSettings(user, password(user));
  }

  /** The client settings of {@code user} with SASL/OAUTHBEARER over TLS, an unsecured token. */
  public Map<String, String> oauthClientSettings(String user) {
    return broker.security().oauthClientSettings(user);
  }

  /** The client settings of {@code user} with its own password. */
  public Map<String, String> clientSettings(String user) {
    return clientSettings(user, password(user));
  }

  /** Writes {@code settings} to {@code file} (readable by its owner only), as a properties file. */
  public static Path writeProperties(Path file, Map<String, String> settings) {
    BrokerSecurity.writeProperties(file, settings, "Kafka client settings");
    return file;
  }

  /** Writes the client settings of {@code user} to {@code file}, for --kafkaClientProperties. */
  public Path writeClientProperties(Path file, String user) {
    return writeProperties(file, clientSettings(user));
  }

  /** Creates a topic, as the super user. */
  public void createTopic(String name, int partitions) {
    broker.createTopic(name, partitions);
  }

  /** Creates (or changes the password of) the SCRAM-SHA-512 user {@code user}. */
  public void createUser(String user, String password) {
    try (Admin admin = broker.admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all()
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create the Kafka user " + user, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating the Kafka user " + user, e);
    }
  }

  /**
   * Lets {@code user} read (and describe) {@code topic}, and use the consumer groups whose names
   * start with {@code groupPrefix} (none if null).
   */
  public void allowRead(String user, String topic, String groupPrefix) {
    grant(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
    grant(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
    if (groupPrefix != null) {
      grant(user, ResourceType.GROUP, groupPrefix, PatternType.PREFIXED, AclOperation.READ);
    }
  }

  /** Lets {@code user} write (and describe) {@code topic}. */
  public void allowWrite(String user, String topic) {
    grant(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE);
    grant(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
  }

  /** Lets {@code user} perform {@code operation} on the resource, from any host. */
  public void grant(
      String user, ResourceType type, String name, PatternType pattern, AclOperation operation) {
    AclBinding binding =
        new AclBinding(
            new ResourcePattern(type, name, pattern),
            new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    try (Admin admin = broker.admin()) {
      admin.createAcls(List.of(binding)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create the ACL " + binding, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating the ACL " + binding, e);
    }
  }

  /** An admin client as the super user; the caller closes it. */
  public Admin admin() {
    return broker.admin();
  }

  @Override
  public void close() {
    broker.close();
  }

  @Override
  public String toString() {
    return "secured " + broker;
  }
}
