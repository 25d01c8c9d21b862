package io.opsagent.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private final ClientAddress behindProxies = new ClientAddress(List.of("10.0.0.0/8", "192.168.1.10"));

  @Test
  void aPeerThatIsNoTrustedProxyIsTheClientWhateverItForwards() {
    assertThat(behindProxies.of("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
    assertThat(new ClientAddress(List.of()).of("10.1.2.3", "198.51.100.1")).isEqualTo("10.1.2.3");
  }

  @Test
  void behindTrustedProxiesTheClientIsTheFirstUntrustedHopFromTheRight() {
    assertThat(behindProxies.of("10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
    // a client cannot hide behind a hop it wrote itself on the left
    assertThat(behindProxies.of("10.1.2.3", "1.2.3.4, 198.51.100.1, 192.168.1.10")).isEqualTo("198.51.100.1");
    assertThat(behindProxies.of("10.1.2.3", null)).isEqualTo("10.1.2.3");
    assertThat(behindProxies.of("10.1.2.3", "not-an-address")).isEqualTo("10.1.2.3");
  }

  @Test
  void aBadProxyEntryIsRefusedNamingIt() {
    assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/8", "proxy.local")))
        .hasMessageContaining("proxy.local");
  }
}
