DROP TRIGGER projects_counted ON projects;
DROP FUNCTION project_status_counts_keep();
DROP TABLE project_status_counts;
DROP TRIGGER notifications_unread ON notifications;
DROP FUNCTION unread_counts_keep();
DROP TABLE unread_counts;
