-- Foundation schema. Times are Unix seconds (BIGINT) so both backends behave alike.
CREATE TABLE orgs (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  corp_id TEXT NOT NULL UNIQUE,
  edition TEXT NOT NULL,
  certified BOOLEAN NOT NULL DEFAULT FALSE,
  provider_level TEXT NOT NULL DEFAULT 'none',
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  is_operator BOOLEAN NOT NULL DEFAULT FALSE,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  failed_window_start BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE ip_login_failures (
  ip TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  user_id BIGINT,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE departments (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  parent_id BIGINT REFERENCES departments (id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX departments_org ON departments (org_id, parent_id);

CREATE TABLE memberships (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL,
  permissions TEXT NOT NULL DEFAULT '',
  can_build_apps BOOLEAN NOT NULL DEFAULT FALSE,
  department_id BIGINT REFERENCES departments (id),
  created_at BIGINT NOT NULL,
  UNIQUE (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_org_id ON memberships (org_id, id);

CREATE TABLE apps (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  name TEXT NOT NULL,
  icon TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  premium BOOLEAN NOT NULL DEFAULT FALSE,
  state TEXT NOT NULL DEFAULT 'enabled',
  source_app_id BIGINT,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX apps_org ON apps (org_id, id);

CREATE TABLE app_admins (
  app_id BIGINT NOT NULL REFERENCES apps (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  PRIMARY KEY (app_id, user_id)
);

CREATE TABLE pages (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  report_form_id BIGINT REFERENCES pages (id),
  report_group_field_id BIGINT,
  report_value_field_id BIGINT,
  report_agg TEXT NOT NULL DEFAULT 'count',
  created_at BIGINT NOT NULL
);
CREATE INDEX pages_app ON pages (app_id, position);

CREATE TABLE fields (
  id BIGSERIAL PRIMARY KEY,
  page_id BIGINT NOT NULL REFERENCES pages (id),
  label TEXT NOT NULL,
  kind TEXT NOT NULL,
  required BOOLEAN NOT NULL DEFAULT FALSE,
  options TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL
);
CREATE INDEX fields_page ON fields (page_id, position);

CREATE TABLE approval_steps (
  id BIGSERIAL PRIMARY KEY,
  page_id BIGINT NOT NULL REFERENCES pages (id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  approver_id BIGINT NOT NULL REFERENCES users (id)
);
CREATE INDEX approval_steps_page ON approval_steps (page_id, position);

CREATE TABLE connectors (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  endpoint_url TEXT NOT NULL,
  auth_kind TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX connectors_app ON connectors (app_id, id);

CREATE TABLE notification_templates (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX notification_templates_app ON notification_templates (app_id, id);

CREATE TABLE automations (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  form_id BIGINT NOT NULL REFERENCES pages (id),
  action TEXT NOT NULL,
  template_id BIGINT REFERENCES notification_templates (id),
  connector_id BIGINT REFERENCES connectors (id),
  recipient_id BIGINT REFERENCES users (id),
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL
);
CREATE INDEX automations_form ON automations (form_id);
CREATE INDEX automations_app ON automations (app_id, id);

CREATE TABLE components (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  markup TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX components_app ON components (app_id, id);

CREATE TABLE attachments (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  uploader_id BIGINT NOT NULL REFERENCES users (id),
  storage_key TEXT NOT NULL UNIQUE,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE submissions (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  page_id BIGINT NOT NULL REFERENCES pages (id),
  submitter_id BIGINT NOT NULL REFERENCES users (id),
  data TEXT NOT NULL,
  status TEXT NOT NULL,
  current_step INTEGER NOT NULL DEFAULT 0,
  sample BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX submissions_page ON submissions (page_id, id);
CREATE INDEX submissions_page_status ON submissions (page_id, status, id);
CREATE INDEX submissions_page_submitter ON submissions (page_id, submitter_id, id);
CREATE INDEX submissions_submitter ON submissions (submitter_id, org_id, id);

CREATE TABLE approval_tasks (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  submission_id BIGINT NOT NULL REFERENCES submissions (id),
  step_position INTEGER NOT NULL,
  assignee_id BIGINT NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  acted_at BIGINT
);
CREATE INDEX approval_tasks_assignee ON approval_tasks (assignee_id, status, id);
CREATE INDEX approval_tasks_submission ON approval_tasks (submission_id, id);

CREATE TABLE notifications (
  id BIGSERIAL PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  read BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);
