package io.opsagent.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Input PostgreSQL cannot store, or that no one meant to send, is a 400 naming the field; every
 * refusal, whichever layer makes it, is JSON {@code {"error": ...}} without library internals.
 */
class ApiInputTest {
  static TestDatabase db;
  static TestApi app;
  static ApiClient api;

  @BeforeAll
  static void start() {
    db = TestDatabase.create(ApiInputTest.class);
    app = TestApi.start(db.database());
    api = app.api;
  }

  @AfterAll
  static void stop() {
    app.close();
    db.close();
  }

  @Test
  void aNulCharacterInAnyTextFieldIsA400NamingTheField() {
    String tenant = api.create("/api/tenants", "{\"name\":\"nul\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"d\"}");
    String nul = "a\\u0000b";

    Map<String, ApiClient.Response> byField = Map.of(
        "name", api.post("/api/tenants", "{\"name\":\"" + nul + "\"}"),
        "workspace name", api.post("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"" + nul + "\"}"),
        "deployment name", api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"" + nul + "\"}"),
        "version", api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"x\",\"version\":\"" + nul + "\"}"),
        "type", api.post("/api/deployments/" + dep + "/events", "{\"type\":\"" + nul + "\"}"),
        "message", api.post("/api/deployments/" + dep + "/events", "{\"type\":\"t\",\"message\":\"" + nul + "\"}"),
        "channel name", api.post("/api/tenants/" + tenant + "/notification-channels",
            "{\"type\":\"email\",\"name\":\"" + nul + "\",\"config\":{\"to\":\"ops@example.com\"}}"));

    byField.forEach((field, r) -> {
      assertThat(r.status()).as(field).isEqualTo(400);
      String quoted = "'" + field.substring(field.lastIndexOf(' ') + 1) + "'";
      assertThat(r.json().get("error").asText()).as(field).contains(quoted).contains("NUL");
    });
    assertThat(api.get("/api/tenants/" + tenant + "/workspaces").json()).hasSize(1);
    assertThat(api.get("/api/workspaces/" + ws + "/deployments").json()).hasSize(1);
  }

  @Test
  void controlCharactersAreRefusedInNamesWhileAMessageKeepsItsLineBreaks() {
    String tenant = api.create("/api/tenants", "{\"name\":\"ctl\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"d\"}");

    var newline = api.post("/api/tenants", "{\"name\":\"evil\\nname\"}");
    var escape = api.post("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\\u001b[31m\"}");
    var loneSurrogate = api.post("/api/tenants", "{\"name\":\"x\\ud800y\"}");
    var multiLine = api.post("/api/deployments/" + dep + "/events",
        "{\"type\":\"crash\",\"message\":\"line one\\nline two\"}");

    assertThat(List.of(newline, escape, loneSurrogate)).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("error").asText()).startsWith("'name' must not contain");
    });
    assertThat(multiLine.status()).isEqualTo(201);
    assertThat(multiLine.json().get("message").asText()).isEqualTo("line one\nline two");
  }

  @Test
  void everyRouteRefusesAnUnknownBodyFieldNamingItAndCreatesNothing() {
    String tenant = api.create("/api/tenants", "{\"name\":\"unknown-fields\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"d\"}");
    int tenants = api.get("/api/tenants").json().size();

    Map<String, ApiClient.Response> byField = Map.of(
        "nmae", api.post("/api/tenants", "{\"name\":\"typo\",\"nmae\":\"typo\"}"),
        "colour", api.post("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w2\",\"colour\":\"red\"}"),
        "replicas", api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"d2\",\"replicas\":3}"),
        "severity", api.post("/api/deployments/" + dep + "/events", "{\"type\":\"crash\",\"severity\":\"high\"}"),
        "url", api.post("/api/tenants/" + tenant + "/notification-channels",
            "{\"type\":\"email\",\"name\":\"n\",\"config\":{\"to\":\"ops@example.com\"},\"url\":\"x\"}"));

    byField.forEach((field, r) -> {
      assertThat(r.status()).as(field).isEqualTo(400);
      assertThat(r.json().get("error").asText()).as(field).startsWith("unknown field '" + field + "'");
    });
    assertThat(byField.get("nmae").json().get("error").asText()).isEqualTo("unknown field 'nmae'; accepted: externalId, name");
    assertThat(api.get("/api/tenants").json()).hasSize(tenants);
    assertThat(api.get("/api/tenants/" + tenant + "/workspaces").json()).hasSize(1);
    assertThat(api.get("/api/workspaces/" + ws + "/deployments").json()).hasSize(1);
    assertThat(api.get("/api/tenants/" + tenant + "/notification-channels").json()).isEmpty();
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedNamingTheFieldNotConverted() {
    String tenant = api.create("/api/tenants", "{\"name\":\"types\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");

    var number = api.post("/api/tenants", "{\"name\": 5}");
    var bool = api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"d\",\"version\": true}");
    var notAnObject = api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"email\",\"name\":\"n\",\"config\":\"ops@example.com\"}");
    var missing = api.post("/api/tenants/" + tenant + "/notification-channels", "{\"type\":\"email\",\"name\":\"n\"}");

    assertThat(number.status()).isEqualTo(400);
    assertThat(number.json().get("error").asText()).isEqualTo("'name' must be a string");
    assertThat(bool.status()).isEqualTo(400);
    assertThat(bool.json().get("error").asText()).isEqualTo("'version' must be a string");
    assertThat(notAnObject.status()).isEqualTo(400);
    assertThat(notAnObject.json().get("error").asText()).isEqualTo("'config' must be a JSON object");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("error").asText()).startsWith("'config' is required");
    assertThat(api.get("/api/workspaces/" + ws + "/deployments").json()).isEmpty();
  }

  @Test
  void aBodyThatIsNotValidUtf8IsRefusedNotSilentlyRepaired() {
    byte[] latin1 = "{\"name\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);

    var r = api.post("/api/tenants", latin1);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).isEqualTo("request body is not valid UTF-8");
    assertThat(api.post("/api/tenants", "{\"name\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8)).status())
        .isEqualTo(201);
  }

  @Test
  void unknownRoutesWrongMethodsAndOversizedBodiesAreAnsweredInJson() {
    var unknownApiRoute = api.get("/api/nothing-here");
    var unknownRoute = new ApiClient(app.server.port(), null).get("/nothing-here");
    var wrongMethod = api.delete("/api/tenants");
    var tooLarge = api.post("/api/tenants", "{\"name\":\"" + "x".repeat(JsonBody.MAX_BYTES) + "\"}");

    assertThat(unknownApiRoute.status()).isEqualTo(404);
    assertThat(unknownRoute.status()).isEqualTo(404);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(List.of(unknownApiRoute, unknownRoute, wrongMethod, tooLarge))
        .allSatisfy(r -> assertThat(r.json().get("error").asText()).isNotBlank());
    assertThat(wrongMethod.json().get("error").asText()).isEqualTo("method DELETE is not allowed on /api/tenants");
  }

  @Test
  void malformedJsonIsExplainedWithoutLibraryInternals() {
    List<String> bodies = List.of("{\"name\": ", "{\"name\": tru}", "{'name': 1}", "{\"name\":\"a\"} x",
        "[".repeat(5000) + "]".repeat(5000), "{\"name\": 1e999999999}");

    for (String body : bodies) {
      var r = api.post("/api/tenants", body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.json().get("error").asText()).as(body)
          .doesNotContainIgnoringCase("jackson").doesNotContain("com.", "Source", "`", "Exception");
    }
  }

  @Test
  void aNulCharacterInAPathIsRefusedInJson() {
    var nul = api.post("/api/tenants/a%00b/workspaces", "{\"name\":\"w\"}");
    var control = api.get("/api/tenants/a%01b/workspaces");

    assertThat(nul.status()).isEqualTo(400);
    assertThat(nul.json().get("error").asText()).isEqualTo("malformed HTTP request");
    assertThat(control.status()).isEqualTo(404);
    assertThat(control.json().get("error").asText()).isEqualTo("tenant not found");
  }

  @Test
  void aRequestJettyRefusesBeforeRoutingIsAnsweredInJson() throws IOException {
    String response = raw("GET /api/tenants HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(20_000) + "\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 431");
    assertThat(response).contains("application/json").contains("{\"error\":").doesNotContain("<html");
  }

  private static String raw(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", app.server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
