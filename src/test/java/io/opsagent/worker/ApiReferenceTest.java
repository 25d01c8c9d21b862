package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API reference of the real worker: {@code /openapi.json} describes exactly the routes the server
 * registered (a route added without its description fails here), the README names every route, and
 * errors are JSON.
 */
class ApiReferenceTest {
  static TestDatabase db;
  static FakeMessagesApi model;
  static Worker worker;
  static ApiClient api;
  static ApiClient anonymous;

  @BeforeAll
  static void startWorker() {
    db = TestDatabase.create(ApiReferenceTest.class);
    model = FakeMessagesApi.start();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
    anonymous = new ApiClient(worker.httpPort(), null);
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    model.close();
    db.close();
  }

  @Test
  void openApiJsonDescribesEveryRegisteredRouteAndNoOther() {
    var r = anonymous.get("/openapi.json");

    assertThat(r.status()).isEqualTo(200);
    JsonNode doc = r.json();
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    List<String> described = new ArrayList<>();
    doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
        .forEachRemaining(m -> described.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
    assertThat(worker.apiRoutes()).as("the routes of the worker").hasSizeGreaterThan(20)
        .contains("GET /api/tenants/{tenantId}/incidents", "POST /api/tenants/{tenantId}/incidents/{incidentId}/ack");
    assertThat(described).as("every registered route is in /openapi.json")
        .containsAll(worker.apiRoutes());
    assertThat(worker.apiRoutes()).as("/openapi.json describes no route that is not served")
        .containsAll(described);
  }

  @Test
  void everyOperationDeclaresItsPathParametersAndAJsonErrorResponse() {
    JsonNode paths = anonymous.get("/openapi.json").json().get("paths");

    paths.fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
      long params = p.getKey().chars().filter(c -> c == '{').count();
      long declared = 0;
      for (JsonNode param : op.getValue().get("parameters")) {
        declared += param.get("in").asText().equals("path") ? 1 : 0;
      }
      assertThat(declared).as(op.getKey() + " " + p.getKey()).isEqualTo(params);
      assertThat(op.getValue().at("/responses/default/content/application~1json/schema/$ref").asText())
          .isEqualTo("#/components/schemas/Error");
    }));
  }

  @Test
  void theReadmeNamesEveryRoute() throws Exception {
    String readme = Files.readString(Path.of("README.md"));

    for (String route : worker.apiRoutes()) {
      String path = route.substring(route.indexOf(' ') + 1);
      assertThat(readme).as("README documents " + route).contains(path);
    }
  }

  @Test
  void swaggerUiIsServedWithoutATokenEntirelyFromTheWorker() {
    var r = anonymous.get("/openapi");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("SwaggerUIBundle").contains("/openapi.json").contains("validatorUrl: null");
    assertThat(r.body()).as("the page refers to no other host").doesNotContain("http://", "https://", "//unpkg");
    Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(r.body());
    List<String> files = new ArrayList<>();
    while (refs.find()) {
      files.add(refs.group(1));
    }
    assertThat(files).containsExactlyInAnyOrder("/openapi/swagger-ui.css", "/openapi/swagger-ui-bundle.js");
    for (String file : files) {
      var f = anonymous.get(file);
      assertThat(f.status()).as(file).isEqualTo(200);
      assertThat(f.body()).as(file).hasSizeGreaterThan(10_000);
    }
    assertThat(anonymous.get("/openapi/swagger-ui-bundle.js").body()).contains("SwaggerUIBundle");
    assertThat(anonymous.get("/openapi/../pom.xml").status()).isEqualTo(404);
    assertThat(anonymous.get("/openapi/index.html").status()).isEqualTo(404);
  }

  @Test
  void bodySchemasAreReadFromTheRequestRecordsAndEveryOperationNamesItsRoles() {
    JsonNode doc = anonymous.get("/openapi.json").json();

    JsonNode body = doc.at("/paths/~1api~1tenants/post/requestBody/content/application~1json/schema");
    String ref = body.get("$ref").asText();
    JsonNode schema = doc.at("/components/schemas/" + ref.substring(ref.lastIndexOf('/') + 1));
    assertThat(schema.get("required")).extracting(JsonNode::asText).containsExactly("name");
    JsonNode patch = doc.at("/components/schemas/DeploymentChange/properties");
    assertThat(patch.fieldNames()).toIterable().containsExactlyInAnyOrder("name", "externalId", "version",
        "latestVersion", "healthUrl", "backupSchedule", "lastBackupAt", "lastBackupStatus");
    assertThat(patch.at("/lastBackupStatus/enum")).extracting(JsonNode::asText).containsExactly("succeeded", "failed");
    doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op ->
        assertThat(op.getValue().get("x-access-roles")).as(op.getKey() + " " + p.getKey())
            .extracting(JsonNode::asText).contains("admin")));
    assertThat(doc.at("/paths/~1api~1keys/post/x-access-roles")).extracting(JsonNode::asText).containsExactly("admin");
    assertThat(doc.at("/paths/~1api~1tenants/get/x-access-roles")).extracting(JsonNode::asText).contains("viewer");
  }

  @Test
  void errorsAreJsonForUnknownRoutesWrongMethodsAndUnknownObjects() {
    var unknownRoute = api.get("/api/nothing-here");
    var unknownOpen = anonymous.get("/nothing-here");
    var wrongMethod = api.delete("/api/tenants");
    var unknownTenant = api.get("/api/tenants/no-such-tenant/incidents");

    assertThat(unknownRoute.status()).isEqualTo(404);
    assertThat(unknownRoute.json().get("error").asText()).isNotBlank();
    assertThat(unknownOpen.status()).isEqualTo(404);
    assertThat(unknownOpen.json().get("error").asText()).isNotBlank();
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.json().get("error").asText()).isNotBlank();
    assertThat(unknownTenant.status()).isEqualTo(404);
    assertThat(unknownTenant.json().get("error").asText()).isEqualTo("tenant not found");
  }
}
