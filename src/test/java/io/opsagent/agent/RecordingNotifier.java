package io.opsagent.agent;

import io.opsagent.db.Ids;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stands in for the real notifier until it lands: keeps every alert, "delivers" to one channel. */
final class RecordingNotifier implements Notifier {
  final List<Alert> alerts = new CopyOnWriteArrayList<>();

  @Override
  public List<String> send(Alert alert) {
    alerts.add(alert);
    return List.of(Ids.newId());
  }
}
