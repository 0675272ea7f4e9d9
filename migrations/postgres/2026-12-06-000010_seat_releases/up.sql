-- A seat released by hand (释放名额) is remembered, so that automatic grants by
-- department (伙伴智能入职) skip the person until an admin grants a seat again by hand.
CREATE TABLE seat_releases (
  pool_org_id BIGINT NOT NULL REFERENCES orgs (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  released_by BIGINT REFERENCES users (id),
  released_at BIGINT NOT NULL,
  PRIMARY KEY (pool_org_id, org_id, user_id)
);
