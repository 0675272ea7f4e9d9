-- The order centre's weekly chart counts a provider's orders of the last weeks by an
-- index range (no table rows read).
CREATE INDEX orders_provider_created ON orders (provider_org_id, created_at);

-- Seats held per member organisation and day (China Standard Time day number): the
-- count after the day's last grant or release, written in the same transaction. Days
-- without a change have no row; the chart carries the previous value forward.
CREATE TABLE seat_usage_days (
  pool_org_id BIGINT NOT NULL REFERENCES orgs (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  day BIGINT NOT NULL,
  used BIGINT NOT NULL,
  PRIMARY KEY (pool_org_id, org_id, day)
);

-- History starts today with the seats held now.
INSERT INTO seat_usage_days (pool_org_id, org_id, day, used)
SELECT pool_org_id, org_id, (CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) + 28800) / 86400, COUNT(*)
FROM seats GROUP BY pool_org_id, org_id;
