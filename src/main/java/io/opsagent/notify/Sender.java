package io.opsagent.notify;

/** Makes one delivery attempt of a {@link Delivery} to a channel of one type; never throws. */
interface Sender {
  SendOutcome send(NotificationChannel channel, Delivery delivery);
}
