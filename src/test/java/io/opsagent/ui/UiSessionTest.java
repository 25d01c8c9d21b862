package io.opsagent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.api.auth.Access;
import io.opsagent.api.auth.ApiKeys;
import io.opsagent.api.auth.Role;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UiSessionTest {
  static TestDatabase db;
  private final SettableClock clock = SettableClock.startingNow();

  @BeforeAll
  static void database() {
    db = TestDatabase.create(UiSessionTest.class);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private UiSession sessions(String token) {
    return new UiSession(db.database().jdbi(), Access.of(token, db.database().jdbi(), List.of(), clock), clock);
  }

  private static io.opsagent.api.auth.Caller admin(Access access) {
    return access.authenticate("the-api-token").orElseThrow();
  }

  @Test
  void aSessionEndsAfterTwelveHoursAndItsCsrfTokenWithIt() {
    UiSession sessions = sessions("the-api-token");
    String cookie = sessions.issue(admin(Access.tokenOnly("the-api-token")));
    UiSession.Session session = sessions.verify(cookie).orElseThrow();
    assertThat(sessions.csrfMatches(session, session.csrfToken())).isTrue();

    clock.advance(UiSession.LIFETIME.minus(Duration.ofSeconds(2)));
    assertThat(sessions.verify(cookie)).isPresent();
    clock.advance(Duration.ofSeconds(3));
    assertThat(sessions.verify(cookie)).isEmpty();
  }

  @Test
  void workersWithTheSameTokenShareSessionsAndAnotherTokenEndsTheBootstrapOnes() {
    UiSession sessions = sessions("the-api-token");
    String cookie = sessions.issue(admin(Access.tokenOnly("the-api-token")));

    UiSession.Session seen = sessions("the-api-token").verify(cookie).orElseThrow();
    assertThat(seen.csrfToken()).isEqualTo(sessions.verify(cookie).orElseThrow().csrfToken());
    assertThat(sessions("a-new-token").verify(cookie)).isEmpty();
  }

  @Test
  void logoutAndRevokingTheKeyEndTheSessionAtOnceOnEveryWorker() {
    ApiKeys keys = new ApiKeys(db.database().jdbi(), java.time.Clock.systemUTC());
    ApiKeys.Created key = keys.create("ops on call", Role.PLATFORM, null);
    UiSession first = sessions("the-api-token");
    UiSession second = sessions("the-api-token");
    Access access = Access.of("the-api-token", db.database().jdbi(), List.of(), clock);

    String loggedOut = first.issue(access.authenticate(key.secret()).orElseThrow());
    String revoked = first.issue(access.authenticate(key.secret()).orElseThrow());
    assertThat(second.verify(loggedOut).orElseThrow().caller().keyName()).isEqualTo("ops on call");

    first.end(first.verify(loggedOut).orElseThrow());
    assertThat(second.verify(loggedOut)).as("a logged-out cookie").isEmpty();
    assertThat(second.verify(revoked)).isPresent();

    keys.revoke(key.key().id());
    assertThat(second.verify(revoked)).as("a session of a revoked key").isEmpty();
  }

  @Test
  void eachSessionHasItsOwnCsrfToken() {
    UiSession sessions = sessions("the-api-token");
    var admin = admin(Access.tokenOnly("the-api-token"));
    UiSession.Session a = sessions.verify(sessions.issue(admin)).orElseThrow();
    UiSession.Session b = sessions.verify(sessions.issue(admin)).orElseThrow();

    assertThat(sessions.csrfMatches(a, b.csrfToken())).isFalse();
    assertThat(sessions.csrfMatches(a, null)).isFalse();
    assertThat(sessions.csrfMatches(a, "")).isFalse();
  }
}
