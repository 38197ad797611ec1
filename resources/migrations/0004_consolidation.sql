-- Consolidation runs and their results, review decisions, and per-item overlap overrides.
CREATE TABLE consolidations (
    id              INTEGER PRIMARY KEY,
    method          TEXT NOT NULL,
    parameters      TEXT NOT NULL DEFAULT '{}',
    class_ids       TEXT NOT NULL,  -- JSON array: the class order of posteriors and matrices
    created_at      TEXT NOT NULL,
    items           INTEGER NOT NULL,
    answers         INTEGER NOT NULL,
    iterations      INTEGER NOT NULL,
    log_likelihood  REAL
);

CREATE TABLE consolidated_labels (
    consolidation_id  INTEGER NOT NULL REFERENCES consolidations (id),
    item_id           INTEGER NOT NULL REFERENCES items (id),
    class_id          INTEGER NOT NULL REFERENCES classes (id),
    confidence        REAL NOT NULL,
    answers           INTEGER NOT NULL,
    posterior         BLOB NOT NULL,  -- float32 per class, in class_ids order
    PRIMARY KEY (consolidation_id, item_id)
) WITHOUT ROWID;
CREATE INDEX consolidated_by_confidence ON consolidated_labels (consolidation_id, confidence);

-- The newest consolidation of each method: what "the other methods say".
CREATE VIEW latest_consolidations AS
    SELECT MAX(id) AS id, method FROM consolidations GROUP BY method;

CREATE TABLE annotator_estimates (
    consolidation_id  INTEGER NOT NULL REFERENCES consolidations (id),
    annotator_id      INTEGER NOT NULL REFERENCES annotators (id),
    answers           INTEGER NOT NULL,
    accuracy          REAL NOT NULL,
    agreement         REAL NOT NULL,
    confusion         BLOB NOT NULL,  -- float64, classes x classes, row = true class
    PRIMARY KEY (consolidation_id, annotator_id)
) WITHOUT ROWID;

-- A reviewer's decision on an item; the latest one wins over any method.
CREATE TABLE reviews (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES items (id),
    reviewer_id       INTEGER NOT NULL REFERENCES annotators (id),
    decision          TEXT NOT NULL CHECK (decision IN ('accept', 'override', 'more')),
    class_id          INTEGER REFERENCES classes (id),
    note              TEXT NOT NULL DEFAULT '',
    consolidation_id  INTEGER REFERENCES consolidations (id),
    created_at        TEXT NOT NULL
);
CREATE INDEX reviews_by_item ON reviews (item_id, id);

-- Items sent back for more answers want more than the project's overlap.
CREATE TABLE item_overlap (
    item_id  INTEGER PRIMARY KEY REFERENCES items (id),
    wanted   INTEGER NOT NULL
);
