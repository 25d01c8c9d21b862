package io.opsagent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code opsagent --version}: the project version the build was made from, written into
 * {@code opsagent-version.properties} by Maven's resource filtering (so it is the same on the test
 * classpath and in the jar), else the jar manifest's {@code Implementation-Version}.
 */
final class VersionProvider implements IVersionProvider {
  static final String RESOURCE = "/opsagent-version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {"opsagent " + version()};
  }

  static String version() {
    return fromResource()
        .or(() -> Optional.ofNullable(Main.class.getPackage().getImplementationVersion()))
        .orElse("unknown");
  }

  private static Optional<String> fromResource() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      return v.isBlank() || v.startsWith("${") ? Optional.empty() : Optional.of(v.strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
