-- The durable job runner (src/jobs.rs): a job is a row leased with a deadline. A due job
-- is pending with run_at in the past; claiming it moves run_at to the end of the lease,
-- so a runner killed mid-job leaves it due again when the lease runs out.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  leased_until INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);

-- Signed callbacks of custom development: each template and custom app signs with its
-- own token (a custom app starts with its template's).
ALTER TABLE cd_templates ADD COLUMN callback_token TEXT NOT NULL DEFAULT '';
UPDATE cd_templates SET callback_token = lower(hex(randomblob(16)));
ALTER TABLE cd_custom_apps ADD COLUMN callback_token TEXT NOT NULL DEFAULT '';
UPDATE cd_custom_apps SET callback_token = lower(hex(randomblob(16)));

-- One event for one custom app's callback URL, with the outcome of its last attempt.
-- The event id is stable across attempts and redeliveries.
CREATE TABLE cd_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  custom_app_id INTEGER NOT NULL REFERENCES cd_custom_apps (id),
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  job_id INTEGER NOT NULL REFERENCES jobs (id),
  attempts INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER,
  latency_ms INTEGER,
  error TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX cd_deliveries_app ON cd_deliveries (custom_app_id, id);
