package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.opsagent.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP endpoint that records every JSON body POSTed to it and answers 202: the tenants'
 * webhook (pages) or the platform's control endpoint (restart, rollback). What it records is what
 * left the process, so the score counts what reached people and the platform, not what was intended.
 */
final class Receiver implements AutoCloseable {
  private final HttpServer server;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();

  Receiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      try (exchange) {
        received.add(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
        exchange.sendResponseHeaders(202, -1);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** What was received for {@code tenantId} (its {@code tenantId} field), in order. */
  List<JsonNode> of(String tenantId) {
    return received.stream().filter(n -> tenantId.equals(n.path("tenantId").asText())).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
