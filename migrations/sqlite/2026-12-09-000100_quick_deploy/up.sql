-- Offline quick deploy (快速部署, seed 002 step 4.2): the operator's invitation codes, the
-- providers' applications with their deploy links, defects and complaints against them,
-- serial numbers, the organisations that deployed, their team invitation links, and the
-- per-link funnel. Every "exactly once" is a unique key.

-- 企业邀请码: single use (an application holds it, unique), bound to one provider.
CREATE TABLE qd_invite_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL UNIQUE,
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  note TEXT NOT NULL DEFAULT '',
  issued_by BIGINT NOT NULL REFERENCES users (id),
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX qd_invite_codes_provider ON qd_invite_codes (provider_org_id, id);

-- ISV线下快速部署申请表, and once approved its deploy link: a stable address
-- (/qd/{link_token}) that points at link_product_id, which the provider may re-target;
-- paused by the provider or the operator, suspended (no new deployments) by the operator.
CREATE TABLE qd_applications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  invite_code_id BIGINT NOT NULL UNIQUE REFERENCES qd_invite_codes (id),
  provider_name TEXT NOT NULL,
  product_code TEXT NOT NULL,
  reason TEXT NOT NULL,
  scenario TEXT NOT NULL,
  onsite_staff BOOLEAN NOT NULL,
  qr_sharing TEXT NOT NULL DEFAULT '',
  directory_method TEXT NOT NULL,
  verify_serials BOOLEAN NOT NULL,
  serial_source TEXT NOT NULL DEFAULT 'list',
  verify_url TEXT NOT NULL DEFAULT '',
  verify_secret TEXT NOT NULL DEFAULT '',
  callback_url TEXT NOT NULL DEFAULT '',
  icon_key TEXT NOT NULL,
  status TEXT NOT NULL,
  decision_reason TEXT NOT NULL DEFAULT '',
  submitted_by BIGINT NOT NULL REFERENCES users (id),
  submitted_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT,
  link_token TEXT UNIQUE,
  link_product_id BIGINT REFERENCES ac_products (id),
  link_paused BOOLEAN NOT NULL DEFAULT FALSE,
  link_suspended BOOLEAN NOT NULL DEFAULT FALSE,
  link_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX qd_applications_provider ON qd_applications (provider_org_id, id);
CREATE INDEX qd_applications_status ON qd_applications (status, id);

-- 标准规范: a defect the operator found in a deployed app; a minor one needs an
-- improvement plan by plan_due_at and the fix by fix_due_at.
CREATE TABLE qd_defects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id BIGINT NOT NULL REFERENCES qd_applications (id),
  severity TEXT NOT NULL,
  description TEXT NOT NULL,
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  recorded_at BIGINT NOT NULL,
  plan_due_at BIGINT NOT NULL,
  fix_due_at BIGINT NOT NULL,
  plan TEXT NOT NULL DEFAULT '',
  plan_at BIGINT,
  fix_note TEXT NOT NULL DEFAULT '',
  fixed_at BIGINT,
  closed_by BIGINT REFERENCES users (id),
  closed_at BIGINT
);
CREATE INDEX qd_defects_application ON qd_defects (application_id, id);

-- A customer's complaint about a deployed app.
CREATE TABLE qd_complaints (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id BIGINT NOT NULL REFERENCES qd_applications (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX qd_complaints_application ON qd_complaints (application_id, id);

-- 应用序列号: generated or uploaded by the provider (or recorded when its endpoint
-- accepted one); redeemed by exactly one organisation.
CREATE TABLE qd_serials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id BIGINT NOT NULL REFERENCES qd_applications (id),
  serial TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  redeemed_org_id BIGINT REFERENCES orgs (id),
  redeemed_by BIGINT REFERENCES users (id),
  redeemed_at BIGINT,
  UNIQUE (application_id, serial)
);
CREATE INDEX qd_serials_list ON qd_serials (application_id, id);

-- Every serial number typed, by whom: a number tried by several organisations is the
-- leaked-QR case.
CREATE TABLE qd_serial_tries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id BIGINT NOT NULL REFERENCES qd_applications (id),
  serial TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  accepted BOOLEAN NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX qd_serial_tries_serial ON qd_serial_tries (application_id, serial, org_id);

-- An organisation that deployed through a link: one per application and organisation.
CREATE TABLE qd_deployments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id BIGINT NOT NULL REFERENCES qd_applications (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  team_kind TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  serial TEXT,
  serial_at BIGINT,
  app_id BIGINT REFERENCES apps (id),
  authorised_by BIGINT REFERENCES users (id),
  authorised_at BIGINT,
  scoped_at BIGINT,
  started_at BIGINT,
  UNIQUE (application_id, org_id)
);
CREATE INDEX qd_deployments_list ON qd_deployments (application_id, id);
CREATE INDEX qd_deployments_org ON qd_deployments (org_id);

-- 团队邀请链接: expires, can be revoked; joins wait for approval when join_approval.
CREATE TABLE qd_team_links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  token TEXT NOT NULL UNIQUE,
  join_approval BOOLEAN NOT NULL DEFAULT TRUE,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX qd_team_links_org ON qd_team_links (org_id, id);

CREATE TABLE qd_team_joins (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  link_id BIGINT NOT NULL REFERENCES qd_team_links (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  status TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT,
  UNIQUE (org_id, user_id)
);
CREATE INDEX qd_team_joins_org ON qd_team_joins (org_id, status, id);

-- A member entered on the spot in a multi-person team sets a password through this.
CREATE TABLE qd_member_invites (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  token TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX qd_member_invites_org ON qd_member_invites (org_id, id);

-- Registration on the deploy pages (the only self-registration): attempts and accounts
-- per address, for the hourly caps.
CREATE TABLE qd_signups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ip TEXT NOT NULL,
  at BIGINT NOT NULL,
  user_id BIGINT REFERENCES users (id)
);
CREATE INDEX qd_signups_ip ON qd_signups (ip, at);

-- The funnel of a deploy link: each visitor counted once per step.
CREATE TABLE qd_funnel (
  application_id BIGINT NOT NULL REFERENCES qd_applications (id),
  step TEXT NOT NULL,
  visitor TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (application_id, step, visitor)
);

-- The provider's quick-deploy API key (get_auth_info), stored hashed; rotating replaces it.
CREATE TABLE qd_api_keys (
  provider_org_id BIGINT PRIMARY KEY REFERENCES orgs (id),
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
