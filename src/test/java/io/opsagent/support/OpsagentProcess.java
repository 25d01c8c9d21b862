package io.opsagent.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code opsagent} ({@code io.opsagent.cli.Main}) run as a separate JVM on the test's classpath, the
 * way an operator runs it: its own environment and working directory, stdout and stderr captured
 * in files (so a chatty process never blocks on a full pipe). Killed forcibly on {@link #close()}
 * if still alive.
 */
public final class OpsagentProcess implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private OpsagentProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code opsagent args...} in {@code dir} with the environment of this JVM minus every
   * {@code OPSAGENT_*} and {@code ANTHROPIC_*} variable, plus {@code env}.
   */
  public static OpsagentProcess start(Path dir, Map<String, String> env, String... args) {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "io.opsagent.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OPSAGENT_") || k.startsWith("ANTHROPIC_"));
    pb.environment().putAll(env);
    Path out = dir.resolve("stdout-" + System.nanoTime() + ".txt");
    Path err = dir.resolve("stderr-" + System.nanoTime() + ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    try {
      return new OpsagentProcess(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the process to exit (at most {@code seconds}) and returns its exit code. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("opsagent did not exit within " + seconds + " s; stderr:\n" + stderr());
    }
    return process.exitValue();
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  /** SIGTERM: the graceful stop an init system or {@code docker stop} sends. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: the process dies at once, mid-whatever. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
