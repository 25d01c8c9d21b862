package io.opsagent.api;

/** An expected HTTP failure; rendered as {@code {"error": message}} with {@link #status()}. */
final class ApiException extends RuntimeException {
  private final int status;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String what) {
    return new ApiException(404, what + " not found");
  }

  int status() {
    return status;
  }
}
