ALTER TABLE apps DROP COLUMN homepage_url;
ALTER TABLE orgs DROP COLUMN test_of_provider;
DROP TABLE cd_batch_templates;
DROP TABLE cd_batches;
DROP TABLE cd_reviews;
DROP TABLE cd_custom_apps;
DROP TABLE cd_template_versions;
DROP TABLE cd_templates;
DROP TABLE cd_catalogue;
