-- An event of one purchase (order) on its project's timeline: a customer's copy shows
-- the project's own events and its order's, not another purchase's.
ALTER TABLE project_events ADD COLUMN order_id BIGINT REFERENCES orders (id);
