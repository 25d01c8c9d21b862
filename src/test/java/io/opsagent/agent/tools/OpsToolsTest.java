package io.opsagent.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpsToolsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theRegistryRefusesToStartWithAnUnclassifiedTool() {
    var unclassified = new OpsTools.Definition("restartDeployment", "restarts", JSON.createObjectNode(),
        null, (ctx, in) -> "restarted");

    assertThatThrownBy(() -> new OpsTools(List.of(unclassified)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("restartDeployment").hasMessageContaining("ActionClass");
  }

  @Test
  void theRegistryRefusesTwoToolsWithTheSameName() {
    var a = new OpsTools.Definition("x", "x", JSON.createObjectNode(), ActionClass.SAFE, (ctx, in) -> "");

    assertThatThrownBy(() -> new OpsTools(List.of(a, a))).hasMessageContaining("defined twice");
  }

  @Test
  void theStandardToolsAreTheContractsThreeWithStrictSchemas() {
    OpsTools tools = OpsTools.standard(alert -> List.of());

    assertThat(tools.specs()).extracting(s -> s.name())
        .containsExactly("getInfrastructureOverview", "sendAlert", "recordAction");
    ObjectNode sendAlert = tools.specs().get(1).inputSchema();
    assertThat(sendAlert.get("required")).extracting(n -> n.asText())
        .containsExactly("workspaceId", "severity", "title", "body");
    assertThat(sendAlert.get("additionalProperties").asBoolean()).isFalse();
    assertThat(sendAlert.at("/properties/severity/enum")).extracting(n -> n.asText())
        .containsExactly("critical", "warning", "info");
  }

  @Test
  void laterToolsAreAddedWithTheirClassAndKeepTheOrder() {
    var restart = new OpsTools.Definition("restartDeployment", "restarts", JSON.createObjectNode(),
        ActionClass.MUTATING, (ctx, in) -> "restarted");

    OpsTools tools = OpsTools.standard(alert -> List.of()).plus(List.of(restart));

    assertThat(tools.specs()).extracting(s -> s.name()).containsExactly(
        "getInfrastructureOverview", "sendAlert", "recordAction", "restartDeployment");
    assertThat(tools.find("restartDeployment")).hasValueSatisfying(
        d -> assertThat(d.actionClass()).isEqualTo(ActionClass.MUTATING));
  }

  @Test
  void inputValidationReportsEveryProblemAtOnce() throws Exception {
    OpsTools tools = OpsTools.standard(alert -> List.of());

    assertThat(tools.problems("sendAlert", JSON.readTree(
            "{\"workspaceId\": 7, \"severity\": \"loud\", \"title\": \"\", \"extra\": 1}")))
        .hasValueSatisfying(p -> assertThat(p).contains("'workspaceId': integer found, string expected",
            "'severity': does not have a value in the enumeration", "'title': must be at least 1 characters long",
            "required property 'body' not found", "property 'extra' is not defined in the schema"));
    assertThat(tools.problems("sendAlert", JSON.readTree("\"just a string\"")))
        .hasValueSatisfying(p -> assertThat(p).contains("object expected"));
    assertThat(tools.problems("sendAlert", JSON.readTree(
            "{\"workspaceId\": \"w\", \"severity\": \"info\", \"title\": \"t\", \"body\": \"b\"}")))
        .isEmpty();
  }

  @Test
  void inputsAreCheckedAgainstTheSchemaSentToTheModel() throws Exception {
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    schema.putObject("properties").putObject("replicas").put("type", "integer").put("minimum", 1);
    OpsTools tools = new OpsTools(List.of(new OpsTools.Definition("scale", "scales", schema, ActionClass.SAFE,
        (ctx, in) -> "scaled")));

    assertThat(tools.specs().get(0).inputSchema()).isSameAs(schema);
    assertThat(tools.problems("scale", JSON.readTree("{\"replicas\": 0}")))
        .hasValueSatisfying(p -> assertThat(p).startsWith("'replicas': ").contains("1"));
    assertThat(tools.problems("scale", JSON.readTree("{\"replicas\": 3}"))).isEmpty();
  }
}
