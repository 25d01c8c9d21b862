package io.opsagent.notify.send;

import io.opsagent.notify.NotificationChannel;

/**
 * How one delivery attempt ended; a failure's {@code error} is already free of the channel's secrets.
 * A failure is retried unless it is not {@code retryable}: the receiver refused the message itself
 * (PagerDuty's 400 "invalid event"), so sending it again cannot succeed and the delivery gives up at once.
 */
public sealed interface SendOutcome {
  record Delivered() implements SendOutcome {}

  record Failed(String error, boolean retryable) implements SendOutcome {
    public Failed(String error) {
      this(error, true);
    }
  }

  static SendOutcome delivered() {
    return new Delivered();
  }

  static SendOutcome failed(String error) {
    return new Failed(error);
  }

  /** A failure that a retry cannot mend: the delivery is given up with {@code error} as its reason. */
  static SendOutcome rejected(String error) {
    return new Failed(error, false);
  }

  /** A failure from an exception, described without the channel's secrets. */
  static SendOutcome failed(NotificationChannel channel, Exception e) {
    String message = e.getMessage() == null ? "" : ": " + e.getMessage();
    return new Failed(channel.redact(e.getClass().getSimpleName() + message));
  }
}
