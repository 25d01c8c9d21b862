package io.opsagent.notify.send;

import io.opsagent.notify.NotificationChannel;

/** How one delivery attempt ended; a failure's {@code error} is already free of the channel's secrets. */
public sealed interface SendOutcome {
  record Delivered() implements SendOutcome {}

  record Failed(String error) implements SendOutcome {}

  static SendOutcome delivered() {
    return new Delivered();
  }

  static SendOutcome failed(String error) {
    return new Failed(error);
  }

  /** A failure from an exception, described without the channel's secrets. */
  static SendOutcome failed(NotificationChannel channel, Exception e) {
    String message = e.getMessage() == null ? "" : ": " + e.getMessage();
    return new Failed(channel.redact(e.getClass().getSimpleName() + message));
  }
}
