package io.opsagent.api;

/** An expected HTTP failure; rendered as {@code {"error": message}} with {@link #status()}. */
public final class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, what + " not found");
  }

  public int status() {
    return status;
  }
}
