package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.api.auth.ApiKeys;
import io.opsagent.api.auth.Role;
import io.opsagent.platform.TenantRepository;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keys create|list|revoke}, run as the operator runs them. */
class KeysCommandTest {
  static TestDatabase db;

  @TempDir
  Path dir;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(KeysCommandTest.class);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  Map<String, String> env() {
    return Map.of("OPSAGENT_DB_URL", db.url(), "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD, "OPSAGENT_HTTP_PORT", "0");
  }

  @Test
  void aKeyIsPrintedOnceListedWithoutItselfAndRefusedOnceRevoked() throws Exception {
    String tenant = new TenantRepository(db.database().jdbi(), java.time.Clock.systemUTC()).create("acme").id();
    ApiKeys keys = new ApiKeys(db.database().jdbi(), java.time.Clock.systemUTC());
    String key;
    String id;
    try (OpsagentProcess create = OpsagentProcess.start(dir, env(), "keys", "create", "--name", "acme team",
        "--role", "tenant", "--tenant", tenant)) {
      assertThat(create.awaitExit(60)).as(create.stderr()).isEqualTo(0);
      Matcher k = Pattern.compile("key:\\s+(\\S+)").matcher(create.stdout());
      Matcher i = Pattern.compile("id:\\s+(\\S+)").matcher(create.stdout());
      assertThat(k.find() && i.find()).as(create.stdout()).isTrue();
      key = k.group(1);
      id = i.group(1);
    }
    var caller = keys.authenticate(key).orElseThrow();
    assertThat(caller.role()).isEqualTo(Role.TENANT);
    assertThat(caller.tenantId()).isEqualTo(tenant);

    try (OpsagentProcess list = OpsagentProcess.start(dir, env(), "keys", "list")) {
      assertThat(list.awaitExit(60)).as(list.stderr()).isEqualTo(0);
      assertThat(list.stdout()).contains(id).contains("tenant").contains("acme team").doesNotContain(key);
    }
    try (OpsagentProcess revoke = OpsagentProcess.start(dir, env(), "keys", "revoke", id)) {
      assertThat(revoke.awaitExit(60)).as(revoke.stderr()).isEqualTo(0);
    }
    assertThat(keys.authenticate(key)).isEmpty();
    java.util.List<String> recorded = db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT action || ' ' || key_name FROM access_actions WHERE target_id = :id ORDER BY created_at")
        .bind("id", id).mapTo(String.class).list());
    assertThat(recorded).containsExactly("key.create opsagent keys", "key.revoke opsagent keys");
  }

  @Test
  void aTenantKeyWithoutATenantIsRefusedWithExit2() throws Exception {
    try (OpsagentProcess create = OpsagentProcess.start(dir, env(), "keys", "create", "--name", "x",
        "--role", "tenant")) {
      assertThat(create.awaitExit(60)).isEqualTo(2);
      assertThat(create.stderr()).contains("--tenant");
    }
  }
}
