-- Seats the upstream organisation buys itself (seed 004: licence统一由主干组织购买与分配).
-- The form carries a one-time key: a double submit or concurrent posts file one order.
CREATE TABLE seat_orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_no TEXT NOT NULL UNIQUE,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  quantity BIGINT NOT NULL,
  term_months INTEGER NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL REFERENCES users (id),
  idem TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (org_id, idem)
);
CREATE INDEX seat_orders_org ON seat_orders (org_id, id);
CREATE INDEX seat_orders_ends ON seat_orders (org_id, ends_at);

-- The named contact (对接人) of an organisation in a space; NULL means the default: the
-- space's creator for the owner, the applicant for a member organisation.
ALTER TABLE space_orgs ADD COLUMN contact_id BIGINT REFERENCES users (id);

-- A contact or space admin who left their organisation (removed or disabled), until the
-- organisation's admin names a successor (seed 004 核心效果: 对接人离职第一时间知道，第一时间有交接).
CREATE TABLE contact_departures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  reason TEXT NOT NULL,
  left_at BIGINT NOT NULL,
  successor_id BIGINT REFERENCES users (id),
  resolved_by BIGINT REFERENCES users (id),
  resolved_at BIGINT
);
CREATE INDEX contact_departures_org ON contact_departures (org_id, id);
CREATE UNIQUE INDEX contact_departures_open ON contact_departures (org_id, user_id)
  WHERE resolved_at IS NULL;
-- What the departed person held: the spaces ('space') and collaboration groups ('group').
CREATE TABLE departure_items (
  departure_id BIGINT NOT NULL REFERENCES contact_departures (id),
  kind TEXT NOT NULL,
  ref_id BIGINT NOT NULL,
  PRIMARY KEY (departure_id, kind, ref_id)
);
