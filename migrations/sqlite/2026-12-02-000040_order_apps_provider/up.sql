-- The order centre's status tabs: an order line carries its order's provider, so that
-- "this provider's orders with a failed line, newest first" is one index range instead
-- of a probe of every order until a page is found (2% failed: 2,500 probes per page).
ALTER TABLE order_apps ADD COLUMN provider_org_id BIGINT NOT NULL DEFAULT 0;
UPDATE order_apps SET provider_org_id =
    (SELECT orders.provider_org_id FROM orders WHERE orders.id = order_apps.order_id);
CREATE INDEX order_apps_provider_status ON order_apps (provider_org_id, send_status, order_id);
