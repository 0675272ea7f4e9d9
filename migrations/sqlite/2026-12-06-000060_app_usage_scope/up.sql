-- An app's usage scope (使用范围): the whole organisation (every existing app), chosen
-- departments with their sub-departments, or chosen people.
ALTER TABLE apps ADD COLUMN usage_scope TEXT NOT NULL DEFAULT 'all';
CREATE TABLE app_usage_refs (
    app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ref_id INTEGER NOT NULL,
    PRIMARY KEY (app_id, kind, ref_id)
);
CREATE INDEX app_usage_refs_ref ON app_usage_refs (kind, ref_id);
