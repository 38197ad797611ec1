-- Classes, items, annotators and their answers: the ground every later table refers to.
CREATE TABLE classes (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    color       TEXT NOT NULL DEFAULT '',
    shortcut    TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('folder', 'idx')),
    source      TEXT NOT NULL,
    split       TEXT,
    created_at  TEXT NOT NULL,
    imported    INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL UNIQUE,
    content_hash  BLOB NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    channels      INTEGER NOT NULL,
    split         TEXT NOT NULL DEFAULT 'unassigned'
                  CHECK (split IN ('train', 'val', 'test', 'unassigned')),
    batch_id      INTEGER NOT NULL REFERENCES import_batches (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX items_by_split ON items (split, id);
CREATE INDEX items_by_batch ON items (batch_id, id);
CREATE INDEX items_by_content_hash ON items (content_hash);

CREATE TABLE annotators (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL DEFAULT 'human' CHECK (kind IN ('human', 'import', 'simulated')),
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

-- Append-only: a changed answer is a new row; nothing here is ever updated or deleted.
CREATE TABLE answers (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items (id),
    annotator_id  INTEGER NOT NULL REFERENCES annotators (id),
    class_id      INTEGER NOT NULL REFERENCES classes (id),
    created_at    TEXT NOT NULL,
    duration_ms   INTEGER
);
CREATE INDEX answers_by_item ON answers (item_id);
CREATE INDEX answers_by_annotator ON answers (annotator_id, item_id);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
