package io.opsagent.eval;

/** A case file (or the harness's options) cannot be used: says which file and which field. */
public final class BadCaseException extends RuntimeException {
  public BadCaseException(String source, String field, String problem) {
    super(source + ": " + (field.isEmpty() ? "" : "field '" + field + "': ") + problem);
  }
}
