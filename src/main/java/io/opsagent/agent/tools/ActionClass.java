package io.opsagent.agent.tools;

/**
 * What a tool may do to the platform: {@code SAFE} tools read or notify, {@code MUTATING} tools
 * change a deployment (restart, update, scale) and are subject to cooldowns. Every tool declares
 * one; the tool registry refuses to start with an unclassified tool.
 */
public enum ActionClass { SAFE, MUTATING }
