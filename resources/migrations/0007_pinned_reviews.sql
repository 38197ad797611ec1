-- An accepted review pins the class the reviewer saw, so a later consolidation cannot change it.
-- Reviews recorded before this migration stored only the consolidation they accepted: take the
-- class from that consolidation, which is kept.
UPDATE reviews
   SET class_id = (SELECT l.class_id FROM consolidated_labels l
                    WHERE l.consolidation_id = reviews.consolidation_id AND l.item_id = reviews.item_id)
 WHERE decision = 'accept' AND class_id IS NULL;
