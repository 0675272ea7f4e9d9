DROP INDEX projects_reviewed;
