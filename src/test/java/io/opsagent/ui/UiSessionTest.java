package io.opsagent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.support.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UiSessionTest {
  private final SettableClock clock = SettableClock.startingNow();
  private final UiSession sessions = new UiSession("the-api-token", clock);

  @Test
  void aSessionEndsAfterTwelveHoursAndItsCsrfTokenWithIt() {
    String cookie = sessions.issue();
    UiSession.Session session = sessions.verify(cookie).orElseThrow();
    assertThat(sessions.csrfMatches(session, sessions.csrfToken(session))).isTrue();

    clock.advance(UiSession.LIFETIME.minus(Duration.ofSeconds(2)));
    assertThat(sessions.verify(cookie)).isPresent();
    clock.advance(Duration.ofSeconds(3));
    assertThat(sessions.verify(cookie)).isEmpty();
  }

  @Test
  void workersWithTheSameTokenAgreeAndAnotherTokenEndsEverySession() {
    String cookie = sessions.issue();
    UiSession sameCluster = new UiSession("the-api-token", clock);
    UiSession rotated = new UiSession("a-new-token", clock);

    UiSession.Session seen = sameCluster.verify(cookie).orElseThrow();
    assertThat(sameCluster.csrfToken(seen)).isEqualTo(sessions.csrfToken(sessions.verify(cookie).orElseThrow()));
    assertThat(rotated.verify(cookie)).isEmpty();
  }

  @Test
  void eachSessionHasItsOwnCsrfToken() {
    UiSession.Session a = sessions.verify(sessions.issue()).orElseThrow();
    UiSession.Session b = sessions.verify(sessions.issue()).orElseThrow();

    assertThat(sessions.csrfMatches(a, sessions.csrfToken(b))).isFalse();
    assertThat(sessions.csrfMatches(a, null)).isFalse();
    assertThat(sessions.csrfMatches(a, "")).isFalse();
  }
}
