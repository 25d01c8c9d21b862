package io.opsagent.notify;

/**
 * What may be shown of a notification channel: to the API's callers, in listings and in the agent's
 * model context. It carries no configuration at all, so no URL, token, secret or password can leak
 * through it, whatever the channel's type.
 */
public record ChannelView(
    String id, String tenantId, String workspaceId, ChannelType type, String name, boolean enabled) {}
