DROP INDEX submissions_idem;
ALTER TABLE submissions DROP COLUMN idem;
