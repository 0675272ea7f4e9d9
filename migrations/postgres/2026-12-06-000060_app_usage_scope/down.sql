DROP TABLE app_usage_refs;
ALTER TABLE apps DROP COLUMN usage_scope;
