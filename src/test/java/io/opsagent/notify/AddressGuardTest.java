package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  /** Each block of the IANA special-purpose registries that is not globally reachable, first and last address. */
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "198.18.0.0, benchmarking", "198.19.255.255, benchmarking",
      "192.0.0.0, IETF protocol assignment", "192.0.0.255, IETF protocol assignment",
      "192.0.2.0, TEST-NET-1", "192.0.2.255, TEST-NET-1",
      "198.51.100.0, TEST-NET-2", "198.51.100.255, TEST-NET-2",
      "203.0.113.0, TEST-NET-3", "203.0.113.255, TEST-NET-3",
      "240.0.0.0, reserved", "255.255.255.254, reserved",
      "0.1.2.3, this network", "192.88.99.1, 6to4 relay",
      "2002::, 6to4", "2002:808:808::1, 6to4", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff, 6to4",
      "2001::, Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2, Teredo", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff, Teredo",
      "64:ff9b:1::, local-use IPv4/IPv6 translation", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff, local-use IPv4/IPv6 translation",
      "64:ff9b:1::808:808, local-use IPv4/IPv6 translation",
      "2001:2::1, IETF protocol assignment", "2001:1ff:ffff::1, IETF protocol assignment",
      "2001:db8::1, documentation", "3fff::1, documentation", "100::1, discard-only",
      "5f00::1, segment routing", "fec0::1, site-local", "4000::1, outside global unicast",
      "fc00::, unique-local", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, unique-local"})
  void everySpecialPurposeBlockThatIsNotGloballyReachableIsRefused(String literal, String kind)
      throws Exception {
    assertThat(AddressGuard.classify(InetAddress.getByName(literal)))
        .hasValueSatisfying(k -> assertThat(k).contains(kind));
  }

  /** IPv6 forms that carry an IPv4 address are judged by that address. */
  @ParameterizedTest(name = "{0} carries {1}")
  @CsvSource({
      "::ffff:198.18.0.1, benchmarking", "::ffff:192.0.2.1, TEST-NET-1", "::ffff:240.0.0.1, reserved",
      "::ffff:127.0.0.1, loopback", "::ffff:169.254.169.254, cloud metadata",
      "64:ff9b::7f00:1, loopback (127.0.0.1 in NAT64 form)", "64:ff9b::c612:1, benchmarking",
      "64:ff9b::cb00:7101, TEST-NET-3", "64:ff9b::a9fe:a9fe, cloud metadata",
      "::198.51.100.1, TEST-NET-2", "::127.0.0.1, loopback (127.0.0.1 in IPv4-compatible form)",
      "::ffff:0:a00:1, private (10.0.0.1 in IPv4-translated form)",
      "2002:7f00:1::1, loopback (127.0.0.1 in 6to4 form)", "2002:a9fe:a9fe::, cloud metadata",
      "2002:c000:201::1, TEST-NET-1"})
  void ipv6FormsCarryingARefusedIpv4AddressAreRefused(String literal, String kind) throws Exception {
    byte[] bytes = InetAddress.getByName(literal).getAddress();
    byte[] v6 = bytes.length == 16 ? bytes : mapped(bytes);
    // as Java resolves it (a mapped address becomes IPv4) and as the IPv6 address it is on the wire
    assertThat(AddressGuard.classify(InetAddress.getByName(literal)))
        .hasValueSatisfying(k -> assertThat(k).contains(kind));
    assertThat(AddressGuard.classify(Inet6Address.getByAddress(null, v6, -1)))
        .hasValueSatisfying(k -> assertThat(k).contains(kind.replaceAll(" \\(.*", "")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
      "198.17.255.255", "198.20.0.0", "192.0.1.255", "192.0.3.0", "203.0.114.1",
      "2606:4700:4700::1111", "2a00:1450:4001::1", "2001:200::1", "::ffff:8.8.8.8", "64:ff9b::808:808"})
  void publicAddressesAreAllowed(String literal) throws Exception {
    assertThat(AddressGuard.classify(InetAddress.getByName(literal))).isEmpty();
  }

  @Test
  void theHostsOwnAddressIsRefusedEvenWhenItIsPublic() throws Exception {
    InetAddress own = InetAddress.getByName("93.184.215.14");
    AddressGuard guard = new AddressGuard(false, () -> List.of(own));

    assertThat(AddressGuard.classify(own)).isEmpty();
    assertThat(guard.refusal(URI.create("http://93.184.215.14:8080/hook")))
        .hasValueSatisfying(reason -> assertThat(reason).contains("this host's own"));
    assertThat(guard.refusal(URI.create("http://[::ffff:93.184.215.14]/hook"))).isPresent();
    assertThat(guard.refusal(URI.create("http://[64:ff9b::5db8:d70e]/hook")))
        .hasValueSatisfying(reason -> assertThat(reason).contains("this host's own").contains("NAT64"));
    assertThatThrownBy(() -> guard.vettedAddresses("93.184.215.14"))
        .isInstanceOf(UnknownHostException.class).hasMessageContaining("this host's own");
    assertThat(guard.refusal(URI.create("http://93.184.215.15/hook"))).isEmpty();
    assertThat(new AddressGuard(true, () -> List.of(own)).refusal(URI.create("http://93.184.215.14/")))
        .isEmpty();
  }

  @Test
  void everyAddressOfThisMachinesInterfacesIsRefused() throws Exception {
    List<InetAddress> mine = NetworkInterface.networkInterfaces()
        .flatMap(NetworkInterface::inetAddresses).toList();
    assertThat(mine).isNotEmpty();
    AddressGuard guard = new AddressGuard(false);
    for (InetAddress a : mine) {
      String literal = a.getHostAddress().replaceAll("%.*", "");
      String host = a instanceof Inet6Address ? "[" + literal + "]" : literal;
      assertThat(guard.refusal(URI.create("http://" + host + "/hook"))).as(literal).isPresent();
    }
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

  private static byte[] mapped(byte[] v4) {
    byte[] v6 = new byte[16];
    v6[10] = (byte) 0xff;
    v6[11] = (byte) 0xff;
    System.arraycopy(v4, 0, v6, 12, 4);
    return v6;
  }

  private static java.util.List<java.net.InetAddress> catchingVetted(AddressGuard guard, String host) {
    try {
      return guard.vettedAddresses(host);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
