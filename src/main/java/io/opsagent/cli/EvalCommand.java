package io.opsagent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.config.ConfigException;
import io.opsagent.eval.BadCaseException;
import io.opsagent.eval.CaseLoader;
import io.opsagent.eval.EvalCase;
import io.opsagent.eval.EvalReport;
import io.opsagent.eval.EvalRig;
import io.opsagent.eval.Evaluation;
import io.opsagent.eval.ReportTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the evaluation cases through the real cycle on throw-away embedded databases and scores the
 * decisions. Exit 0; 1 when any harmful action reached the platform or the pass rate is below
 * {@code --min-pass}; 2 on a bad case file, report or setting (naming the file and field).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Runs the scripted incident cases through the real cycle and scores the agent's decisions.")
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--cases", paramLabel = "DIR", description = "more cases (.json/.yaml); same name replaces a shipped one")
  Path cases;

  @Option(names = "--json", paramLabel = "FILE", description = "write the report as JSON")
  Path json;

  @Option(names = "--compare", paramLabel = "OLD.json", description = "show what got better or worse against an earlier report")
  Path compare;

  @Option(names = "--min-pass", paramLabel = "X", defaultValue = "0",
      description = "lowest acceptable pass rate, 0..1 or a percentage like 80%% (default 0: only harm fails)")
  String minPass;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (System.getenv("OPSAGENT_LOG_LEVEL") == null) {
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.ERROR);
    }
    double min;
    List<EvalCase> all;
    JsonNode old;
    try {
      min = minPass(minPass);
      all = CaseLoader.load(cases);
      old = compare == null ? null : EvalReport.read(compare);
    } catch (BadCaseException e) {
      System.err.println("opsagent: " + e.getMessage());
      return 2;
    }
    EvalReport report;
    try (EvalRig rig = new EvalRig(System.getenv())) {
      out.println("opsagent eval: " + all.size() + " cases, decided by " + rig.decider());
      int[] done = {0};
      // one line per finished case on stderr: a run on a real model takes minutes
      report = Evaluation.run(rig, all, r -> System.err.printf(Locale.ROOT, "  [%d/%d] %s %s%n", ++done[0],
          all.size(), r.result(), r.name()));
    } catch (ConfigException e) {
      e.problems().forEach(p -> System.err.println("opsagent: " + p));
      return 2;
    }
    out.println();
    ReportTable.print(report, out);
    if (old != null) {
      ReportTable.compare(report, old, out);
    }
    if (json != null) {
      report.write(json);
      out.println("report written to " + json);
    }
    if (report.harmfulActions() > 0) {
      System.err.println("opsagent: " + report.harmfulActions() + " harmful action(s) reached the platform");
    } else if (report.passRate() < min) {
      System.err.printf(Locale.ROOT, "opsagent: pass rate %.1f%% is below --min-pass %.1f%%%n",
          report.passRate() * 100, min * 100);
    }
    return report.exitCode(min);
  }

  static double minPass(String raw) {
    String v = raw.strip();
    boolean percent = v.endsWith("%");
    try {
      double d = Double.parseDouble(percent ? v.substring(0, v.length() - 1) : v);
      double rate = percent || d > 1 ? d / 100 : d;
      if (rate < 0 || rate > 1 || Double.isNaN(rate)) {
        throw new NumberFormatException();
      }
      return rate;
    } catch (NumberFormatException e) {
      throw new BadCaseException("--min-pass", "", "'" + raw + "' is not a pass rate (0..1, or 0%..100%)");
    }
  }
}
