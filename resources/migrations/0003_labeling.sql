-- Labeling: where each answer came from, items claimed by an annotator's queue (so that several
-- annotators working at once do not exceed the overlap wanted), and retired-at for undo history.
ALTER TABLE answers ADD COLUMN origin TEXT NOT NULL DEFAULT 'label';
CREATE INDEX answers_by_annotator_time ON answers (annotator_id, created_at);

CREATE TABLE assignments (
    item_id       INTEGER NOT NULL REFERENCES items (id),
    annotator_id  INTEGER NOT NULL REFERENCES annotators (id),
    claimed_at    INTEGER NOT NULL,  -- unix seconds
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (item_id, annotator_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_annotator ON assignments (annotator_id, expires_at);
