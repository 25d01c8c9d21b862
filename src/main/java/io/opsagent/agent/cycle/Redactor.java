package io.opsagent.agent.cycle;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrubs credentials and personal data from free text before it enters the model's context:
 * each match becomes a typed placeholder such as {@code [REDACTED:aws_key]}. Applied to every free
 * text a tenant or a deployment wrote (event messages, names, versions, schedules).
 *
 * <p>Order matters: whole PEM blocks, URL credentials and tokens with a recognisable shape go first,
 * so that the generic {@code key=value} / JSON password rules only see what is left.
 */
public final class Redactor {
  private record Rule(String kind, Pattern pattern, int keepGroup) {}

  private static final List<Rule> RULES = List.of(
      rule("private_key", "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"),
      keep("url_credentials", "(?i)([a-z][a-z0-9+.-]*://)[^\\s/:@]+:[^\\s/@]+@"),
      rule("anthropic_key", "sk-ant-[A-Za-z0-9_-]{8,}"),
      rule("openai_key", "sk-(?:proj-)?[A-Za-z0-9_-]{16,}"),
      rule("aws_key", "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
      rule("github_token", "\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
      rule("slack_token", "\\bxox[abposr]-[A-Za-z0-9-]{8,}"),
      rule("jwt", "\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"),
      keep("bearer_token", "(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}"),
      keep("password", "(?i)(\"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)\"\\s*:\\s*\")[^\"]+"),
      keep("password", "(?i)(\\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)\\s*[=:]\\s*)[^\\s,;&\"']+"),
      rule("email", "\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\b"));

  private Redactor() {}

  /** {@code text} with every credential or address replaced by {@code [REDACTED:kind]} (null stays null). */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (Rule r : RULES) {
      Matcher m = r.pattern().matcher(out);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String kept = r.keepGroup() > 0 ? m.group(r.keepGroup()) : "";
        m.appendReplacement(sb, Matcher.quoteReplacement(kept + "[REDACTED:" + r.kind() + "]"));
      }
      m.appendTail(sb);
      out = sb.toString();
    }
    return out;
  }

  private static Rule rule(String kind, String regex) {
    return new Rule(kind, Pattern.compile(regex), 0);
  }

  private static Rule keep(String kind, String regex) {
    return new Rule(kind, Pattern.compile(regex), 1);
  }
}
