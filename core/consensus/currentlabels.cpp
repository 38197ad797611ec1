#include "core/consensus/currentlabels.h"

#include "core/store/project.h"
#include "core/store/statement.h"

namespace winnow::core {

Result<QHash<qint64, qint64>> currentLabels(Project &project) {
    return attempt([&] {
        Database &db = project.database();
        QHash<qint64, qint64> labels;
        {
            Statement answers(
                db, "SELECT a.item_id, a.class_id, COUNT(*), MIN(a.id) FROM live_answers a"
                    " GROUP BY a.item_id, a.class_id ORDER BY a.item_id, COUNT(*) DESC, MIN(a.id)");
            qint64 last = -1;
            while (answers.step()) {
                if (answers.int64(0) == last)
                    continue;
                last = answers.int64(0);
                labels.insert(last, answers.int64(1));
            }
        }
        {
            Statement consolidated(
                db, "SELECT l.item_id, l.class_id FROM consolidated_labels l"
                    " JOIN consolidations c ON c.id = l.consolidation_id WHERE c.is_current = 1"
                    " ORDER BY l.item_id");
            while (consolidated.step())
                labels.insert(consolidated.int64(0), consolidated.int64(1));
        }
        Statement reviews(db,
                          "SELECT r.item_id, r.class_id FROM reviews r WHERE r.id IN"
                          " (SELECT MAX(id) FROM reviews WHERE decision <> 'more' GROUP BY item_id)"
                          " AND r.class_id IS NOT NULL ORDER BY r.item_id");
        while (reviews.step())
            labels.insert(reviews.int64(0), reviews.int64(1));
        return labels;
    });
}

} // namespace winnow::core
