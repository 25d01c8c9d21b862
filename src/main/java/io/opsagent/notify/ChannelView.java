package io.opsagent.notify;

/**
 * What may be shown of a notification channel: to the API's callers, in listings and in the agent's
 * model context. It carries no configuration at all, so no URL, token, secret or password can leak
 * through it, whatever the channel's type. {@code failing} and {@code lastError} are its
 * {@link ChannelHealth} when it was read ({@code lastError} null once a delivery succeeded since).
 */
public record ChannelView(String id, String tenantId, String workspaceId, ChannelType type, String name,
    boolean enabled, boolean failing, String lastError) {}
