package io.opsagent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * Validates a channel's configuration for its type and keeps only the known keys, so nothing
 * unexpected is stored. Messages name the bad field but never echo its value (it may be a secret).
 */
final class ChannelConfigs {
  static final int MAX_URL = 2048;
  static final int MAX_SECRET = 256;

  private ChannelConfigs() {}

  static ObjectNode validate(ChannelType type, JsonNode config, AddressGuard guard) {
    if (config == null || !config.isObject()) {
      throw new IllegalArgumentException("config must be a JSON object");
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    switch (type) {
      case WEBHOOK -> {
        out.put("url", url(config, "config.url", guard));
        if (config.hasNonNull("secret")) {
          if (!config.get("secret").isTextual() || config.get("secret").asText().isEmpty()
              || config.get("secret").asText().length() > MAX_SECRET) {
            throw new IllegalArgumentException(
                "config.secret must be a non-empty string of at most " + MAX_SECRET + " characters");
          }
          String secret = config.get("secret").asText();
          if (secret.startsWith("whsec_") && !isBase64(secret.substring("whsec_".length()))) {
            throw new IllegalArgumentException("config.secret starts with whsec_ but the rest is not base64");
          }
          out.put("secret", secret);
        }
      }
      case SLACK -> out.put("url", url(config, "config.url", guard));
      case EMAIL -> out.put("to", email(config));
      case PAGERDUTY -> {
        out.put("routingKey", routingKey(config));
        if (config.hasNonNull("url")) {
          out.put("url", url(config, "config.url", guard));
        }
      }
    }
    return out;
  }

  private static String url(JsonNode config, String field, AddressGuard guard) {
    String value = requiredText(config, "url", field);
    if (value.length() > MAX_URL) {
      throw new IllegalArgumentException(field + " must be at most " + MAX_URL + " characters");
    }
    guard.refusal(AddressGuard.parseHttpUrl(value, field)).ifPresent(reason -> {
      throw new IllegalArgumentException(field + " refused: " + reason);
    });
    return value;
  }

  /** A PagerDuty integration key: a token without spaces (PagerDuty's are 32 characters). */
  private static String routingKey(JsonNode config) {
    String value = requiredText(config, "routingKey", "config.routingKey");
    if (value.length() > MAX_SECRET || !value.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new IllegalArgumentException("config.routingKey must be a PagerDuty integration key (printable,"
          + " no spaces, at most " + MAX_SECRET + " characters)");
    }
    return value;
  }

  private static String email(JsonNode config) {
    String value = requiredText(config, "to", "config.to");
    try {
      InternetAddress address = new InternetAddress(value, true);
      address.validate();
      if (!address.getAddress().contains("@")) {
        throw new AddressException("no domain");
      }
      return address.getAddress();
    } catch (AddressException e) {
      throw new IllegalArgumentException("config.to must be a valid email address");
    }
  }

  /** A Standard Webhooks {@code whsec_} secret's key part must decode (to at least one byte). */
  private static boolean isBase64(String s) {
    try {
      return java.util.Base64.getDecoder().decode(s).length > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String requiredText(JsonNode config, String key, String field) {
    JsonNode n = config.get(key);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return n.asText().trim();
  }
}
