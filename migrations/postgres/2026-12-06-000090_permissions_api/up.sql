-- A custom app's custom permissions (自定义权限) the enterprise confirmed; basic ones come
-- with the authorisation and are not stored.
CREATE TABLE cd_app_permissions (
  custom_app_id BIGINT NOT NULL REFERENCES cd_custom_apps (id),
  perm TEXT NOT NULL,
  PRIMARY KEY (custom_app_id, perm)
);

-- The provider's requests for a new custom set: pending until the enterprise agrees or
-- declines; a new edit replaces a pending one.
CREATE TABLE cd_permission_requests (
  id BIGSERIAL PRIMARY KEY,
  custom_app_id BIGINT NOT NULL REFERENCES cd_custom_apps (id),
  perms TEXT NOT NULL,
  state TEXT NOT NULL,
  requested_by BIGINT NOT NULL REFERENCES users (id),
  requested_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT
);
CREATE UNIQUE INDEX cd_permission_requests_one_pending ON cd_permission_requests (custom_app_id)
  WHERE state = 'pending';
CREATE INDEX cd_permission_requests_app ON cd_permission_requests (custom_app_id, id);

-- Who agreed to, declined, revoked or removed what, and when (the consent history).
CREATE TABLE cd_permission_log (
  id BIGSERIAL PRIMARY KEY,
  custom_app_id BIGINT NOT NULL REFERENCES cd_custom_apps (id),
  action TEXT NOT NULL,
  perms TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id),
  at BIGINT NOT NULL
);
CREATE INDEX cd_permission_log_app ON cd_permission_log (custom_app_id, id);

-- The provider API's credentials: an app id and a secret (stored as its SHA-256: it is
-- 32 random bytes, so a slow hash adds nothing) per custom app, and short-lived tokens.
CREATE TABLE cd_credentials (
  custom_app_id BIGINT PRIMARY KEY REFERENCES cd_custom_apps (id),
  client_id TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE cd_access_tokens (
  token_hash TEXT PRIMARY KEY,
  custom_app_id BIGINT NOT NULL REFERENCES cd_custom_apps (id),
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX cd_access_tokens_app ON cd_access_tokens (custom_app_id);
