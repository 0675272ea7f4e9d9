ALTER TABLE project_events DROP COLUMN order_id;
