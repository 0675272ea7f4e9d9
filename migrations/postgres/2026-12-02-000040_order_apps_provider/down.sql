DROP INDEX order_apps_provider_status;
ALTER TABLE order_apps DROP COLUMN provider_org_id;
