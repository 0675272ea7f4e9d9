-- The operator's list of reviewed projects, latest decision first (keyset on
-- reviewed_at, id).
CREATE INDEX projects_reviewed ON projects (reviewed_at, id);
