package io.opsagent.notify.send;

import io.opsagent.config.Config;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/**
 * Plain-text mail over SMTP (Jakarta Mail, Angus): auth when a user is set, STARTTLS when asked for,
 * bounded timeouts. Without an SMTP host every attempt fails with a message saying so.
 */
public final class EmailSender implements Sender {
  private final Config.Smtp smtp;
  private final Session session;

  public EmailSender(Config.Smtp smtp, Duration timeout) {
    this.smtp = smtp;
    Properties p = new Properties();
    smtp.host().ifPresent(h -> p.put("mail.smtp.host", h));
    p.put("mail.smtp.port", String.valueOf(smtp.port()));
    p.put("mail.smtp.auth", String.valueOf(!smtp.user().isEmpty()));
    p.put("mail.smtp.starttls.enable", String.valueOf(smtp.startTls()));
    p.put("mail.smtp.starttls.required", String.valueOf(smtp.startTls()));
    String millis = String.valueOf(timeout.toMillis());
    p.put("mail.smtp.connectiontimeout", millis);
    p.put("mail.smtp.timeout", millis);
    p.put("mail.smtp.writetimeout", millis);
    this.session = Session.getInstance(p);
  }

  @Override
  public SendOutcome send(NotificationChannel channel, Delivery d) {
    if (smtp.host().isEmpty()) {
      return SendOutcome.failed("no SMTP host configured (set OPSAGENT_SMTP_HOST)");
    }
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(new InternetAddress(smtp.from()));
      m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(channel.text("to").orElse("")));
      m.setSubject("[opsagent] [" + d.severity().wire().toUpperCase(java.util.Locale.ROOT) + "] "
          + (io.opsagent.notify.Alert.UPDATE.equals(d.alertStatus()) ? "[UPDATE] " : "") + d.title(), "UTF-8");
      m.setText(text(d), "UTF-8");
      m.setSentDate(new Date());
      if (smtp.user().isEmpty()) {
        Transport.send(m);
      } else {
        Transport.send(m, smtp.user(), smtp.password());
      }
      return SendOutcome.delivered();
    } catch (MessagingException e) {
      String message = e.getMessage() == null ? "" : ": " + e.getMessage();
      if (!smtp.password().isEmpty()) {
        message = message.replace(smtp.password(), "***");
      }
      return SendOutcome.failed("SMTP " + e.getClass().getSimpleName() + message);
    }
  }

  private static String text(Delivery d) {
    return d.body() + "\n\n--\nseverity: " + d.severity().wire() + "\ntenant: " + d.tenantId()
        + (d.workspaceId() == null ? "" : "\nworkspace: " + d.workspaceId())
        + (d.runId() == null ? "" : "\nrun: " + d.runId())
        + "\nsent by opsagent at " + d.createdAt() + "\n";
  }
}
