-- The labeling queue reads items level by level (most live answers first), so that claiming the
-- next images does not sort the whole project.
CREATE INDEX item_progress_by_answers ON item_progress (answers, item_id);
