-- The app centre's listing over every category: open products ranked by quality, then
-- newest (keyset on (quality, id)).
CREATE INDEX ac_products_rank ON ac_products (stage, quality, id);
