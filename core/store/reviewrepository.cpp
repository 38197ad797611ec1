#include "core/store/reviewrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

#include <algorithm>
#include <limits>

namespace winnow::core {
namespace {

constexpr auto kSelectQueue =
    "SELECT l.item_id, i.path, l.class_id, l.confidence, l.answers, l.posterior,"
    " (SELECT r.decision FROM reviews r WHERE r.item_id = l.item_id ORDER BY r.id DESC LIMIT 1)"
    " FROM consolidated_labels l JOIN items i ON i.id = l.item_id"
    " WHERE l.consolidation_id = ?1 AND l.confidence >= ?2 AND l.confidence <= ?3"
    " AND (CAST(?4 AS BIGINT) IS NULL OR l.class_id = ?4)"
    " AND (?5 = 0 OR EXISTS (SELECT 1 FROM consolidated_labels o WHERE o.item_id = l.item_id"
    "   AND o.class_id <> l.class_id AND o.consolidation_id IN (SELECT id FROM"
    "   latest_consolidations WHERE method <> (SELECT method FROM consolidations WHERE id = ?1))))"
    " AND (?7 = 0 OR EXISTS (SELECT 1 FROM flags f WHERE f.item_id = l.item_id"
    "   AND f.kind = 'label-error'))"
    // Filtered to the model's disagreements, the likeliest label error comes first.
    " ORDER BY CASE WHEN ?7 = 0 THEN 0 ELSE -COALESCE((SELECT MAX(f.value) FROM flags f"
    "   WHERE f.item_id = l.item_id AND f.kind = 'label-error'), 0) END,"
    " l.confidence, l.item_id LIMIT ?6";
constexpr auto kSelectItemAnswers =
    "SELECT n.name, c.name, e.accuracy FROM live_answers a"
    " JOIN annotators n ON n.id = a.annotator_id JOIN classes c ON c.id = a.class_id"
    " LEFT JOIN annotator_estimates e ON e.annotator_id = a.annotator_id"
    "  AND e.consolidation_id = ?2"
    " WHERE a.item_id = ?1 ORDER BY a.id";
constexpr auto kSelectOtherOpinions =
    "SELECT c.method, k.name, l.confidence FROM consolidated_labels l"
    " JOIN consolidations c ON c.id = l.consolidation_id JOIN classes k ON k.id = l.class_id"
    " WHERE l.item_id = ?1 AND l.consolidation_id IN (SELECT id FROM latest_consolidations"
    "  WHERE method <> (SELECT method FROM consolidations WHERE id = ?2))"
    " ORDER BY c.method";
constexpr auto kSelectConsolidatedClass =
    "SELECT class_id FROM consolidated_labels WHERE consolidation_id = ? AND item_id = ?";
constexpr auto kInsertReview =
    "INSERT INTO reviews (item_id, reviewer_id, decision, class_id, note, consolidation_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr auto kSelectLiveCount =
    "SELECT COALESCE((SELECT answers FROM item_progress WHERE item_id = ?), 0)";
constexpr auto kRaiseOverlap =
    "INSERT INTO item_overlap (item_id, wanted) VALUES (?1, ?2)"
    " ON CONFLICT (item_id) DO UPDATE SET wanted ="
    " CASE WHEN excluded.wanted > item_overlap.wanted THEN excluded.wanted"
    " ELSE item_overlap.wanted END";
constexpr auto kSelectReviewedLabels =
    "SELECT l.item_id, k.name, l.confidence, l.answers, r.decision, rk.name, r.created_at"
    " FROM consolidated_labels l JOIN classes k ON k.id = l.class_id"
    " LEFT JOIN reviews r ON r.id = (SELECT MAX(id) FROM reviews"
    "  WHERE item_id = l.item_id AND decision <> 'more')"
    " LEFT JOIN classes rk ON rk.id = r.class_id"
    " WHERE l.consolidation_id = ? ORDER BY l.item_id";

} // namespace

ReviewRepository::ReviewRepository(Project &project)
    : m_project(project)
    , m_db(databaseOf(project)) {
}

std::vector<QueueRow> ReviewRepository::queue(qint64 consolidationId, const QueueQuery &q) {
    std::vector<QueueRow> rows;
    Statement query(m_db, kSelectQueue);
    query.bind(1, consolidationId).bind(2, q.minConfidence).bind(3, q.maxConfidence);
    if (q.classId)
        query.bind(4, *q.classId);
    else
        query.bindNull(4);
    query.bind(5, qint64(q.disagreementOnly))
        .bind(6, q.limit < 0 ? std::numeric_limits<qint64>::max() : qint64(q.limit))
        .bind(7, qint64(q.modelDisagreesOnly));
    while (query.step())
        rows.push_back({query.int64(0), m_project.absolutePath(query.text(1)), query.int64(2),
                        query.real(3), int(query.int64(4)), query.blob(5), query.text(6)});
    return rows;
}

std::vector<AnswerView> ReviewRepository::itemAnswers(qint64 itemId, qint64 consolidationId) {
    std::vector<AnswerView> answers;
    Statement query(m_db, kSelectItemAnswers);
    query.bind(1, itemId).bind(2, consolidationId);
    while (query.step())
        answers.push_back({query.text(0), query.text(1),
                           query.isNull(2) ? std::nullopt : std::optional(query.real(2))});
    return answers;
}

std::vector<OtherOpinion> ReviewRepository::otherOpinions(qint64 itemId, qint64 consolidationId) {
    std::vector<OtherOpinion> opinions;
    Statement query(m_db, kSelectOtherOpinions);
    query.bind(1, itemId).bind(2, consolidationId);
    while (query.step())
        opinions.push_back({query.text(0), query.text(1), query.real(2)});
    return opinions;
}

void ReviewRepository::record(qint64 itemId, qint64 reviewerId, ReviewDecision decision,
                              std::optional<qint64> classId, const QString &note,
                              qint64 consolidationId, int wanted) {
    Transaction transaction(m_db);
    if (decision == ReviewDecision::Accept) {
        // Pin the class the reviewer saw: a later consolidation must not change it.
        Statement consolidated(m_db, kSelectConsolidatedClass);
        consolidated.bind(1, consolidationId).bind(2, itemId);
        if (!consolidated.step())
            throw StoreError(QStringLiteral("item %1 is not in consolidation %2")
                                 .arg(itemId)
                                 .arg(consolidationId));
        classId = consolidated.int64(0);
    }
    Statement insert(m_db, kInsertReview);
    insert.bind(1, itemId).bind(2, reviewerId).bind(3, reviewDecisionName(decision));
    if (classId)
        insert.bind(4, *classId);
    else
        insert.bindNull(4);
    insert.bind(5, note);
    if (consolidationId > 0) // a decision can be made before any consolidation exists
        insert.bind(6, consolidationId);
    else
        insert.bindNull(6);
    insert.bind(7, nowIso());
    insert.run();
    if (decision == ReviewDecision::More) {
        Statement live(m_db, kSelectLiveCount);
        live.bind(1, itemId);
        live.step();
        const qint64 answers = live.int64(0);
        Statement raise(m_db, kRaiseOverlap);
        raise.bind(1, itemId).bind(2, std::max<qint64>(answers, wanted) + 1);
        raise.run();
    }
    transaction.commit();
}

std::vector<ReviewedLabel> ReviewRepository::reviewedLabels(qint64 consolidationId) {
    std::vector<ReviewedLabel> rows;
    Statement query(m_db, kSelectReviewedLabels);
    query.bind(1, consolidationId);
    while (query.step()) {
        ReviewedLabel row;
        row.itemId = query.int64(0);
        row.className = query.text(1);
        row.confidence = query.real(2);
        row.answers = query.int64(3);
        if (!query.isNull(4))
            row.decision = parseReviewDecision(query.text(4));
        row.reviewedClass = query.isNull(5) ? QString() : query.text(5);
        row.reviewedAt = query.isNull(6) ? QString() : query.text(6);
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace winnow::core
