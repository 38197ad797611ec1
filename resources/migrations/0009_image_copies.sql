-- Copies of the images themselves (longer side at most the size chosen, 1,024 pixels unless told
-- otherwise), stored in team projects so annotators whose machines cannot read the files where
-- the images were imported can still label and review them.
CREATE TABLE image_copies (
    item_id  INTEGER PRIMARY KEY REFERENCES items (id),
    format   TEXT NOT NULL,
    data     BLOB NOT NULL
);
