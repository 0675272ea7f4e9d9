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

CREATE FUNCTION unread_counts_keep() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.read THEN
    UPDATE unread_counts SET n = n - 1 WHERE user_id = OLD.user_id AND org_id = OLD.org_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NOT NEW.read THEN
    INSERT INTO unread_counts (user_id, org_id, n) VALUES (NEW.user_id, NEW.org_id, 1)
      ON CONFLICT (user_id, org_id) DO UPDATE SET n = unread_counts.n + 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER notifications_unread AFTER INSERT OR DELETE OR UPDATE OF read, user_id, org_id
  ON notifications FOR EACH ROW EXECUTE FUNCTION unread_counts_keep();

CREATE TABLE project_status_counts (
  provider_org_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (provider_org_id, status)
);
INSERT INTO project_status_counts (provider_org_id, status, n)
  SELECT provider_org_id, status, COUNT(*) FROM projects GROUP BY provider_org_id, status;

CREATE FUNCTION project_status_counts_keep() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE project_status_counts SET n = n - 1
      WHERE provider_org_id = OLD.provider_org_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO project_status_counts (provider_org_id, status, n)
      VALUES (NEW.provider_org_id, NEW.status, 1)
      ON CONFLICT (provider_org_id, status) DO UPDATE SET n = project_status_counts.n + 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER projects_counted AFTER INSERT OR DELETE OR UPDATE OF status, provider_org_id
  ON projects FOR EACH ROW EXECUTE FUNCTION project_status_counts_keep();
