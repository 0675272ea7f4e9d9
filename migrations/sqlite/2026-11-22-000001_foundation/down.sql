DROP TABLE notifications; DROP TABLE approval_tasks; DROP TABLE submissions; DROP TABLE attachments;
DROP TABLE components; DROP TABLE automations; DROP TABLE notification_templates; DROP TABLE connectors;
DROP TABLE approval_steps; DROP TABLE fields; DROP TABLE pages; DROP TABLE app_admins; DROP TABLE apps;
DROP TABLE memberships; DROP TABLE departments; DROP TABLE sessions; DROP TABLE ip_login_failures;
DROP TABLE users; DROP TABLE orgs;
