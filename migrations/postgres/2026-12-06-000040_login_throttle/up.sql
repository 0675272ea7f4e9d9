-- Password guessing is throttled per browser (OWASP's device cookies), not per account:
-- `kind` 'login' counts the attempts of browsers without a device cookie for the typed
-- login (known or not, so a refusal never tells which logins exist); 'device' counts the
-- attempts of one trusted browser, by its device cookie's nonce.
CREATE TABLE login_throttle (
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  PRIMARY KEY (kind, subject)
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- Secrets generated at first start and shared by every instance on this database
-- (the device cookies' HMAC key).
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- The per-account lock-out these replaced.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN failed_window_start;
ALTER TABLE users DROP COLUMN locked_until;
