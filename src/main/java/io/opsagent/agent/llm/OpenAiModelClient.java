package io.opsagent.agent.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
import com.openai.models.completions.CompletionUsage;
import io.opsagent.Json;
import io.opsagent.agent.run.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A model behind the OpenAI Chat Completions wire format, through the official SDK, at any base
 * URL: OpenAI itself, Azure OpenAI, or a local server (vLLM, Ollama, LM Studio). One non-streaming
 * {@code chat.completions.create} per turn.
 *
 * <p>The same guarantees as {@link AnthropicModelClient}: transient failures (408, 409, 429, 5xx,
 * connection errors) are retried by the SDK with backoff up to {@code maxRetries} times, each
 * attempt bounded by {@code timeout}; anything else becomes a {@link ModelException}. An answer that
 * does not parse (no choice, a tool call whose arguments are not a JSON object) is a
 * {@link ModelException} too, thrown before any of its tool calls could run. Prompt caching is the
 * provider's own (automatic at OpenAI); cached prompt tokens are reported apart as cache reads. The
 * API key never appears in an exception message or a log line.
 */
public final class OpenAiModelClient implements ModelClient {
  static final long MAX_TOKENS = AnthropicModelClient.MAX_TOKENS;
  /** Sent when no key is configured: local servers ignore it, and the SDK requires one. */
  static final String NO_KEY = "none";
  private static final ObjectMapper JSON = Json.MAPPER;

  private final OpenAIClient client;
  private final String model;

  public OpenAiModelClient(Optional<String> apiKey, String baseUrl, String model, Duration timeout,
      int maxRetries) {
    this.client = OpenAIOkHttpClient.builder()
        .apiKey(apiKey.orElse(NO_KEY))
        .baseUrl(baseUrl)
        .timeout(timeout)
        .maxRetries(maxRetries)
        .build();
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
    ChatCompletionCreateParams params = params(model, request);
    try {
      HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(params);
      return reply(raw.parse(), raw.requestId().orElse(null));
    } catch (OpenAIServiceException e) {
      throw new ModelException("Chat Completions API answered HTTP " + e.statusCode()
          + " after retries (" + e.getClass().getSimpleName() + ")", e);
    } catch (OpenAIInvalidDataException e) {
      throw new ModelException("Chat Completions API sent a malformed answer: " + e.getMessage(), e);
    } catch (OpenAIException e) {
      throw new ModelException("Chat Completions API call failed: " + e.getClass().getSimpleName()
          + ": " + e.getMessage(), e);
    }
  }

  static ChatCompletionCreateParams params(String model, ModelRequest request) {
    ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
        .model(model)
        .maxCompletionTokens(MAX_TOKENS)
        .addSystemMessage(request.system());
    request.tools().forEach(t -> params.addTool(tool(t)));
    if (request.noMoreTools() && !request.tools().isEmpty()) {
      params.toolChoice(ChatCompletionToolChoiceOption.Auto.NONE);
    }
    for (ChatMessage m : request.messages()) {
      if (m.role() == ChatMessage.Role.ASSISTANT) {
        params.addMessage(assistant(m));
        continue;
      }
      // tool results answer the assistant's calls, so they come first, each as its own message
      for (Block b : m.blocks()) {
        if (b instanceof Block.ToolResult r) {
          params.addMessage(ChatCompletionToolMessageParam.builder()
              .toolCallId(r.toolUseId())
              .content(r.isError() ? "Error: " + r.content() : r.content())
              .build());
        }
      }
      String text = text(m);
      if (!text.isEmpty()) {
        params.addMessage(ChatCompletionUserMessageParam.builder().content(text).build());
      }
    }
    return params.build();
  }

  /** The tool as a function tool whose {@code parameters} is our JSON schema, unchanged. */
  static ChatCompletionFunctionTool tool(ToolSpec spec) {
    FunctionParameters.Builder schema = FunctionParameters.builder();
    spec.inputSchema().fields().forEachRemaining(
        e -> schema.putAdditionalProperty(e.getKey(), JsonValue.from(plain(e.getValue()))));
    return ChatCompletionFunctionTool.builder()
        .function(FunctionDefinition.builder()
            .name(spec.name())
            .description(spec.description())
            .parameters(schema.build())
            .build())
        .build();
  }

  private static ChatCompletionAssistantMessageParam assistant(ChatMessage m) {
    ChatCompletionAssistantMessageParam.Builder a = ChatCompletionAssistantMessageParam.builder();
    String text = text(m);
    if (!text.isEmpty()) {
      a.content(text);
    }
    for (Block b : m.blocks()) {
      if (b instanceof Block.ToolUse u) {
        a.addToolCall(ChatCompletionMessageFunctionToolCall.builder()
            .id(u.id())
            .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                .name(u.name())
                .arguments(arguments(u.input()))
                .build())
            .build());
      }
    }
    return a.build();
  }

  private static String text(ChatMessage m) {
    return m.blocks().stream().filter(Block.Text.class::isInstance).map(b -> ((Block.Text) b).text())
        .filter(t -> !t.isBlank()).collect(Collectors.joining("\n"));
  }

  private static String arguments(JsonNode input) {
    try {
      return JSON.writeValueAsString(input == null || input.isNull() ? JSON.createObjectNode() : input);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelReply reply(ChatCompletion completion, String requestId) {
    completion.validate();
    if (completion.choices().isEmpty()) {
      throw new ModelException("Chat Completions API sent a malformed answer: no choices", null);
    }
    ChatCompletion.Choice choice = completion.choices().get(0);
    ChatCompletionMessage message = choice.message();
    List<Block> content = new ArrayList<>();
    message.content().filter(t -> !t.isBlank()).ifPresent(t -> content.add(new Block.Text(t)));
    message.refusal().filter(t -> !t.isBlank()).ifPresent(t -> content.add(new Block.Text(t)));
    for (ChatCompletionMessageToolCall call : message.toolCalls().orElse(List.of())) {
      if (!call.isFunction()) {
        throw new ModelException("Chat Completions API sent a malformed answer: a tool call that is"
            + " not a function call", null);
      }
      ChatCompletionMessageFunctionToolCall f = call.asFunction();
      content.add(new Block.ToolUse(f.id(), f.function().name(), input(f.function().name(),
          f.function().arguments())));
    }
    boolean toolCalls = content.stream().anyMatch(Block.ToolUse.class::isInstance);
    ModelReply.StopReason stop = stop(choice.finishReason(), toolCalls);
    TokenUsage usage = completion.usage().map(OpenAiModelClient::usage).orElse(TokenUsage.NONE);
    return new ModelReply(content, stop, usage, requestId != null ? requestId : completion.id());
  }

  private static JsonNode input(String tool, String arguments) {
    try {
      JsonNode node = JSON.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (JsonProcessingException e) {
      // reported below, without the arguments themselves
    }
    throw new ModelException("Chat Completions API sent a malformed answer: the arguments of tool call "
        + tool + " are not a JSON object", null);
  }

  private static ModelReply.StopReason stop(ChatCompletion.Choice.FinishReason r, boolean toolCalls) {
    if (r.equals(ChatCompletion.Choice.FinishReason.LENGTH)) {
      return ModelReply.StopReason.MAX_TOKENS;
    } else if (toolCalls || r.equals(ChatCompletion.Choice.FinishReason.TOOL_CALLS)) {
      // some OpenAI-compatible servers answer "stop" even when the message holds tool calls
      return ModelReply.StopReason.TOOL_USE;
    } else if (r.equals(ChatCompletion.Choice.FinishReason.STOP)) {
      return ModelReply.StopReason.END_TURN;
    }
    return ModelReply.StopReason.OTHER;
  }

  /**
   * {@code prompt_tokens} counts cached tokens too; ours counts them apart, so uncached input is
   * the prompt less the cache reads and writes.
   */
  private static TokenUsage usage(CompletionUsage u) {
    long cacheRead = u.promptTokensDetails().flatMap(CompletionUsage.PromptTokensDetails::cachedTokens).orElse(0L);
    long cacheWrite = u.promptTokensDetails().flatMap(CompletionUsage.PromptTokensDetails::cacheWriteTokens)
        .orElse(0L);
    long input = Math.max(0, u.promptTokens() - cacheRead - cacheWrite);
    return new TokenUsage(input, u.completionTokens(), cacheRead, cacheWrite);
  }

  private static Object plain(JsonNode node) {
    return JSON.convertValue(node, Object.class);
  }
}
