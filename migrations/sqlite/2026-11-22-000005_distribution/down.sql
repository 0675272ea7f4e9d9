DROP TABLE audit_records; DROP TABLE maintenance_grants;
ALTER TABLE apps DROP COLUMN reconfigure; ALTER TABLE apps DROP COLUMN acceptance_comment;
ALTER TABLE apps DROP COLUMN acceptance; ALTER TABLE apps DROP COLUMN full_edit;
ALTER TABLE apps DROP COLUMN auto_approve_grants; ALTER TABLE apps DROP COLUMN maintenance_open;
ALTER TABLE apps DROP COLUMN provider_org_id;
DROP TABLE part_sends; DROP TABLE order_apps; DROP TABLE orders; DROP TABLE link_events;
DROP TABLE link_apps; DROP TABLE distribution_links; DROP TABLE project_events; DROP TABLE projects;
