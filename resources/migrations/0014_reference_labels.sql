-- Labels known apart from the answers (a demo's ground truth, a gold set): they score the
-- annotators, but never label an image, count as an answer, enter a consolidation or reach an
-- annotator's screen (team annotators are not granted this table).
CREATE TABLE reference_labels (
    item_id   INTEGER PRIMARY KEY REFERENCES items (id),
    class_id  INTEGER NOT NULL REFERENCES classes (id),
    source    TEXT NOT NULL
);
