package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NotificationChannelRepositoryTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository guarded;
  static NotificationChannelRepository permissive;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(NotificationChannelRepositoryTest.class);
    fx = new Fixtures(db.database());
    guarded = new NotificationChannelRepository(db.database().jdbi(), false, Clock.systemUTC());
    permissive = new NotificationChannelRepository(db.database().jdbi(), true, Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static ObjectNode config(String... keyValues) {
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < keyValues.length; i += 2) {
      o.put(keyValues[i], keyValues[i + 1]);
    }
    return o;
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.0.0.5/x",
      "http://192.168.0.10/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/x",
      "http://[fd00::1]/x", "http://100.64.1.1/x", "https://0.0.0.0/x"})
  void aPrivateLoopbackOrMetadataUrlIsRefusedAtCreateWithoutTheFlag(String url) {
    String tenant = fx.tenant("ssrf").id();

    assertThatThrownBy(() -> guarded.create(tenant, null, ChannelType.WEBHOOK, "hook", config("url", url)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.url refused");
    assertThatThrownBy(() -> guarded.create(tenant, null, ChannelType.SLACK, "slack", config("url", url)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(guarded.listByTenant(tenant)).isEmpty();
  }

  @Test
  void aPrivateUrlIsAcceptedWhenPrivateWebhooksAreAllowed() {
    String tenant = fx.tenant("dev").id();

    ChannelView view = permissive.create(tenant, null, ChannelType.WEBHOOK, "local",
        config("url", "http://127.0.0.1:9/hook"));

    assertThat(view.enabled()).isTrue();
    assertThat(permissive.listByTenant(tenant)).containsExactly(view);
  }

  @Test
  void configIsValidatedForItsTypeWithAClearMessage() {
    String tenant = fx.tenant("v").id();

    assertThatThrownBy(() -> permissive.create(tenant, null, ChannelType.WEBHOOK, "w", config()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("config.url is required");
    assertThatThrownBy(() -> permissive.create(tenant, null, ChannelType.WEBHOOK, "w",
        config("url", "ftp://example.com/x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
    assertThatThrownBy(() -> permissive.create(tenant, null, ChannelType.WEBHOOK, "w",
        config("url", "https://example.com/x", "secret", "")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config.secret");
    assertThatThrownBy(() -> permissive.create(tenant, null, ChannelType.EMAIL, "e", config("to", "not-an-address")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("config.to must be a valid email address");
    assertThatThrownBy(() -> permissive.create(tenant, null, ChannelType.EMAIL, "e", config()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("config.to is required");
    assertThatThrownBy(() -> permissive.create(tenant, null, ChannelType.SLACK, " ", config("url", "https://hooks.slack.com/x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    assertThat(permissive.create(tenant, null, ChannelType.EMAIL, "oncall", config("to", "oncall@example.com")).type())
        .isEqualTo(ChannelType.EMAIL);
  }

  @Test
  void aChannelCannotBeBoundToAnotherTenantsWorkspace() {
    String a = fx.tenant("a").id();
    var b = fx.tenant("b").workspace("wb");

    assertThatThrownBy(() -> permissive.create(a, b.lastWorkspace().id(), ChannelType.EMAIL, "e",
        config("to", "ops@example.com")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
    assertThat(permissive.listByTenant(a)).isEmpty();
  }

  @Test
  void listingsAndTheirJsonCarryNoUrlOrSecret() throws Exception {
    var t = fx.tenant("secretive").workspace("web");
    String token = "T0KEN" + System.nanoTime();
    String secret = "s3cr3t" + System.nanoTime();
    permissive.create(t.id(), t.lastWorkspace().id(), ChannelType.WEBHOOK, "signed",
        config("url", "https://127.0.0.1/hooks/" + token, "secret", secret));
    permissive.create(t.id(), null, ChannelType.SLACK, "slack",
        config("url", "https://127.0.0.1/services/" + token));

    var views = permissive.listByTenant(t.id());
    String json = JSON.writeValueAsString(views);

    assertThat(views).extracting(ChannelView::name).containsExactly("signed", "slack");
    assertThat(json).contains("signed").doesNotContain(token).doesNotContain(secret)
        .doesNotContain("url").doesNotContain("127.0.0.1");
    assertThat(views.toString()).doesNotContain(token).doesNotContain(secret);
    assertThat(permissive.find(t.id(), views.get(0).id()).orElseThrow().toString())
        .doesNotContain(token).doesNotContain(secret);
  }

  @Test
  void aTenantNeverListsAnotherTenantsChannels() {
    String a = fx.tenant("a").id();
    String b = fx.tenant("b").id();
    ChannelView mine = permissive.create(a, null, ChannelType.EMAIL, "mine", config("to", "a@example.com"));
    ChannelView theirs = permissive.create(b, null, ChannelType.EMAIL, "theirs", config("to", "b@example.com"));

    assertThat(permissive.listByTenant(a)).containsExactly(mine);
    assertThat(permissive.find(a, theirs.id())).isEmpty();
    assertThat(permissive.setEnabled(a, theirs.id(), false)).isFalse();
  }
}
