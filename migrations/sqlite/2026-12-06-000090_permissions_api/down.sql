DROP TABLE cd_access_tokens;
DROP TABLE cd_credentials;
DROP TABLE cd_permission_log;
DROP TABLE cd_permission_requests;
DROP TABLE cd_app_permissions;
