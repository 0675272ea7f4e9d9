-- The grey release's operator actions on a product (cohort chosen, started, thresholds
-- adjusted, paused, resumed, rolled back), each with who, when and why: the product's
-- audit trail, shown on its gate page and in its evidence pack.
CREATE TABLE ac_events (
  id BIGSERIAL PRIMARY KEY,
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  by_user BIGINT NOT NULL REFERENCES users (id),
  at BIGINT NOT NULL
);
CREATE INDEX ac_events_product ON ac_events (product_id, id);
