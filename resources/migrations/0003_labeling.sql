-- Labeling: where each answer came from, items claimed by an annotator's queue (so that several
-- annotators working at once do not exceed the overlap wanted), and retired-at for undo history.
ALTER TABLE answers ADD COLUMN origin TEXT NOT NULL DEFAULT 'label';
-- One index serves "answers of this item" and "has this annotator answered this item"; two
-- indexes cost bulk imports half their speed.
DROP INDEX answers_by_item;
DROP INDEX answers_by_annotator;
CREATE INDEX answers_by_item_annotator ON answers (item_id, annotator_id);

-- The answers that count: not undo rows, and not undone. Every reader goes through this view.
CREATE VIEW live_answers AS
    SELECT a.* FROM answers a
    WHERE a.revokes IS NULL AND NOT EXISTS (SELECT 1 FROM answers u WHERE u.revokes = a.id);

CREATE TABLE assignments (
    item_id       INTEGER NOT NULL REFERENCES items (id),
    annotator_id  INTEGER NOT NULL REFERENCES annotators (id),
    claimed_at    INTEGER NOT NULL,  -- unix seconds
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (item_id, annotator_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_annotator ON assignments (annotator_id, expires_at);

-- Live answers per item, kept by core/store/answerlog (the only writer of answers), so a queue
-- does not count a million answers to find which items still need some.
CREATE TABLE item_progress (
    item_id  INTEGER PRIMARY KEY REFERENCES items (id),
    answers  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO item_progress (item_id, answers)
    SELECT item_id, COUNT(*) FROM live_answers GROUP BY item_id;
