-- Counts every page would otherwise count again: a user's unread notifications per
-- organisation (the badge on every page) and a provider's projects per status (the
-- project list's tabs). Kept by triggers, so that every write path (the portal's, the
-- seeders', a fixture's SQL) keeps them, and read as one row or five.

CREATE TABLE unread_counts (
  user_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, org_id)
);
INSERT INTO unread_counts (user_id, org_id, n)
  SELECT user_id, org_id, COUNT(*) FROM notifications WHERE NOT read GROUP BY user_id, org_id;

CREATE TRIGGER notifications_unread_insert AFTER INSERT ON notifications WHEN NOT NEW.read
BEGIN
  INSERT OR IGNORE INTO unread_counts (user_id, org_id, n) VALUES (NEW.user_id, NEW.org_id, 0);
  UPDATE unread_counts SET n = n + 1 WHERE user_id = NEW.user_id AND org_id = NEW.org_id;
END;
CREATE TRIGGER notifications_unread_delete AFTER DELETE ON notifications WHEN NOT OLD.read
BEGIN
  UPDATE unread_counts SET n = n - 1 WHERE user_id = OLD.user_id AND org_id = OLD.org_id;
END;
CREATE TRIGGER notifications_unread_update AFTER UPDATE OF read, user_id, org_id ON notifications
BEGIN
  UPDATE unread_counts SET n = n - 1
    WHERE NOT OLD.read AND user_id = OLD.user_id AND org_id = OLD.org_id;
  INSERT OR IGNORE INTO unread_counts (user_id, org_id, n)
    SELECT NEW.user_id, NEW.org_id, 0 WHERE NOT NEW.read;
  UPDATE unread_counts SET n = n + 1
    WHERE NOT NEW.read AND user_id = NEW.user_id AND org_id = NEW.org_id;
END;

CREATE TABLE project_status_counts (
  provider_org_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (provider_org_id, status)
);
INSERT INTO project_status_counts (provider_org_id, status, n)
  SELECT provider_org_id, status, COUNT(*) FROM projects GROUP BY provider_org_id, status;

CREATE TRIGGER projects_counted_insert AFTER INSERT ON projects
BEGIN
  INSERT OR IGNORE INTO project_status_counts (provider_org_id, status, n)
    VALUES (NEW.provider_org_id, NEW.status, 0);
  UPDATE project_status_counts SET n = n + 1
    WHERE provider_org_id = NEW.provider_org_id AND status = NEW.status;
END;
CREATE TRIGGER projects_counted_delete AFTER DELETE ON projects
BEGIN
  UPDATE project_status_counts SET n = n - 1
    WHERE provider_org_id = OLD.provider_org_id AND status = OLD.status;
END;
CREATE TRIGGER projects_counted_update AFTER UPDATE OF status, provider_org_id ON projects
BEGIN
  UPDATE project_status_counts SET n = n - 1
    WHERE provider_org_id = OLD.provider_org_id AND status = OLD.status;
  INSERT OR IGNORE INTO project_status_counts (provider_org_id, status, n)
    VALUES (NEW.provider_org_id, NEW.status, 0);
  UPDATE project_status_counts SET n = n + 1
    WHERE provider_org_id = NEW.provider_org_id AND status = NEW.status;
END;
