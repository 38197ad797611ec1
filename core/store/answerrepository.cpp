#include "core/store/answerrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

#include <QThread>
#include <algorithm>
#include <unordered_set>

namespace winnow::core {
namespace {

// ?1 annotator, ?2 now (unix s), ?3 answers wanted. Eligible: not claimed by ?1, live answers
// plus others' live claims still under the overlap wanted, and no live answer of ?1.
#define WINNOW_ELIGIBLE                                                                            \
    "WITH held AS (SELECT item_id, COUNT(*) AS n,"                                                 \
    "   MAX(CASE WHEN annotator_id = ?1 THEN 1 ELSE 0 END) AS mine FROM assignments"               \
    "   WHERE expires_at > ?2 GROUP BY item_id)"                                                   \
    " SELECT i.id, i.path, COALESCE(p.answers, 0) AS answered FROM items i"                        \
    " LEFT JOIN item_progress p ON p.item_id = i.id LEFT JOIN held h ON h.item_id = i.id"          \
    " LEFT JOIN item_overlap o ON o.item_id = i.id"                                                \
    " WHERE COALESCE(h.mine, 0) = 0"                                                               \
    " AND COALESCE(p.answers, 0) + COALESCE(h.n, 0) < COALESCE(o.wanted, ?3)"                      \
    " AND NOT EXISTS (SELECT 1 FROM live_answers a WHERE a.annotator_id = ?1"                      \
    "  AND a.item_id = i.id)"                                                                      \
    " AND NOT EXISTS (SELECT 1 FROM autolabeled_items m WHERE m.item_id = i.id)"

// The queue is read level by level, most live answers first (nearly finished items first), each
// level in a seeded shuffle: ?4 seed, ?5 how many, ?6 the level. Levels above 0 come from the
// index on item_progress, so a claim does not sort the whole project. While the model has ranked
// items (queue_priority), they come first, least certain first; the plain shuffle stays free of
// that lookup when nothing is ranked.
#define WINNOW_SHUFFLED " ORDER BY (i.id * 2654435761 + ?4) % 4294967291, i.id LIMIT ?5"
#define WINNOW_RANKED                                                                              \
    " ORDER BY COALESCE((SELECT q.rank FROM queue_priority q WHERE q.item_id = i.id),"             \
    " 9007199254740991), (i.id * 2654435761 + ?4) % 4294967291, i.id LIMIT ?5"
#define WINNOW_QUEUE_LEVEL                                                                         \
    "WITH held AS (SELECT item_id, COUNT(*) AS n,"                                                 \
    "   MAX(CASE WHEN annotator_id = ?1 THEN 1 ELSE 0 END) AS mine FROM assignments"               \
    "   WHERE expires_at > ?2 GROUP BY item_id)"                                                   \
    " SELECT i.id, i.path, p.answers FROM item_progress p JOIN items i ON i.id = p.item_id"        \
    " LEFT JOIN held h ON h.item_id = i.id LEFT JOIN item_overlap o ON o.item_id = i.id"           \
    " WHERE p.answers = ?6 AND COALESCE(h.mine, 0) = 0"                                            \
    " AND p.answers + COALESCE(h.n, 0) < COALESCE(o.wanted, ?3)"                                   \
    " AND NOT EXISTS (SELECT 1 FROM live_answers a WHERE a.annotator_id = ?1"                      \
    "  AND a.item_id = i.id)"                                                                      \
    " AND NOT EXISTS (SELECT 1 FROM autolabeled_items m WHERE m.item_id = i.id)"
constexpr auto kSelectQueueLevel = WINNOW_QUEUE_LEVEL WINNOW_SHUFFLED;
constexpr auto kSelectRankedLevel = WINNOW_QUEUE_LEVEL WINNOW_RANKED;
constexpr auto kSelectQueueUnanswered =
    WINNOW_ELIGIBLE " AND COALESCE(p.answers, 0) = 0" WINNOW_SHUFFLED;
constexpr auto kSelectRankedUnanswered =
    WINNOW_ELIGIBLE " AND COALESCE(p.answers, 0) = 0" WINNOW_RANKED;
constexpr auto kAnyRanked = "SELECT COUNT(*) FROM (SELECT 1 FROM queue_priority LIMIT 1) ranked";
constexpr auto kSelectMostWanted = "SELECT COALESCE(MAX(wanted), 0) FROM item_overlap";
constexpr auto kCountQueue = "SELECT COUNT(*) FROM (" WINNOW_ELIGIBLE ") eligible";
constexpr auto kCountMyClaims =
    "SELECT COUNT(*) FROM assignments WHERE annotator_id = ? AND expires_at > ?";
constexpr auto kUpsertClaim =
    "INSERT INTO assignments (item_id, annotator_id, claimed_at, expires_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (item_id, annotator_id) DO UPDATE SET claimed_at = excluded.claimed_at,"
    " expires_at = excluded.expires_at";
constexpr auto kDeleteClaim = "DELETE FROM assignments WHERE item_id = ? AND annotator_id = ?";
constexpr auto kDeleteAllClaims = "DELETE FROM assignments WHERE annotator_id = ?";
constexpr auto kSelectLastLive = "SELECT a.id, a.item_id, a.class_id FROM live_answers a"
                                 " WHERE a.annotator_id = ? ORDER BY a.id DESC LIMIT 1";
constexpr auto kCountLabeledSince =
    "SELECT COUNT(*) FROM live_answers a WHERE a.annotator_id = ? AND a.created_at >= ?"
    " AND a.origin IN ('label', 'bulk')";
constexpr auto kClassIsLive = "SELECT 1 FROM classes WHERE id = ? AND retired_at IS NULL";
constexpr auto kSelectLiveKeys =
    "SELECT a.item_id, a.annotator_id, a.class_id FROM live_answers a ORDER BY a.id";
constexpr auto kSelectNamedAnswers =
    "SELECT a.item_id, n.name, c.name FROM live_answers a"
    " JOIN annotators n ON n.id = a.annotator_id JOIN classes c ON c.id = a.class_id ORDER BY a.id";
constexpr auto kSelectAnswersOf = "SELECT a.item_id, a.class_id FROM live_answers a"
                                  " JOIN annotators n ON n.id = a.annotator_id"
                                  " WHERE n.name = ? ORDER BY a.item_id LIMIT ?";

constexpr auto kSelectLiveAnswerOf =
    "SELECT a.id FROM live_answers a WHERE a.annotator_id = ? AND a.item_id = ?";
constexpr auto kCountUnfinished =
    "SELECT COUNT(*) FROM items i LEFT JOIN item_progress p ON p.item_id = i.id"
    " LEFT JOIN item_overlap o ON o.item_id = i.id"
    " WHERE COALESCE(p.answers, 0) < COALESCE(o.wanted, ?1)"
    " AND NOT EXISTS (SELECT 1 FROM autolabeled_items m WHERE m.item_id = i.id)";

constexpr auto kCountLiveOfKind =
    "SELECT COUNT(*) FROM live_answers a JOIN annotators n ON n.id = a.annotator_id"
    " WHERE n.kind = ?";

constexpr size_t kRowsPerTransaction = 100000;

struct AnswerKey {
    qint64 item, annotator, cls;
    bool operator==(const AnswerKey &) const = default;
};
struct AnswerKeyHash {
    size_t operator()(const AnswerKey &k) const noexcept {
        return std::hash<qint64>()(k.item * 1000003 ^ k.annotator * 7919 ^ k.cls);
    }
};

// SQLite checks foreign keys row by row; a bulk write of ids just read from the same database
// switches the checks off for its duration (a quarter of the import time).
class ForeignKeysOff {
public:
    explicit ForeignKeysOff(Database &db)
        : m_db(db) {
        m_db.setForeignKeyChecks(false);
    }
    ~ForeignKeysOff() {
        try {
            m_db.setForeignKeyChecks(true);
        } catch (const StoreError &e) {
            qWarning("cannot switch foreign keys back on: %s", qPrintable(e.message()));
        }
    }
    ForeignKeysOff(const ForeignKeysOff &) = delete;
    ForeignKeysOff &operator=(const ForeignKeysOff &) = delete;

private:
    Database &m_db;
};

qint64 count(Statement &query) {
    query.step();
    return query.int64(0);
}

void claimItem(Database &db, qint64 itemId, qint64 annotatorId, qint64 now, qint64 until) {
    Statement upsert(db, kUpsertClaim);
    upsert.bind(1, itemId).bind(2, annotatorId).bind(3, now).bind(4, until);
    upsert.run();
}

} // namespace

AnswerRepository::AnswerRepository(Project &project)
    : m_db(databaseOf(project))
    , m_project(project) {
}

std::vector<ClaimedItem> AnswerRepository::claim(qint64 annotatorId, qint64 now,
                                                 qint64 claimSeconds, int wanted, qint64 seed,
                                                 int count) {
    // The write lock is taken first, so two processes claiming at once serialise here.
    Transaction transaction(m_db);
    std::vector<ClaimedItem> entries;
    qint64 top = wanted;
    {
        Statement most(m_db, kSelectMostWanted);
        most.step();
        top = std::max<qint64>(top, most.int64(0));
    }
    Statement anyRanked(m_db, kAnyRanked);
    const bool ranked = anyRanked.step() && anyRanked.int64(0) != 0;
    Statement level(m_db, ranked ? kSelectRankedLevel : kSelectQueueLevel);
    Statement unanswered(m_db, ranked ? kSelectRankedUnanswered : kSelectQueueUnanswered);
    for (qint64 answers = top - 1; answers >= 0 && int(entries.size()) < count; --answers) {
        Statement &queue = answers > 0 ? level : unanswered;
        queue.bind(1, annotatorId).bind(2, now).bind(3, wanted).bind(4, seed);
        queue.bind(5, count - int(entries.size()));
        if (answers > 0)
            queue.bind(6, answers);
        while (queue.step())
            entries.push_back(
                {queue.int64(0), m_project.absolutePath(queue.text(1)), int(queue.int64(2))});
        queue.reset();
    }
    Statement upsert(m_db, kUpsertClaim);
    for (const ClaimedItem &entry : entries) {
        upsert.bind(1, entry.itemId).bind(2, annotatorId).bind(3, now).bind(4, now + claimSeconds);
        upsert.run();
    }
    transaction.commit();
    return entries;
}

void AnswerRepository::release(qint64 annotatorId, const std::vector<qint64> &itemIds) {
    Transaction transaction(m_db);
    Statement remove(m_db, kDeleteClaim);
    for (qint64 id : itemIds) {
        remove.bind(1, id).bind(2, annotatorId);
        remove.run();
    }
    transaction.commit();
}

void AnswerRepository::releaseAll(qint64 annotatorId) {
    Statement remove(m_db, kDeleteAllClaims);
    remove.bind(1, annotatorId);
    remove.run();
}

qint64 AnswerRepository::countEligible(qint64 annotatorId, qint64 now, int wanted) {
    Statement query(m_db, kCountQueue);
    query.bind(1, annotatorId).bind(2, now).bind(3, wanted);
    return count(query);
}

qint64 AnswerRepository::countClaims(qint64 annotatorId, qint64 now) {
    Statement query(m_db, kCountMyClaims);
    query.bind(1, annotatorId).bind(2, now);
    return count(query);
}

qint64 AnswerRepository::countLabeledSince(qint64 annotatorId, const QString &since) {
    Statement query(m_db, kCountLabeledSince);
    query.bind(1, annotatorId).bind(2, since);
    return count(query);
}

qint64 AnswerRepository::answer(qint64 annotatorId, const std::vector<qint64> &itemIds,
                                qint64 classId, qint64 durationMs, const QString &origin) {
    Transaction transaction(m_db);
    {
        Statement live(m_db, kClassIsLive);
        live.bind(1, classId);
        if (!live.step())
            throw StoreError(
                QStringLiteral("no class with id %1 (or it was retired)").arg(classId));
    }
    AnswerLog answers(m_db, origin);
    Statement remove(m_db, kDeleteClaim);
    const QString now = nowIso();
    qint64 last = 0;
    for (qint64 itemId : itemIds) {
        last = answers.append({itemId, annotatorId, classId, durationMs}, now);
        remove.bind(1, itemId).bind(2, annotatorId);
        remove.run();
    }
    answers.flush();
    transaction.commit();
    return last;
}

std::optional<qint64> AnswerRepository::undoLast(qint64 annotatorId, qint64 now,
                                                 qint64 claimSeconds) {
    Transaction transaction(m_db);
    qint64 answerId = 0, itemId = 0, classId = 0;
    {
        Statement last(m_db, kSelectLastLive);
        last.bind(1, annotatorId);
        if (!last.step())
            return std::nullopt;
        answerId = last.int64(0);
        itemId = last.int64(1);
        classId = last.int64(2);
    }
    AnswerLog answers(m_db, QStringLiteral("undo"));
    answers.revoke(answerId, {itemId, annotatorId, classId}, nowIso());
    answers.flush();
    // The item goes back to this annotator, claimed again.
    claimItem(m_db, itemId, annotatorId, now, now + claimSeconds);
    transaction.commit();
    return itemId;
}

qint64 AnswerRepository::importAnswers(const std::vector<NewAnswer> &rows, const QString &origin,
                                       const std::function<void(qint64)> &stored,
                                       const CancelToken *cancel) {
    const ForeignKeysOff unchecked(m_db);
    std::unordered_set<AnswerKey, AnswerKeyHash> known;
    known.reserve(rows.size() * 2);
    {
        Statement live(m_db, kSelectLiveKeys);
        while (live.step())
            known.insert({live.int64(0), live.int64(1), live.int64(2)});
    }
    const QString now = nowIso();
    qint64 appended = 0;
    for (size_t start = 0; start < rows.size(); start += kRowsPerTransaction) {
        if (cancel && cancel->isCancelled())
            break;
        Transaction transaction(m_db);
        AnswerLog answers(m_db, origin);
        const size_t end = std::min(rows.size(), start + kRowsPerTransaction);
        std::vector<NewAnswer> fresh;
        fresh.reserve(end - start);
        for (size_t r = start; r < end; ++r)
            if (known.insert({rows[r].itemId, rows[r].annotatorId, rows[r].classId}).second)
                fresh.push_back(rows[r]);
        answers.appendMany(fresh, now);
        appended += qint64(fresh.size());
        answers.flush();
        transaction.commit();
        if (stored)
            stored(qint64(end));
        // A moment between batches lets a labeling session waiting for the lock get in.
        QThread::msleep(5);
    }
    // PostgreSQL plans the queue from table statistics: refresh them after a bulk load rather
    // than wait for the autovacuum daemon.
    if (m_db.backend() == Database::Backend::Postgres && appended > 10000)
        m_db.execute(QStringLiteral("ANALYZE answers, item_progress"));
    return appended;
}

void AnswerRepository::append(const std::vector<NewAnswer> &rows, const QString &origin) {
    Transaction transaction(m_db);
    AnswerLog log(m_db, origin);
    const QString now = nowIso();
    for (const NewAnswer &row : rows)
        log.append(row, now);
    log.flush();
    transaction.commit();
}

std::vector<NamedAnswer> AnswerRepository::liveAnswersByName() {
    std::vector<NamedAnswer> answers;
    Statement query(m_db, kSelectNamedAnswers);
    while (query.step())
        answers.push_back({query.int64(0), query.text(1), query.text(2)});
    return answers;
}

std::optional<qint64> AnswerRepository::liveAnswerOf(qint64 annotatorId, qint64 itemId) {
    Statement query(m_db, kSelectLiveAnswerOf);
    query.bind(1, annotatorId).bind(2, itemId);
    if (query.step())
        return query.int64(0);
    return std::nullopt;
}

qint64 AnswerRepository::countLiveAnswers(const QString &kind) {
    Statement count(m_db, kCountLiveOfKind);
    count.bind(1, kind);
    return count.step() ? count.int64(0) : 0;
}

qint64 AnswerRepository::countUnfinished(int wanted) {
    Statement query(m_db, kCountUnfinished);
    query.bind(1, wanted);
    return count(query);
}

std::vector<std::pair<qint64, qint64>> AnswerRepository::answersOf(const QString &name, int limit) {
    std::vector<std::pair<qint64, qint64>> answers;
    Statement query(m_db, kSelectAnswersOf);
    query.bind(1, name).bind(2, limit);
    while (query.step())
        answers.emplace_back(query.int64(0), query.int64(1));
    return answers;
}

} // namespace winnow::core
