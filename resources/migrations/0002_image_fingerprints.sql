-- Decoded-pixel hash and 64-bit perceptual hash per item (exact and near duplicates), small
-- thumbnails for images too large to decode on every scroll, and recorded undo of answers.
ALTER TABLE items ADD COLUMN pixel_hash BLOB;
ALTER TABLE items ADD COLUMN perceptual_hash INTEGER;
CREATE INDEX items_by_pixel_hash ON items (pixel_hash);

CREATE TABLE thumbnails (
    item_id  INTEGER PRIMARY KEY REFERENCES items (id),
    format   TEXT NOT NULL,
    data     BLOB NOT NULL
);

-- An undo is itself an answer row that revokes an earlier one.
ALTER TABLE answers ADD COLUMN revokes INTEGER REFERENCES answers (id);
CREATE INDEX answers_by_revoked ON answers (revokes) WHERE revokes IS NOT NULL;
