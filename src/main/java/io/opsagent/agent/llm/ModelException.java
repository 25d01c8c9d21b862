package io.opsagent.agent.llm;

/** The model could not answer (API unreachable, retries exhausted, rejected request). */
public final class ModelException extends RuntimeException {
  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
