-- Runs belong to named experiments and carry a person's notes and tags (comma-separated), so a
-- project's runs can be grouped, found and compared.
ALTER TABLE runs ADD COLUMN experiment TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_by_experiment ON runs (experiment, id);
