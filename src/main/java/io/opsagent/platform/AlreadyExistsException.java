package io.opsagent.platform;

/**
 * A live object of the same parent already has this name or external id: names and external ids
 * are unique per parent among live objects (a deleted object's are free again). Carries the
 * existing object's id, which the API answers with its 409.
 */
public final class AlreadyExistsException extends RuntimeException {
  private final String existingId;

  AlreadyExistsException(String message, String existingId) {
    super(message);
    this.existingId = existingId;
  }

  public String existingId() {
    return existingId;
  }
}
