-- The fill form carries a one-time key: a double submit (two clicks, a retried post)
-- files one submission.
ALTER TABLE submissions ADD COLUMN idem TEXT;
CREATE UNIQUE INDEX submissions_idem ON submissions (submitter_id, idem);
