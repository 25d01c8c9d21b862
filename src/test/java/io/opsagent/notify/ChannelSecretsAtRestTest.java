package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.config.Config;
import io.opsagent.config.ConfigException;
import io.opsagent.db.SecretBox;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import io.opsagent.worker.Root;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel's configuration (URL with its token, signing secret) is encrypted in the database under
 * {@code OPSAGENT_SECRET_KEY}; plaintext rows are encrypted on the first start with a key; a start
 * that cannot read the encrypted rows is refused with a message naming the problem.
 */
class ChannelSecretsAtRestTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = newKey();
  static final String OTHER_KEY = newKey();

  TestDatabase db;
  Jdbi jdbi;
  Fixtures fx;
  String token;
  String secret;

  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create(ChannelSecretsAtRestTest.class);
    jdbi = db.database().jdbi();
    fx = new Fixtures(db.database());
    token = "T0KEN" + System.nanoTime();
    secret = "s3cr3t" + System.nanoTime();
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void withAKeyTheStoredRowHoldsNeitherTheUrlNorTheSecretAndReadsBackIntact() {
    var channels = repository(KEY);
    String tenant = fx.tenant("acme").id();

    ChannelView view = channels.create(tenant, null, ChannelType.WEBHOOK, "hook", webhook());

    String stored = storedConfig(view.id());
    assertThat(stored).startsWith("v1:").doesNotContain(token).doesNotContain(secret)
        .doesNotContain("127.0.0.1").doesNotContain("url");
    NotificationChannel read = channels.find(tenant, view.id()).orElseThrow();
    assertThat(read.text("url")).contains("https://127.0.0.1/hooks/" + token);
    assertThat(read.text("secret")).contains(secret);
    assertThat(channels.create(tenant, null, ChannelType.WEBHOOK, "hook 2", webhook()).id())
        .satisfies(other -> assertThat(storedConfig(other)).as("a fresh nonce per write").isNotEqualTo(stored));
  }

  @Test
  void withoutAKeyChannelsAreStoredAsTodayInPlaintext() {
    var channels = repository(null);
    String tenant = fx.tenant("acme").id();

    ChannelView view = channels.create(tenant, null, ChannelType.WEBHOOK, "hook", webhook());

    assertThat(channels.secureAtRest()).isZero();
    assertThat(storedConfig(view.id())).startsWith("{").contains(token);
  }

  @Test
  void plaintextChannelsAreEncryptedOnTheFirstStartWithAKeyOnceAndStillDeliverTheirConfig() {
    String tenant = fx.tenant("acme").id();
    ChannelView hook = repository(null).create(tenant, null, ChannelType.WEBHOOK, "hook", webhook());
    ChannelView mail = repository(null).create(tenant, null, ChannelType.EMAIL, "mail",
        JSON.createObjectNode().put("to", "oncall@example.com"));

    try (Root services = Root.open(config(KEY))) {
      assertThat(storedConfig(hook.id())).startsWith("v1:").doesNotContain(token).doesNotContain(secret);
      assertThat(storedConfig(mail.id())).startsWith("v1:").doesNotContain("oncall@example.com");
      assertThat(services.channels().find(tenant, hook.id()).orElseThrow().text("url"))
          .contains("https://127.0.0.1/hooks/" + token);
      String sealed = storedConfig(hook.id());

      assertThat(services.channels().secureAtRest()).as("a second start has nothing left to encrypt").isZero();
      assertThat(storedConfig(hook.id())).isEqualTo(sealed);
    }
  }

  @Test
  void encryptedChannelsAndNoKeyRefuseTheStartNamingTheProblem() {
    String tenant = fx.tenant("acme").id();
    repository(KEY).create(tenant, null, ChannelType.WEBHOOK, "hook", webhook());

    assertThatThrownBy(() -> Root.open(config(null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_SECRET_KEY is not set")
        .hasMessageContaining("1 notification channel(s) in the database are encrypted");
  }

  @Test
  void aWrongKeyRefusesTheWorkersStartWithAMessageNotAStackTrace() throws Exception {
    String tenant = fx.tenant("acme").id();
    ChannelView view = repository(KEY).create(tenant, null, ChannelType.WEBHOOK, "hook", webhook());
    Map<String, String> env = env(OTHER_KEY);
    env.put("OPSAGENT_HTTP_PORT", "0");

    try (OpsagentProcess worker = OpsagentProcess.start(dir, env, "worker")) {
      assertThat(worker.awaitExit(60)).as(worker.stderr()).isEqualTo(2);
      assertThat(worker.stderr())
          .contains("OPSAGENT_SECRET_KEY does not decrypt notification channel " + view.id())
          .contains("not the key the channels were encrypted with")
          .doesNotContain("worker started")
          .doesNotContain("\tat ");
    }
    assertThat(storedConfig(view.id())).as("nothing was rewritten").startsWith("v1:");
  }

  @Test
  void aSealedConfigCopiedIntoAnotherChannelsRowDoesNotOpen() {
    var channels = repository(KEY);
    String tenant = fx.tenant("acme").id();
    String other = fx.tenant("other").id();
    ChannelView mine = channels.create(tenant, null, ChannelType.WEBHOOK, "hook", webhook());
    ChannelView theirs = channels.create(other, null, ChannelType.EMAIL, "mail",
        JSON.createObjectNode().put("to", "b@example.com"));
    jdbi.useHandle(h -> h.createUpdate("UPDATE notification_channels SET config_json = :c WHERE id = :id")
        .bind("c", storedConfig(mine.id())).bind("id", theirs.id()).execute());

    assertThatThrownBy(() -> channels.secureAtRest())
        .isInstanceOf(ConfigException.class).hasMessageContaining(theirs.id());
  }

  private ObjectNode webhook() {
    return JSON.createObjectNode().put("url", "https://127.0.0.1/hooks/" + token).put("secret", secret);
  }

  private NotificationChannelRepository repository(String key) {
    return new NotificationChannelRepository(jdbi, true, Optional.ofNullable(key)
        .map(k -> new SecretBox(new SecretKeySpec(Base64.getDecoder().decode(k), "AES"))), Clock.systemUTC());
  }

  private String storedConfig(String channelId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT config_json FROM notification_channels WHERE id = :id")
        .bind("id", channelId).mapTo(String.class).one());
  }

  private Map<String, String> env(String key) {
    Map<String, String> env = new HashMap<>();
    env.put("OPSAGENT_DB_URL", db.url());
    env.put("OPSAGENT_DB_USER", TestDatabase.USER);
    env.put("OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD);
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    if (key != null) {
      env.put("OPSAGENT_SECRET_KEY", key);
    }
    return env;
  }

  private Config config(String key) {
    return Config.fromEnv(env(key));
  }

  private static String newKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }
}
