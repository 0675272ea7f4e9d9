-- How a member organisation's membership ended: it left by itself, or the space admin
-- removed it (取消关联), by whom and when. One row per ending; the latest is shown.
CREATE TABLE space_org_exits (
  id BIGSERIAL PRIMARY KEY,
  space_org_id BIGINT NOT NULL REFERENCES space_orgs (id),
  how TEXT NOT NULL CHECK (how IN ('left', 'removed')),
  by_user_id BIGINT NOT NULL REFERENCES users (id),
  at BIGINT NOT NULL
);
CREATE INDEX space_org_exits_row ON space_org_exits (space_org_id, id);
