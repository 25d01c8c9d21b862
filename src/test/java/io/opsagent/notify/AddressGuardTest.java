package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.1",
      "172.31.255.255", "192.168.1.1", "169.254.169.254", "169.254.1.1", "100.64.0.1",
      "100.127.255.255", "fc00::1", "fd12:3456::1", "fe80::1", "224.0.0.1", "ff02::1",
      "255.255.255.255", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::10.0.0.1", "64:ff9b::a9fe:a9fe"})
  void nonPublicAddressesAreClassifiedAsRefused(String literal) throws Exception {
    assertThat(AddressGuard.classify(InetAddress.getByName(literal))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
      "2606:4700:4700::1111", "::ffff:8.8.8.8"})
  void publicAddressesAreAllowed(String literal) throws Exception {
    assertThat(AddressGuard.classify(InetAddress.getByName(literal))).isEmpty();
  }

  @Test
  void theCloudMetadataAddressIsNamedAsSuch() throws Exception {
    assertThat(AddressGuard.classify(InetAddress.getByName("169.254.169.254")))
        .hasValueSatisfying(kind -> assertThat(kind).contains("metadata"));
  }

  @Test
  void aUrlToAPrivateHostIsRefusedUnlessPrivateWebhooksAreAllowed() {
    URI metadata = URI.create("http://169.254.169.254/latest/meta-data/");
    URI localhost = URI.create("http://localhost:8080/hook");

    assertThat(new AddressGuard(false).refusal(metadata)).isPresent();
    assertThat(new AddressGuard(false).refusal(localhost))
        .hasValueSatisfying(reason -> assertThat(reason).contains("loopback"));
    assertThat(new AddressGuard(true).refusal(metadata)).isEmpty();
    assertThat(new AddressGuard(true).refusal(localhost)).isEmpty();
  }

  @Test
  void onlyHttpAndHttpsUrlsWithAHostAreAccepted() {
    assertThat(AddressGuard.parseHttpUrl("https://hooks.example.com/x", "config.url").getHost())
        .isEqualTo("hooks.example.com");
    assertThatThrownBy(() -> AddressGuard.parseHttpUrl("ftp://example.com/x", "config.url"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
    assertThatThrownBy(() -> AddressGuard.parseHttpUrl("file:///etc/passwd", "config.url"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AddressGuard.parseHttpUrl("not a url", "config.url"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config.url");
  }

  @Test
  void connectionsResolveOnlyToAddressesTheGuardAllowsSoADnsAnswerCannotSwitchToAPrivateOne() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AddressGuard(false).vettedAddresses("localhost"))
        .isInstanceOf(java.net.UnknownHostException.class)
        .hasMessageContaining("refused")
        .hasMessageContaining("loopback");
    org.assertj.core.api.Assertions.assertThat(catchingVetted(new AddressGuard(true), "localhost"))
        .isNotEmpty().allMatch(java.net.InetAddress::isLoopbackAddress);
  }

  private static java.util.List<java.net.InetAddress> catchingVetted(AddressGuard guard, String host) {
    try {
      return guard.vettedAddresses(host);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
