-- Custom-development templates (代开发, seed 003).

-- The lists the operator maintains: template categories, target industries and the
-- banned words beyond the seed's fixed ones.
CREATE TABLE cd_catalogue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  created_by INTEGER REFERENCES users (id),
  created_at INTEGER NOT NULL,
  UNIQUE (kind, name)
);
INSERT INTO cd_catalogue (kind, name, created_at) VALUES
  ('category', '客户管理', 0), ('category', '办公协同', 0), ('category', '进销存', 0),
  ('category', '人事管理', 0), ('category', '财务管理', 0), ('category', '项目管理', 0),
  ('industry', '通用', 0), ('industry', '制造', 0), ('industry', '零售', 0),
  ('industry', '教育', 0), ('industry', '医疗', 0), ('industry', '建筑', 0);

-- A template (代开发应用模版): a provider's offer to build one kind of app. Its
-- authorisation link (token) is the same across versions.
CREATE TABLE cd_templates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_org_id INTEGER NOT NULL REFERENCES orgs (id),
  source_app_id INTEGER REFERENCES apps (id) ON DELETE SET NULL,
  token TEXT NOT NULL UNIQUE,
  live_version_id INTEGER,
  created_by INTEGER NOT NULL REFERENCES users (id),
  created_at INTEGER NOT NULL
);
CREATE INDEX cd_templates_provider ON cd_templates (provider_org_id, id);

-- Each saved configuration; a version under review or live is never edited in place.
CREATE TABLE cd_template_versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  template_id INTEGER NOT NULL REFERENCES cd_templates (id),
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  intro TEXT NOT NULL,
  logo_key TEXT NOT NULL,
  category TEXT NOT NULL,
  industry TEXT NOT NULL,
  callback_url TEXT NOT NULL,
  saved_by INTEGER NOT NULL REFERENCES users (id),
  saved_at INTEGER NOT NULL,
  UNIQUE (template_id, version)
);

-- An enterprise's authorisation of a template, and the custom app (代开发应用) it created.
-- At most one active authorisation per template and enterprise.
CREATE TABLE cd_custom_apps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  template_id INTEGER NOT NULL REFERENCES cd_templates (id),
  provider_org_id INTEGER NOT NULL REFERENCES orgs (id),
  enterprise_org_id INTEGER NOT NULL REFERENCES orgs (id),
  app_id INTEGER REFERENCES apps (id) ON DELETE SET NULL,
  status TEXT NOT NULL,
  name TEXT NOT NULL,
  intro TEXT NOT NULL,
  logo_key TEXT NOT NULL,
  homepage_url TEXT NOT NULL DEFAULT '',
  trusted_domain TEXT NOT NULL DEFAULT '',
  domain_token TEXT NOT NULL,
  domain_verified_at INTEGER,
  ip_allow_list TEXT NOT NULL DEFAULT '',
  callback_url TEXT NOT NULL DEFAULT '',
  configured_at INTEGER,
  live_at INTEGER,
  authorised_by INTEGER NOT NULL REFERENCES users (id),
  authorised_at INTEGER NOT NULL,
  cancelled_by INTEGER REFERENCES users (id),
  cancelled_at INTEGER,
  cancel_outcome TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX cd_custom_apps_one_active ON cd_custom_apps (template_id, enterprise_org_id)
  WHERE status = 'active';
CREATE INDEX cd_custom_apps_enterprise ON cd_custom_apps (enterprise_org_id, id);
CREATE INDEX cd_custom_apps_template ON cd_custom_apps (template_id, id);

-- Go-live review tickets (上线审核单): of a template version or of a custom app.
-- in_review -> ready (待上线) -> live, or rejected with a reason.
CREATE TABLE cd_reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_org_id INTEGER NOT NULL REFERENCES orgs (id),
  subject TEXT NOT NULL,
  template_id INTEGER NOT NULL REFERENCES cd_templates (id),
  version_id INTEGER REFERENCES cd_template_versions (id),
  custom_app_id INTEGER REFERENCES cd_custom_apps (id),
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  submitted_by INTEGER NOT NULL REFERENCES users (id),
  submitted_at INTEGER NOT NULL,
  reviewed_by INTEGER REFERENCES users (id),
  reviewed_at INTEGER,
  live_at INTEGER
);
CREATE INDEX cd_reviews_provider ON cd_reviews (provider_org_id, id);
CREATE INDEX cd_reviews_queue ON cd_reviews (state, id);
-- One open ticket per template version and per custom app.
CREATE UNIQUE INDEX cd_reviews_one_open_version ON cd_reviews (version_id)
  WHERE state IN ('in_review', 'ready');
CREATE UNIQUE INDEX cd_reviews_one_open_app ON cd_reviews (custom_app_id)
  WHERE state IN ('in_review', 'ready');

-- Batch authorisation (批量授权): 2-9 live templates behind one link, valid 10 days.
CREATE TABLE cd_batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_org_id INTEGER NOT NULL REFERENCES orgs (id),
  token TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users (id),
  created_at INTEGER NOT NULL
);
CREATE TABLE cd_batch_templates (
  batch_id INTEGER NOT NULL REFERENCES cd_batches (id),
  template_id INTEGER NOT NULL REFERENCES cd_templates (id),
  PRIMARY KEY (batch_id, template_id)
);

-- A test organisation (测试企业) a provider created for itself.
ALTER TABLE orgs ADD COLUMN test_of_provider INTEGER REFERENCES orgs (id);

-- An app's homepage (应用主页): the workbench tile links to it when set.
ALTER TABLE apps ADD COLUMN homepage_url TEXT NOT NULL DEFAULT '';
