package io.opsagent.notify;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which addresses are not a public destination: the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (every block that is not globally reachable, plus the deprecated ones), multicast and
 * broadcast, every IPv6 address outside global unicast (2000::/3), and the host's own addresses.
 * Forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 64:ff9b::/96,
 * 6to4) are judged by the address they carry, so {@code 64:ff9b::7f00:1} is loopback.
 *
 * <p>Within 192.0.0.0/24 and 2001::/23 the registries list a few globally reachable anycast services
 * (PCP, TURN, AMT, AS112); no webhook receiver lives there, so the whole blocks are refused.
 */
final class SpecialPurposeAddresses {
  private record Block(IPAddress range, String kind) {}

  private static final List<Block> BLOCKS = List.of(
      // IPv4 (RFC 6890 and successors)
      block("0.0.0.0/8", "unspecified (\"this network\")"),
      block("10.0.0.0/8", "private"),
      block("100.64.0.0/10", "carrier-grade NAT"),
      block("127.0.0.0/8", "loopback"),
      block("169.254.169.254/32", "link-local (cloud metadata)"),
      block("169.254.0.0/16", "link-local"),
      block("172.16.0.0/12", "private"),
      block("192.0.0.0/24", "IETF protocol assignment"),
      block("192.0.2.0/24", "documentation (TEST-NET-1)"),
      block("192.88.99.0/24", "6to4 relay anycast (deprecated)"),
      block("192.168.0.0/16", "private"),
      block("198.18.0.0/15", "benchmarking"),
      block("198.51.100.0/24", "documentation (TEST-NET-2)"),
      block("203.0.113.0/24", "documentation (TEST-NET-3)"),
      block("224.0.0.0/4", "multicast"),
      block("255.255.255.255/32", "broadcast"),
      block("240.0.0.0/4", "reserved"),
      // IPv6 (RFC 6890 and successors)
      block("::/128", "unspecified"),
      block("::1/128", "loopback"),
      block("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
      block("100::/64", "discard-only"),
      block("100:0:0:1::/64", "dummy IPv6 prefix"),
      block("2001::/32", "Teredo"),
      block("2001::/23", "IETF protocol assignment"),
      block("2001:db8::/32", "documentation"),
      block("2002::/16", "6to4"),
      block("3fff::/20", "documentation"),
      block("5f00::/16", "segment routing (SRv6 SID)"),
      block("fc00::/7", "unique-local"),
      block("fe80::/10", "link-local"),
      block("fec0::/10", "site-local (deprecated)"),
      block("ff00::/8", "multicast"));

  private static final IPAddress GLOBAL_UNICAST = new IPAddressString("2000::/3").getAddress();

  private SpecialPurposeAddresses() {}

  /** The kind of non-public address {@code a} is, or empty for a public address; {@code own} are the host's. */
  static Optional<String> kind(IPAddress a, Set<IPAddress> own) {
    if (a instanceof IPv6Address v6) {
      Optional<CarriedIpv4> carried = CarriedIpv4.of(v6);
      if (carried.isPresent()) {
        return carried.get().kind(own);
      }
    }
    for (Block b : BLOCKS) {
      if (b.range().contains(a)) {
        return Optional.of(b.kind());
      }
    }
    if (own.contains(a.withoutPrefixLength())) {
      return Optional.of("one of this host's own addresses");
    }
    if (a.isIPv6() && !GLOBAL_UNICAST.contains(a)) {
      return Optional.of("reserved (outside global unicast 2000::/3)");
    }
    return Optional.empty();
  }

  /**
   * An IPv6 form carrying an IPv4 address: judged by that address; when it is public, {@code
   * whenPublic} says what to make of the form (mapped and NAT64 reach it; the deprecated forms are
   * refused all the same).
   */
  private record CarriedIpv4(String form, IPv4Address v4, Optional<String> whenPublic) {
    static Optional<CarriedIpv4> of(IPv6Address v6) {
      if (v6.isIPv4Mapped()) {
        return Optional.of(new CarriedIpv4("IPv4-mapped", v6.getEmbeddedIPv4Address(), Optional.empty()));
      }
      if (v6.isWellKnownIPv4Translatable()) {
        return Optional.of(new CarriedIpv4("NAT64", v6.getEmbeddedIPv4Address(), Optional.empty()));
      }
      if (v6.isIPv4Translatable()) {
        return Optional.of(new CarriedIpv4("IPv4-translated", v6.getEmbeddedIPv4Address(),
            Optional.of("IPv4-translated (reserved)")));
      }
      if (v6.isIPv4Compatible() && !v6.isLoopback() && !v6.isZero()) {
        return Optional.of(new CarriedIpv4("IPv4-compatible", v6.getEmbeddedIPv4Address(),
            Optional.of("IPv4-compatible (deprecated)")));
      }
      if (v6.is6To4()) {
        return Optional.of(new CarriedIpv4("6to4", v6.get6To4IPv4Address(), Optional.of("6to4")));
      }
      return Optional.empty();
    }

    Optional<String> kind(Set<IPAddress> own) {
      return SpecialPurposeAddresses.kind(v4, own)
          .map(k -> k + " (" + v4 + " in " + form + " form)")
          .or(this::whenPublic);
    }
  }

  private static Block block(String cidr, String kind) {
    return new Block(new IPAddressString(cidr).getAddress(), kind);
  }
}
