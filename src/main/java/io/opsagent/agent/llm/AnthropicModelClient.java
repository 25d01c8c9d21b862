package io.opsagent.agent.llm;

import com.anthropic.backends.Backend;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoice;
import com.anthropic.models.messages.ToolChoiceNone;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.run.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Claude through the official SDK: one non-streaming {@code messages.create} per turn.
 *
 * <p>Guarantees: transient failures (429, 529, 5xx, connection errors) are retried by the SDK itself,
 * with backoff, up to {@code maxRetries} times, each attempt bounded by {@code timeout}; there is no
 * second retry loop here. The system prompt carries {@code cache_control: ephemeral}, so the static
 * prefix (tools, then system) is cached once and shared by every tenant and cycle as long as both
 * stay byte-identical; from the second turn of a cycle on, a second breakpoint after the newest tool
 * results lets each turn reuse the conversation cached by the previous one. Tokens are reported as
 * the API counts them: uncached input, output, cache reads and cache writes apart. The API key never appears in an
 * exception message or a log line.
 */
public final class AnthropicModelClient implements ModelClient {
  static final long MAX_TOKENS = 4096;
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final CacheControlEphemeral EPHEMERAL = CacheControlEphemeral.builder().build();

  private final AnthropicClient client;
  private final String model;

  public AnthropicModelClient(String apiKey, String baseUrl, String model, Duration timeout, int maxRetries) {
    this(AnthropicOkHttpClient.builder()
        .apiKey(apiKey)
        .baseUrl(baseUrl)
        .timeout(timeout)
        .maxRetries(maxRetries)
        .build(), model);
  }

  /**
   * Claude on Amazon Bedrock: the same Messages API, SigV4-signed by the SDK's Bedrock backend
   * (the AWS credentials and region it was built with), at the backend's endpoint.
   */
  public AnthropicModelClient(Backend bedrock, String model, Duration timeout, int maxRetries) {
    this(AnthropicOkHttpClient.builder()
        .backend(bedrock)
        .timeout(timeout)
        .maxRetries(maxRetries)
        .build(), model);
  }

  private AnthropicModelClient(AnthropicClient client, String model) {
    this.client = client;
    this.model = model;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String modelId() {
    return model;
  }

  @Override
  public ModelReply complete(ModelRequest request) {
    MessageCreateParams.Builder params = MessageCreateParams.builder()
        .model(model)
        .maxTokens(MAX_TOKENS)
        .systemOfTextBlockParams(List.of(
            TextBlockParam.builder().text(request.system()).cacheControl(EPHEMERAL).build()));
    request.tools().forEach(t -> params.addTool(tool(t)));
    if (request.noMoreTools()) {
      params.toolChoice(ToolChoice.ofNone(ToolChoiceNone.builder().build()));
    }
    List<ChatMessage> messages = request.messages();
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      // later turns of a cycle: a second breakpoint after the newest tool results lets the next
      // turn read the whole conversation so far from the cache
      boolean cacheTail = i == messages.size() - 1 && i > 0;
      List<ContentBlockParam> blocks = new ArrayList<>();
      for (int j = 0; j < m.blocks().size(); j++) {
        ContentBlockParam b = param(m.blocks().get(j), cacheTail && j == m.blocks().size() - 1);
        if (b != null) {
          blocks.add(b);
        }
      }
      params.addMessage(m.role() == ChatMessage.Role.USER
          ? MessageParam.ofUserOfContentBlockParams(blocks)
          : MessageParam.ofAssistantOfContentBlockParams(blocks));
    }
    Message reply;
    String requestId;
    try {
      HttpResponseFor<Message> raw = client.messages().withRawResponse().create(params.build());
      reply = raw.parse();
      requestId = raw.requestId().orElse(null);
    } catch (AnthropicServiceException e) {
      throw new ModelException("Messages API answered HTTP " + e.statusCode()
          + " after retries (" + e.getClass().getSimpleName() + ")", e);
    } catch (AnthropicException e) {
      throw new ModelException("Messages API call failed: " + e.getClass().getSimpleName()
          + ": " + e.getMessage(), e);
    }
    return reply(reply, requestId);
  }

  static Tool tool(ToolSpec spec) {
    ObjectNode schema = spec.inputSchema();
    Tool.InputSchema.Properties.Builder props = Tool.InputSchema.Properties.builder();
    JsonNode properties = schema.path("properties");
    properties.fieldNames().forEachRemaining(
        name -> props.putAdditionalProperty(name, JsonValue.from(plain(properties.get(name)))));
    Tool.InputSchema.Builder input = Tool.InputSchema.builder().properties(props.build());
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    if (!required.isEmpty()) {
      input.required(required);
    }
    schema.fieldNames().forEachRemaining(key -> {
      if (!key.equals("type") && !key.equals("properties") && !key.equals("required")) {
        input.putAdditionalProperty(key, JsonValue.from(plain(schema.get(key))));
      }
    });
    return Tool.builder().name(spec.name()).description(spec.description())
        .inputSchema(input.build()).build();
  }

  private static ContentBlockParam param(Block block, boolean cacheBreakpoint) {
    if (block instanceof Block.Text t) {
      return t.text().isBlank() ? null
          : ContentBlockParam.ofText(TextBlockParam.builder().text(t.text()).build());
    } else if (block instanceof Block.ToolUse u) {
      return ContentBlockParam.ofToolUse(ToolUseBlockParam.builder()
          .id(u.id()).name(u.name()).input(input(u.input())).build());
    }
    Block.ToolResult r = (Block.ToolResult) block;
    ToolResultBlockParam.Builder result = ToolResultBlockParam.builder()
        .toolUseId(r.toolUseId()).content(r.content()).isError(r.isError());
    if (cacheBreakpoint) {
      result.cacheControl(EPHEMERAL);
    }
    return ContentBlockParam.ofToolResult(result.build());
  }

  private static ToolUseBlockParam.Input input(JsonNode input) {
    Map<String, JsonValue> fields = new LinkedHashMap<>();
    if (input != null && input.isObject()) {
      input.fields().forEachRemaining(e -> fields.put(e.getKey(), JsonValue.from(plain(e.getValue()))));
    }
    return ToolUseBlockParam.Input.builder().additionalProperties(fields).build();
  }

  private static ModelReply reply(Message m, String requestId) {
    List<Block> content = new ArrayList<>();
    for (ContentBlock b : m.content()) {
      if (b.isText()) {
        content.add(new Block.Text(b.asText().text()));
      } else if (b.isToolUse()) {
        var u = b.asToolUse();
        content.add(new Block.ToolUse(u.id(), u.name(), JSON.valueToTree(u._input().convert(Object.class))));
      }
    }
    ModelReply.StopReason stop = m.stopReason().map(AnthropicModelClient::stop)
        .orElse(ModelReply.StopReason.OTHER);
    var usage = m.usage();
    return new ModelReply(content, stop, new TokenUsage(usage.inputTokens(), usage.outputTokens(),
        usage.cacheReadInputTokens().orElse(0L), usage.cacheCreationInputTokens().orElse(0L)), requestId);
  }

  private static ModelReply.StopReason stop(StopReason r) {
    if (r.equals(StopReason.END_TURN)) {
      return ModelReply.StopReason.END_TURN;
    } else if (r.equals(StopReason.TOOL_USE)) {
      return ModelReply.StopReason.TOOL_USE;
    } else if (r.equals(StopReason.MAX_TOKENS)) {
      return ModelReply.StopReason.MAX_TOKENS;
    }
    return ModelReply.StopReason.OTHER;
  }

  private static Object plain(JsonNode node) {
    return JSON.convertValue(node, Object.class);
  }
}
