package io.opsagent.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A tiny HTTP client for API tests: real requests over loopback, JSON parsed with Jackson. */
public final class ApiClient {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String token;

  public ApiClient(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  public record Response(int status, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token);
  }

  public Response post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"), token);
  }

  public Response post(String path, byte[] body) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json"), token);
  }

  public Response patch(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"), token);
  }

  public Response put(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.noBody()), token);
  }

  public Response put(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json"), token);
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), token);
  }

  public Response postWithToken(String path, String body, String otherToken) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)), otherToken);
  }

  /** Creates a tenant, workspace or deployment and returns its id. */
  public String create(String path, String body) {
    Response r = post(path, body);
    if (r.status() != 201) {
      throw new AssertionError("POST " + path + " → " + r.status() + " " + r.body());
    }
    return r.json().get("id").asText();
  }

  private Response send(HttpRequest.Builder b, String bearer) {
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
