-- The order centre's status tabs probe each order's lines by status.
CREATE INDEX order_apps_order_status ON order_apps (order_id, send_status);
