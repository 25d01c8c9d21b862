package io.opsagent.notify.send;

import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;

/** Makes one delivery attempt of a {@link Delivery} to a channel of one type; never throws. */
public interface Sender {
  SendOutcome send(NotificationChannel channel, Delivery delivery);
}
