package io.opsagent.support;

/**
 * Where the tests' Redis is: {@code OPSAGENT_TEST_REDIS_URL}, default {@code redis://127.0.0.1:6379/15}.
 * Tests use keys that embed random ids and never flush, so test classes (and other users of the
 * server) do not disturb each other.
 */
public final class TestRedis {
  public static final String URL = System.getenv().getOrDefault(
      "OPSAGENT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15");

  private TestRedis() {}
}
