-- Training runs: parameters, the label snapshot they trained on, per-epoch metrics and every
-- selection round's subset. A run that stops without finishing keeps status 'running' (killed)
-- or 'cancelled' and can be resumed from its checkpoint file.
CREATE TABLE runs (
    id                 INTEGER PRIMARY KEY,
    created_at         TEXT NOT NULL,
    finished_at        TEXT,
    status             TEXT NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'cancelled', 'failed', 'finished')),
    strategy           TEXT NOT NULL,      -- full, random, glister
    fraction           REAL NOT NULL,
    epochs             INTEGER NOT NULL,
    parameters         TEXT NOT NULL,      -- every option, as JSON
    snapshot_hash      TEXT NOT NULL,      -- SHA-256 of the (item, class, split) snapshot
    train_items        INTEGER NOT NULL,
    val_items          INTEGER NOT NULL,
    test_items         INTEGER NOT NULL,
    warnings           TEXT NOT NULL DEFAULT '',
    error              TEXT NOT NULL DEFAULT '',
    completed_epochs   INTEGER NOT NULL DEFAULT 0   -- epochs covered by the checkpoint
);

-- The label snapshot of a run: position is the row in the run's tensor cache.
CREATE TABLE run_items (
    run_id    INTEGER NOT NULL REFERENCES runs (id),
    position  INTEGER NOT NULL,
    item_id   INTEGER NOT NULL REFERENCES items (id),
    class_id  INTEGER NOT NULL REFERENCES classes (id),
    split     TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;

CREATE TABLE run_epochs (
    run_id             INTEGER NOT NULL REFERENCES runs (id),
    epoch              INTEGER NOT NULL,   -- from 1
    train_loss         REAL,
    train_accuracy     REAL,
    val_loss           REAL,
    val_accuracy       REAL,
    test_accuracy      REAL,               -- NULL on epochs the test set was not evaluated
    epoch_seconds      REAL NOT NULL,      -- training plus selection, as CORDS counts it
    selection_seconds  REAL NOT NULL,
    subset_size        INTEGER NOT NULL,
    learning_rate      REAL NOT NULL,
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

-- One row per chosen item per selection round (round 0 is the initial random subset).
CREATE TABLE run_selections (
    run_id    INTEGER NOT NULL REFERENCES runs (id),
    round     INTEGER NOT NULL,
    epoch     INTEGER NOT NULL,            -- the first epoch that trained on it, from 1
    position  INTEGER NOT NULL,            -- order of the pick
    item_id   INTEGER NOT NULL REFERENCES items (id),
    weight    REAL NOT NULL,
    PRIMARY KEY (run_id, round, position)
) WITHOUT ROWID;
