-- A member's use of an app (opening its pages, submitting), once per person, using
-- organisation, app and day in China Standard Time. Written off the request path; a
-- custom app's provider hears of the first use of the day, and the app centre's
-- co-creation figures count from it.
CREATE TABLE app_uses (
  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  org_id INTEGER NOT NULL REFERENCES orgs (id),
  user_id INTEGER NOT NULL REFERENCES users (id),
  day INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app_id, day, org_id, user_id)
);
