-- What trained models say about the items, kept so that nothing is recomputed to look at it
-- again: a set of predicted class probabilities made by one run (plain predictions) or by the K
-- runs of a cross-fitting (each item predicted by the run that held it out).
CREATE TABLE prediction_sets (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('run', 'cross-fit')),
    runs          TEXT NOT NULL,             -- the run ids, comma-separated
    class_ids     TEXT NOT NULL,             -- the order of every probability vector
    label_source  TEXT NOT NULL DEFAULT '',  -- the labels the runs trained on
    created_at    TEXT NOT NULL
);

CREATE TABLE predictions (
    set_id          INTEGER NOT NULL REFERENCES prediction_sets (id),
    item_id         INTEGER NOT NULL REFERENCES items (id),
    run_id          INTEGER NOT NULL REFERENCES runs (id), -- whose model predicted the item
    given_class_id  INTEGER REFERENCES classes (id),       -- the label it trained with, if any
    class_id        INTEGER NOT NULL REFERENCES classes (id),
    confidence      REAL NOT NULL,
    held_out        INTEGER NOT NULL CHECK (held_out IN (0, 1)), -- that model never trained on it
    probabilities   BLOB NOT NULL,                          -- float32 per class, little-endian
    PRIMARY KEY (set_id, item_id)
) WITHOUT ROWID;
CREATE INDEX predictions_by_item ON predictions (item_id, set_id);

-- Automated labeling: each round labels the items whose confidence reaches the threshold at
-- which held-out items met the target accuracy. Machine labels are not answers: they never
-- count as a person's, and a reverted round keeps its rows with the time it was reverted.
CREATE TABLE autolabel_rounds (
    id                  INTEGER PRIMARY KEY,
    set_id              INTEGER NOT NULL REFERENCES prediction_sets (id),
    target_accuracy     REAL NOT NULL,
    threshold           REAL NOT NULL,
    estimated_accuracy  REAL NOT NULL,  -- the one-sided lower bound on held-out items
    coverage            REAL NOT NULL,  -- share of the held-out items at or above the threshold
    actor_id            INTEGER REFERENCES annotators (id),
    created_at          TEXT NOT NULL,
    reverted_at         TEXT
);

CREATE TABLE machine_labels (
    round_id    INTEGER NOT NULL REFERENCES autolabel_rounds (id),
    item_id     INTEGER NOT NULL REFERENCES items (id),
    class_id    INTEGER NOT NULL REFERENCES classes (id),
    confidence  REAL NOT NULL,
    PRIMARY KEY (round_id, item_id)
) WITHOUT ROWID;
CREATE INDEX machine_labels_by_item ON machine_labels (item_id);

-- The items a live round labels, without the class: the labeling queue skips them, and an
-- annotator may read this much without seeing what the model said.
CREATE TABLE autolabeled_items (
    item_id   INTEGER PRIMARY KEY REFERENCES items (id),
    round_id  INTEGER NOT NULL REFERENCES autolabel_rounds (id)
);

-- Active learning: the order the model asks for (least certain first, classes in turn). While it
-- holds ranks, the labeling queue takes ranked items first within each level; empty, the queue
-- keeps its seeded shuffle.
CREATE TABLE queue_priority (
    item_id  INTEGER PRIMARY KEY REFERENCES items (id),
    rank     INTEGER NOT NULL
);
