-- Training takes the labels of the consolidation the user marked current, never simply the
-- newest one: running another method to compare must not change what the next run learns.
-- A project upgraded from version 7 keeps training on what it trained on: its newest
-- consolidation is marked current.
ALTER TABLE consolidations ADD COLUMN is_current INTEGER NOT NULL DEFAULT 0;
UPDATE consolidations SET is_current = 1 WHERE id = (SELECT MAX(id) FROM consolidations);
CREATE UNIQUE INDEX one_current_consolidation ON consolidations (is_current) WHERE is_current = 1;
