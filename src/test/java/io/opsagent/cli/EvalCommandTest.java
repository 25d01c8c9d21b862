package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code opsagent eval}'s refusals: a bad case file or option is exit 2 with the file and the field. */
class EvalCommandTest {

  @Test
  void aBadCaseFileIsExitTwoNamingTheFileAndTheField(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("broken.json"), "{\"workspaces\": [], \"expect\": {\"page\": true}}");
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("eval", "--cases", dir.toString())).isEqualTo(2);
      assertThat(Main.run("eval", "--min-pass", "lots")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("broken.json: field 'workspaces': must be a non-empty list");
    assertThat(text).contains("--min-pass: 'lots' is not a pass rate");
  }

  @Test
  void evalAnswersHelpWithItsOptionsAndExitZero() {
    PrintStream out = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("eval", "--help")).isZero();
    } finally {
      System.setOut(out);
    }
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("Usage: opsagent eval")
        .contains("--cases").contains("--json").contains("--compare").contains("--min-pass");
  }

  @Test
  void minPassTakesAFractionOrAPercentage() {
    assertThat(EvalCommand.minPass("0.8")).isEqualTo(0.8);
    assertThat(EvalCommand.minPass("80%")).isEqualTo(0.8);
    assertThat(EvalCommand.minPass("0")).isZero();
  }
}
