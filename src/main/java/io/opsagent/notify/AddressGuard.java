package io.opsagent.notify;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The SSRF guard: a notification URL must reach a public address, never the platform's own network
 * nor this host. Every address the host resolves to is checked, at channel creation and again for
 * each connection (DNS may have changed since). Refused: every block of the IANA special-purpose
 * address registries that is not globally reachable (loopback, private, link-local with the cloud
 * metadata address, carrier-grade NAT, documentation, benchmarking, reserved, 6to4, Teredo, unique-local
 * …), multicast and broadcast, IPv6 outside 2000::/3, IPv6 forms carrying a refused IPv4 address,
 * and any address of this host's own network interfaces (read at each check). {@code allowPrivate}
 * ({@code OPSAGENT_ALLOW_PRIVATE_WEBHOOKS}) switches the guard off entirely, the host's own addresses
 * included: it says the receivers' network is trusted (development, tests, internal receivers).
 */
public final class AddressGuard {
  private final boolean allowPrivate;
  private final Supplier<Collection<InetAddress>> ownAddresses;

  public AddressGuard(boolean allowPrivate) {
    this(allowPrivate, AddressGuard::interfaceAddresses);
  }

  /** {@code ownAddresses}: this host's addresses (tests give a fixed list). */
  AddressGuard(boolean allowPrivate, Supplier<Collection<InetAddress>> ownAddresses) {
    this.allowPrivate = allowPrivate;
    this.ownAddresses = ownAddresses;
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
    return firstRefused(host, addresses)
        .map(reason -> reason + "; set OPSAGENT_ALLOW_PRIVATE_WEBHOOKS=true to allow it");
  }

  /**
   * Resolves {@code host} for a connection, returning only addresses the guard allows — so the
   * address that is checked is the address that is connected to, and a DNS answer that changes
   * between a check and the connection (DNS rebinding) cannot reach a refused address.
   *
   * @throws UnknownHostException when the host does not resolve or resolves to a refused address
   */
  public List<InetAddress> vettedAddresses(String host) throws UnknownHostException {
    InetAddress[] addresses = InetAddress.getAllByName(host);
    if (!allowPrivate) {
      Optional<String> refused = firstRefused(host, addresses);
      if (refused.isPresent()) {
        throw new UnknownHostException("refused: " + refused.get());
      }
    }
    return List.of(addresses);
  }

  /**
   * The kind of non-public address {@code a} is by the special-purpose registries (the host's own
   * addresses aside), or empty for a public address.
   */
  public static Optional<String> classify(InetAddress a) {
    return SpecialPurposeAddresses.kind(ip(a), Set.of());
  }

  private Optional<String> firstRefused(String host, InetAddress[] addresses) {
    Set<IPAddress> own;
    try {
      own = ownAddresses.get().stream().map(AddressGuard::ip).collect(Collectors.toSet());
    } catch (UncheckedIOException e) {
      return Optional.of("this host's own addresses could not be listed (" + e.getMessage() + ")");
    }
    for (InetAddress a : addresses) {
      Optional<String> kind = SpecialPurposeAddresses.kind(ip(a), own);
      if (kind.isPresent()) {
        return Optional.of("host " + host + " resolves to " + a.getHostAddress()
            + ", which is not a public address: " + kind.get());
      }
    }
    return Optional.empty();
  }

  /** The address alone (an IPv6 scope is not part of it). */
  private static IPAddress ip(InetAddress a) {
    byte[] bytes = a.getAddress();
    return bytes.length == 4 ? new IPv4Address(bytes) : new IPv6Address(bytes);
  }

  private static Collection<InetAddress> interfaceAddresses() {
    try {
      return NetworkInterface.networkInterfaces()
          .flatMap(NetworkInterface::inetAddresses)
          .toList();
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }
}
