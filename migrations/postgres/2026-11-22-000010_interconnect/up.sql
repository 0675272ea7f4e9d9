-- Upstream/downstream interconnection (seed 004): spaces, member organisations and the
-- people they link, visibility, the space's own directory groups, collaboration groups,
-- apps published downstream and the upstream organisation's licence (seat) pool.

-- Operator overrides of the seed's limits ("contact us to expand"); NULL = the default
-- for the organisation's certification (see interconnect::limits).
ALTER TABLE orgs ADD COLUMN ic_max_spaces INTEGER;
ALTER TABLE orgs ADD COLUMN ic_max_joined INTEGER;
ALTER TABLE orgs ADD COLUMN ic_max_people INTEGER;
ALTER TABLE orgs ADD COLUMN ic_max_orgs INTEGER;
-- Licence seats bought with the edition; NULL = the edition's default (exclusive 3000).
ALTER TABLE orgs ADD COLUMN seat_pool INTEGER;
-- For the true-up report (seat holders who have not signed in for N days).
ALTER TABLE users ADD COLUMN last_login_at BIGINT;
-- The organisation the submitter acted in (a downstream member submits into the
-- upstream app: org_id stays the app's organisation).
ALTER TABLE submissions ADD COLUMN submitter_org_id BIGINT REFERENCES orgs (id);
UPDATE submissions SET submitter_org_id = org_id;
CREATE INDEX submissions_page_submitter_org ON submissions (page_id, submitter_org_id, id);

CREATE TABLE spaces (
  id BIGSERIAL PRIMARY KEY,
  owner_org_id BIGINT NOT NULL REFERENCES orgs (id),
  -- 'partner' = 上下游组织 (exclusive edition), 'hierarchy' = 上下级组织 (professional+).
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  invite_token TEXT NOT NULL UNIQUE,
  -- Batch-invitation API key (sha256 hex of the key; the key is shown once).
  api_key_hash TEXT,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX spaces_owner ON spaces (owner_org_id, id);

-- One row per (space, organisation), the owner included (role 'owner'). A join request is
-- the row in status 'pending'; re-applying after a rejection or leaving reuses the row.
CREATE TABLE space_orgs (
  id BIGSERIAL PRIMARY KEY,
  space_id BIGINT NOT NULL REFERENCES spaces (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  role TEXT NOT NULL,            -- 'owner' | 'member'
  status TEXT NOT NULL,          -- 'invited' | 'pending' | 'joined' | 'rejected' | 'left'
  scope_kind TEXT NOT NULL,      -- 'all' | 'departments' | 'people'
  group_id BIGINT,               -- the space's own directory group (space_groups)
  applied_by BIGINT REFERENCES users (id),
  applied_at BIGINT,
  reviewed_by BIGINT REFERENCES users (id),
  reviewed_at BIGINT,
  reason TEXT NOT NULL DEFAULT '',
  joined_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (space_id, org_id)
);
CREATE INDEX space_orgs_org ON space_orgs (org_id, status);
CREATE INDEX space_orgs_space ON space_orgs (space_id, status, id);

-- What a member organisation links when scope_kind is 'departments' (ref = department id,
-- sub-departments included) or 'people' (ref = user id).
CREATE TABLE space_scope (
  space_org_id BIGINT NOT NULL REFERENCES space_orgs (id),
  kind TEXT NOT NULL,            -- 'department' | 'user'
  ref_id BIGINT NOT NULL,
  PRIMARY KEY (space_org_id, kind, ref_id)
);

-- Which other member organisations a member organisation may see (beyond itself).
CREATE TABLE space_visibility (
  space_id BIGINT NOT NULL REFERENCES spaces (id),
  viewer_org_id BIGINT NOT NULL REFERENCES orgs (id),
  visible_org_id BIGINT NOT NULL REFERENCES orgs (id),
  PRIMARY KEY (space_id, viewer_org_id, visible_org_id)
);

-- The space's own directory (部门或目录) that member organisations are arranged into.
CREATE TABLE space_groups (
  id BIGSERIAL PRIMARY KEY,
  space_id BIGINT NOT NULL REFERENCES spaces (id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (space_id, name)
);

CREATE TABLE collab_groups (
  id BIGSERIAL PRIMARY KEY,
  space_id BIGINT NOT NULL REFERENCES spaces (id),
  name TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX collab_groups_space ON collab_groups (space_id, id);

CREATE TABLE collab_members (
  group_id BIGINT NOT NULL REFERENCES collab_groups (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  added_at BIGINT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX collab_members_user ON collab_members (user_id);

CREATE TABLE collab_messages (
  id BIGSERIAL PRIMARY KEY,
  group_id BIGINT NOT NULL REFERENCES collab_groups (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX collab_messages_group ON collab_messages (group_id, id);

-- An upstream app published to the workbench of all (all_orgs) or chosen member orgs.
CREATE TABLE space_apps (
  id BIGSERIAL PRIMARY KEY,
  space_id BIGINT NOT NULL REFERENCES spaces (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  all_orgs BOOLEAN NOT NULL,
  published_by BIGINT NOT NULL REFERENCES users (id),
  published_at BIGINT NOT NULL,
  UNIQUE (space_id, app_id)
);
CREATE INDEX space_apps_app ON space_apps (app_id);

CREATE TABLE space_app_targets (
  space_app_id BIGINT NOT NULL REFERENCES space_apps (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  PRIMARY KEY (space_app_id, org_id)
);
CREATE INDEX space_app_targets_org ON space_app_targets (org_id);

-- A seat of the pool owner's licence held by a person of a member organisation.
CREATE TABLE seats (
  id BIGSERIAL PRIMARY KEY,
  pool_org_id BIGINT NOT NULL REFERENCES orgs (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  automatic BOOLEAN NOT NULL DEFAULT FALSE,
  granted_by BIGINT REFERENCES users (id),
  granted_at BIGINT NOT NULL,
  UNIQUE (pool_org_id, org_id, user_id)
);
CREATE INDEX seats_pool ON seats (pool_org_id, org_id, id);
CREATE INDEX seats_user ON seats (user_id);

-- Member departments whose people receive a seat automatically when they join.
CREATE TABLE seat_auto_departments (
  pool_org_id BIGINT NOT NULL REFERENCES orgs (id),
  department_id BIGINT NOT NULL REFERENCES departments (id),
  PRIMARY KEY (pool_org_id, department_id)
);

-- Usage alerts already sent (80 / 90 / 100 %); cleared when use falls below again.
CREATE TABLE seat_alerts (
  pool_org_id BIGINT NOT NULL REFERENCES orgs (id),
  threshold INTEGER NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (pool_org_id, threshold)
);
