-- Perceptual hash of the horizontally mirrored image, to find mirrored copies.
ALTER TABLE items ADD COLUMN mirrored_hash INTEGER;

-- Curation: flags computed over the project (replaced each time they are computed, per kind),
-- and exclusions from training, append-only: the latest row of an item says whether it is out.
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    kind        TEXT NOT NULL,     -- exact-duplicate, near-duplicate, leak, divergent, dark, ...
    cluster     INTEGER,           -- duplicate cluster, numbered from 1
    value       REAL,              -- what was measured (distance, confidence, brightness, ...)
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX flags_by_kind ON flags (kind, cluster, item_id);
CREATE INDEX flags_by_item ON flags (item_id);

CREATE TABLE exclusions (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    excluded    INTEGER NOT NULL CHECK (excluded IN (0, 1)),
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER REFERENCES annotators (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX exclusions_by_item ON exclusions (item_id, id);
