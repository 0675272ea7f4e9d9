-- The durable job runner (src/jobs.rs): a job is a row leased with a deadline. A due job
-- is pending with run_at in the past; claiming it moves run_at to the end of the lease,
-- so a runner killed mid-job leaves it due again when the lease runs out.
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  run_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  leased_until BIGINT,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);

-- Signed callbacks of custom development: each template and custom app signs with its
-- own token (a custom app starts with its template's).
ALTER TABLE cd_templates ADD COLUMN callback_token TEXT NOT NULL DEFAULT '';
UPDATE cd_templates SET callback_token = md5(random()::text || clock_timestamp()::text || id::text);
ALTER TABLE cd_custom_apps ADD COLUMN callback_token TEXT NOT NULL DEFAULT '';
UPDATE cd_custom_apps SET callback_token = md5(random()::text || clock_timestamp()::text || id::text);

-- One event for one custom app's callback URL, with the outcome of its last attempt.
-- The event id is stable across attempts and redeliveries.
CREATE TABLE cd_deliveries (
  id BIGSERIAL PRIMARY KEY,
  custom_app_id BIGINT NOT NULL REFERENCES cd_custom_apps (id),
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  job_id BIGINT NOT NULL REFERENCES jobs (id),
  attempts INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER,
  latency_ms BIGINT,
  error TEXT NOT NULL DEFAULT '',
  delivered_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX cd_deliveries_app ON cd_deliveries (custom_app_id, id);
