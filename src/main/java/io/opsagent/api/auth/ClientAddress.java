package io.opsagent.api.auth;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request comes from: the socket's peer, or, when that peer is one of the trusted
 * proxies ({@code OPSAGENT_TRUSTED_PROXIES}, IPs or CIDRs), the first hop of {@code
 * X-Forwarded-For} that is not a trusted proxy, read from the right (the hops a client wrote itself
 * on the left are never believed over the proxies' own).
 */
final class ClientAddress {
  private final List<IPAddress> trusted;

  /** {@code proxies}: IPs or CIDRs; {@link IllegalArgumentException} naming a bad one. */
  public ClientAddress(List<String> proxies) {
    List<IPAddress> parsed = new ArrayList<>();
    for (String p : proxies) {
      IPAddress a = new IPAddressString(p.strip()).getAddress();
      if (a == null) {
        throw new IllegalArgumentException("not an IP address or CIDR: " + p);
      }
      parsed.add(a);
    }
    this.trusted = List.copyOf(parsed);
  }

  public String of(Context ctx) {
    return of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
  }

  String of(String peer, String forwardedFor) {
    if (forwardedFor == null || !isTrusted(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      IPAddress a = new IPAddressString(hop).getAddress();
      if (a == null) {
        return peer; // a hop we cannot read: the proxy's own peer is the best we know
      }
      if (!isTrusted(hop)) {
        return a.toCanonicalString();
      }
    }
    return peer;
  }

  private boolean isTrusted(String address) {
    IPAddress a = new IPAddressString(address).getAddress();
    if (a == null) {
      return false;
    }
    for (IPAddress t : trusted) {
      if (t.contains(a)) {
        return true;
      }
    }
    return false;
  }
}
