package io.opsagent.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard: a notification URL must not reach the platform's own network. Every address the
 * host resolves to is checked, at channel creation and again before each delivery (DNS may have
 * changed since). Refused: loopback, unspecified, private (10/8, 172.16/12, 192.168/16), link-local
 * (169.254/16 with the cloud metadata address, fe80::/10), carrier-grade NAT (100.64/10), IPv6
 * unique-local (fc00::/7), multicast and broadcast. {@code allowPrivate} switches the guard off, for
 * development and tests.
 */
public final class AddressGuard {
  private final boolean allowPrivate;

  public AddressGuard(boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
  }

  /** Parses an http(s) URL with a host; the message names {@code field}, never the URL itself. */
  public static URI parseHttpUrl(String value, String field) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(field + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(field + " must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(field + " must name a host");
    }
    return uri;
  }

  /** Why {@code uri}'s host must not be contacted, or empty when it may be. */
  public Optional<String> refusal(URI uri) {
    if (allowPrivate) {
      return Optional.empty();
    }
    String host = uri.getHost();
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return Optional.of("host " + host + " does not resolve");
    }
    for (InetAddress a : addresses) {
      Optional<String> kind = classify(a);
      if (kind.isPresent()) {
        return Optional.of("host " + host + " resolves to a " + kind.get() + " address ("
            + a.getHostAddress() + "); set OPSAGENT_ALLOW_PRIVATE_WEBHOOKS=true to allow it");
      }
    }
    return Optional.empty();
  }

  /**
   * Resolves {@code host} for a connection, returning only addresses the guard allows — so the
   * address that is checked is the address that is connected to, and a DNS answer that changes
   * between a check and the connection (DNS rebinding) cannot reach a private address.
   *
   * @throws UnknownHostException when the host does not resolve or resolves to a refused address
   */
  public List<InetAddress> vettedAddresses(String host) throws UnknownHostException {
    InetAddress[] addresses = InetAddress.getAllByName(host);
    if (!allowPrivate) {
      for (InetAddress a : addresses) {
        Optional<String> kind = classify(a);
        if (kind.isPresent()) {
          throw new UnknownHostException("refused: host " + host + " resolves to a " + kind.get()
              + " address (" + a.getHostAddress() + ")");
        }
      }
    }
    return List.of(addresses);
  }

  /** The kind of non-public address {@code a} is, or empty for a public address. */
  public static Optional<String> classify(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address v6 && embedsIpv4(b)) {
      try {
        return classify(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    if (a.isLoopbackAddress()) {
      return Optional.of("loopback");
    }
    if (a.isAnyLocalAddress()) {
      return Optional.of("unspecified");
    }
    if (a.isLinkLocalAddress()) {
      boolean metadata = a instanceof Inet4Address && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254;
      return Optional.of(metadata ? "link-local (cloud metadata)" : "link-local");
    }
    if (a.isSiteLocalAddress()) {
      return Optional.of("private");
    }
    if (a.isMulticastAddress()) {
      return Optional.of("multicast");
    }
    if (a instanceof Inet4Address) {
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      if (b0 == 0) {
        return Optional.of("unspecified");
      }
      if (b0 == 100 && (b1 & 0xc0) == 64) {
        return Optional.of("carrier-grade NAT");
      }
      if (b0 == 255 && b1 == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255) {
        return Optional.of("broadcast");
      }
    } else if ((b[0] & 0xfe) == 0xfc) {
      return Optional.of("unique-local");
    }
    return Optional.empty();
  }

  /** IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 address. */
  private static boolean embedsIpv4(byte[] b) {
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    boolean zeros = true;
    for (int i = nat64 ? 4 : 0; i < 12; i++) {
      zeros &= b[i] == 0;
    }
    boolean compatible = !nat64 && zeros && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
    return (nat64 && zeros) || compatible;
  }
}
