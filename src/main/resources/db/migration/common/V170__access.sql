-- Scoped API keys: only the SHA-256 of a key is kept, so a key cannot be read back after its
-- creation. tenant_id: the one tenant a 'tenant' key (and optionally a 'viewer' key) sees.
CREATE TABLE api_keys (
    id          VARCHAR(36)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    role        VARCHAR(16)  NOT NULL,
    tenant_id   VARCHAR(36)  REFERENCES tenants (id),
    key_hash    VARCHAR(64)  NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

-- Dashboard sessions, checked on every request: deleting the row (logout) or revoking its key
-- ends the session on every worker at once. id_hash: SHA-256 of the cookie's random id.
-- key_id: an api_keys id, or 'bootstrap:' and a fingerprint of OPSAGENT_API_TOKEN.
CREATE TABLE ui_sessions (
    id_hash     VARCHAR(64)  PRIMARY KEY,
    key_id      VARCHAR(80)  NOT NULL,
    csrf_token  VARCHAR(64)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ui_sessions_key ON ui_sessions (key_id);

-- Who did it: the key (id and name at the time) behind each operator action (kill switch, mode,
-- budget, acknowledgement, manual cycle, key change). target_id: the incident, run or key acted on.
CREATE TABLE access_actions (
    id          VARCHAR(36)  PRIMARY KEY,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    key_id      VARCHAR(80)  NOT NULL,
    key_name    VARCHAR(200) NOT NULL,
    action      VARCHAR(40)  NOT NULL,
    tenant_id   VARCHAR(36),
    target_id   VARCHAR(64),
    detail      VARCHAR(200)
);
CREATE INDEX access_actions_target ON access_actions (target_id);
CREATE INDEX access_actions_recent ON access_actions (action, created_at);

-- A health URL with credentials (user:password@): health_url keeps it redacted (https://***@host/...),
-- which is what every reader sees; the full URL is kept here, sealed with OPSAGENT_SECRET_KEY like
-- channel secrets (plaintext when no key is set).
ALTER TABLE deployments ADD COLUMN health_url_secret VARCHAR(4000);
