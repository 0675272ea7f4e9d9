-- Provider distribution (seeds 000, 001): projects, links, orders, sends, maintenance
-- grants and the hash-chained audit trail.
CREATE TABLE projects (
  id BIGSERIAL PRIMARY KEY,
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  creator_id BIGINT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  contract_amount_cents BIGINT NOT NULL,
  contract_file_id BIGINT NOT NULL REFERENCES attachments (id),
  customer_name TEXT NOT NULL,
  customer_corp_id TEXT NOT NULL,
  status TEXT NOT NULL,
  review_reason TEXT NOT NULL DEFAULT '',
  reviewed_by BIGINT REFERENCES users (id),
  reviewed_at BIGINT,
  closed_at BIGINT,
  closing_delivery_date TEXT NOT NULL DEFAULT '',
  closing_summary TEXT NOT NULL DEFAULT '',
  closing_acceptance TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX projects_provider ON projects (provider_org_id, id);
CREATE INDEX projects_provider_status ON projects (provider_org_id, status, id);
CREATE INDEX projects_review ON projects (status, id);

CREATE TABLE project_events (
  id BIGSERIAL PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects (id),
  actor_id BIGINT REFERENCES users (id),
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  customer_visible BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, id);

CREATE TABLE distribution_links (
  id BIGSERIAL PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects (id),
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  token TEXT NOT NULL UNIQUE,
  expires_at BIGINT,
  revoked_at BIGINT,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX distribution_links_project ON distribution_links (project_id, id);

CREATE TABLE link_apps (
  link_id BIGINT NOT NULL REFERENCES distribution_links (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  PRIMARY KEY (link_id, app_id)
);

CREATE TABLE link_events (
  id BIGSERIAL PRIMARY KEY,
  link_id BIGINT NOT NULL REFERENCES distribution_links (id),
  user_id BIGINT REFERENCES users (id),
  org_id BIGINT REFERENCES orgs (id),
  kind TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX link_events_link ON link_events (link_id, id);

CREATE TABLE orders (
  id BIGSERIAL PRIMARY KEY,
  order_no TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects (id),
  link_id BIGINT NOT NULL REFERENCES distribution_links (id),
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  customer_org_id BIGINT NOT NULL REFERENCES orgs (id),
  purchaser_id BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  UNIQUE (link_id, customer_org_id)
);
CREATE INDEX orders_provider ON orders (provider_org_id, id);
CREATE INDEX orders_project ON orders (project_id, id);
CREATE INDEX orders_customer ON orders (customer_org_id, id);

CREATE TABLE order_apps (
  id BIGSERIAL PRIMARY KEY,
  order_id BIGINT NOT NULL REFERENCES orders (id),
  source_app_id BIGINT NOT NULL REFERENCES apps (id),
  copy_app_id BIGINT REFERENCES apps (id),
  send_status TEXT NOT NULL DEFAULT 'pending',
  failure_reason TEXT NOT NULL DEFAULT '',
  with_sample BOOLEAN NOT NULL DEFAULT FALSE,
  with_connectors BOOLEAN NOT NULL DEFAULT FALSE,
  full_edit BOOLEAN NOT NULL DEFAULT FALSE,
  sent_by BIGINT REFERENCES users (id),
  sent_at BIGINT,
  UNIQUE (order_id, source_app_id)
);
CREATE INDEX order_apps_copy ON order_apps (copy_app_id);

CREATE TABLE part_sends (
  id BIGSERIAL PRIMARY KEY,
  order_app_id BIGINT NOT NULL REFERENCES order_apps (id),
  kind TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  copy_id BIGINT,
  status TEXT NOT NULL,
  failure_reason TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX part_sends_order_app ON part_sends (order_app_id, id);

-- What a delivered copy carries: who delivered it, the customer's maintenance switch,
-- acceptance, and what must be reconfigured after delivery (seed 001 appendix).
ALTER TABLE apps ADD COLUMN provider_org_id BIGINT REFERENCES orgs (id);
ALTER TABLE apps ADD COLUMN maintenance_open BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE apps ADD COLUMN auto_approve_grants BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE apps ADD COLUMN full_edit BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE apps ADD COLUMN acceptance TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN acceptance_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN reconfigure TEXT NOT NULL DEFAULT '';

CREATE TABLE maintenance_grants (
  id BIGSERIAL PRIMARY KEY,
  app_id BIGINT NOT NULL REFERENCES apps (id),
  customer_org_id BIGINT NOT NULL REFERENCES orgs (id),
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  developer_id BIGINT NOT NULL REFERENCES users (id),
  reason TEXT NOT NULL,
  duration_secs BIGINT NOT NULL,
  status TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT,
  expires_at BIGINT,
  ended_at BIGINT,
  ended_by BIGINT REFERENCES users (id)
);
CREATE INDEX maintenance_grants_app ON maintenance_grants (app_id, status, id);
CREATE INDEX maintenance_grants_developer ON maintenance_grants (developer_id, id);
CREATE INDEX maintenance_grants_customer ON maintenance_grants (customer_org_id, id);

-- Append-only and hash-chained per customer organisation: each record's hash covers the
-- previous one, and (customer_org_id, prev_hash) is unique so the chain cannot fork.
CREATE TABLE audit_records (
  id BIGSERIAL PRIMARY KEY,
  customer_org_id BIGINT NOT NULL REFERENCES orgs (id),
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  grant_id BIGINT REFERENCES maintenance_grants (id),
  actor_id BIGINT NOT NULL REFERENCES users (id),
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (customer_org_id, prev_hash)
);
CREATE INDEX audit_records_customer ON audit_records (customer_org_id, id);
CREATE INDEX audit_records_provider ON audit_records (provider_org_id, id);
