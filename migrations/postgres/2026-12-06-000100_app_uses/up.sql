-- A member's use of an app (opening its pages, submitting), once per person, using
-- organisation, app and day in China Standard Time. Written off the request path; a
-- custom app's provider hears of the first use of the day, and the app centre's
-- co-creation figures count from it.
CREATE TABLE app_uses (
  app_id BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  day BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, day, org_id, user_id)
);
