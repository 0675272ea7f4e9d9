DROP TABLE cd_deliveries;
ALTER TABLE cd_custom_apps DROP COLUMN callback_token;
ALTER TABLE cd_templates DROP COLUMN callback_token;
DROP TABLE jobs;
