DROP TRIGGER projects_counted_update;
DROP TRIGGER projects_counted_delete;
DROP TRIGGER projects_counted_insert;
DROP TABLE project_status_counts;
DROP TRIGGER notifications_unread_update;
DROP TRIGGER notifications_unread_delete;
DROP TRIGGER notifications_unread_insert;
DROP TABLE unread_counts;
