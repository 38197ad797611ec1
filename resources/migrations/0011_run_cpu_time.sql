-- The processor time each epoch cost (all threads of the training process, image decoding and
-- evaluation included), so a run's cost can be estimated at a price per core-hour. NULL for
-- epochs trained before it was recorded.
ALTER TABLE run_epochs ADD COLUMN cpu_seconds REAL;
