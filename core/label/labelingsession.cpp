#include "core/label/labelingsession.h"

#include "core/store/answerlog.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace winnow::core {
namespace {

// ?1 annotator, ?2 now (unix s), ?3 answers wanted. Eligible: not claimed by ?1, live answers
// plus others' live claims still under the overlap wanted, and no live answer of ?1.
#define WINNOW_ELIGIBLE                                                                            \
    "WITH held AS (SELECT item_id, COUNT(*) AS n, MAX(annotator_id = ?1) AS mine FROM assignments" \
    "   WHERE expires_at > ?2 GROUP BY item_id)"                                                   \
    " SELECT i.id, i.path, IFNULL(p.answers, 0) AS answered FROM items i"                          \
    " LEFT JOIN item_progress p ON p.item_id = i.id LEFT JOIN held h ON h.item_id = i.id"          \
    " LEFT JOIN item_overlap o ON o.item_id = i.id"                                                \
    " WHERE IFNULL(h.mine, 0) = 0 AND IFNULL(p.answers, 0) + IFNULL(h.n, 0) < IFNULL(o.wanted, "   \
    "?3)"                                                                                          \
    " AND NOT EXISTS (SELECT 1 FROM live_answers a WHERE a.annotator_id = ?1 AND a.item_id = "     \
    "i.id)"

constexpr auto kSelectQueue =
    WINNOW_ELIGIBLE " ORDER BY answered DESC, (i.id * 2654435761 + ?4) % 4294967291, i.id LIMIT ?5";
constexpr auto kCountQueue = "SELECT COUNT(*) FROM (" WINNOW_ELIGIBLE ")";
constexpr auto kCountMyClaims =
    "SELECT COUNT(*) FROM assignments WHERE annotator_id = ? AND expires_at > ?";
constexpr auto kUpsertClaim =
    "INSERT INTO assignments (item_id, annotator_id, claimed_at, expires_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (item_id, annotator_id) DO UPDATE SET claimed_at = excluded.claimed_at,"
    " expires_at = excluded.expires_at";
constexpr auto kDeleteClaim = "DELETE FROM assignments WHERE item_id = ? AND annotator_id = ?";
constexpr auto kDeleteAllClaims = "DELETE FROM assignments WHERE annotator_id = ?";
constexpr auto kSelectLastLive = "SELECT a.id, a.item_id, a.class_id FROM live_answers a WHERE "
                                 "a.annotator_id = ? ORDER BY a.id DESC LIMIT 1";
constexpr auto kCountToday =
    "SELECT COUNT(*) FROM live_answers a WHERE a.annotator_id = ? AND a.created_at >= ?"
    " AND a.origin IN ('label', 'bulk')";
constexpr auto kClassIsLive = "SELECT 1 FROM classes WHERE id = ? AND retired_at IS NULL";

qint64 nowSeconds() {
    return QDateTime::currentSecsSinceEpoch();
}

qint64 queueSeed(Project &project) {
    const auto stored = project.setting(QString::fromLatin1(LabelingSession::kQueueSeedKey));
    if (stored && !stored->isEmpty())
        return stored->toLongLong();
    const qint64 seed = QRandomGenerator::global()->bounded(1, 1 << 30);
    if (const auto saved = project.setSetting(QString::fromLatin1(LabelingSession::kQueueSeedKey),
                                              QString::number(seed));
        !saved)
        throw StoreError(saved.error().message);
    return seed;
}

template <typename T> T unwrap(Result<T> result) {
    if (!result)
        throw StoreError(result.error().message);
    return std::move(result).value();
}

void requireLiveClass(Database &db, qint64 classId) {
    Statement live(db, kClassIsLive);
    live.bind(1, classId);
    if (!live.step())
        throw StoreError(QStringLiteral("no class with id %1 (or it was retired)").arg(classId));
}

} // namespace

LabelingSession::LabelingSession(Project &project, qint64 annotatorId)
    : m_project(project)
    , m_annotatorId(annotatorId) {
}

Result<int> LabelingSession::answersWanted(Project &project) {
    return attempt([&] {
        const QString value = unwrap(project.setting(QString::fromLatin1(kAnswersWantedKey)));
        const int wanted = value.toInt();
        return wanted > 0 ? wanted : kDefaultAnswersWanted;
    });
}

Result<void> LabelingSession::setAnswersWanted(Project &project, int wanted) {
    if (wanted < 1)
        return Error{
            QStringLiteral("answers wanted per image must be at least 1, not %1").arg(wanted)};
    return project.setSetting(QString::fromLatin1(kAnswersWantedKey), QString::number(wanted));
}

Result<std::vector<QueueEntry>> LabelingSession::claim(int count) {
    return attempt([&] {
        const int wanted = unwrap(answersWanted(m_project));
        const qint64 seed = queueSeed(m_project);
        Database &db = m_project.database();
        // The write lock is taken first, so two processes claiming at once serialise here.
        Transaction transaction(db);
        const qint64 now = nowSeconds();
        std::vector<QueueEntry> entries;
        {
            Statement queue(db, kSelectQueue);
            queue.bind(1, m_annotatorId).bind(2, now).bind(3, wanted).bind(4, seed).bind(5, count);
            while (queue.step())
                entries.push_back(
                    {queue.int64(0), m_project.absolutePath(queue.text(1)), int(queue.int64(2))});
        }
        Statement upsert(db, kUpsertClaim);
        for (const QueueEntry &entry : entries) {
            upsert.bind(1, entry.itemId)
                .bind(2, m_annotatorId)
                .bind(3, now)
                .bind(4, now + kClaimSeconds);
            upsert.run();
        }
        transaction.commit();
        return entries;
    });
}

Result<void> LabelingSession::release(const std::vector<qint64> &itemIds) {
    return attempt([&] {
        Database &db = m_project.database();
        Transaction transaction(db);
        Statement remove(db, kDeleteClaim);
        for (qint64 id : itemIds) {
            remove.bind(1, id).bind(2, m_annotatorId);
            remove.run();
        }
        transaction.commit();
    });
}

Result<void> LabelingSession::releaseAll() {
    return attempt([&] {
        Statement remove(m_project.database(), kDeleteAllClaims);
        remove.bind(1, m_annotatorId);
        remove.run();
    });
}

Result<qint64> LabelingSession::answer(qint64 itemId, qint64 classId, qint64 durationMs,
                                       const QString &origin) {
    return attempt([&] {
        Database &db = m_project.database();
        Transaction transaction(db);
        requireLiveClass(db, classId);
        AnswerLog answers(db, origin);
        const qint64 answerId =
            answers.append({itemId, m_annotatorId, classId, durationMs}, nowIso());
        answers.flush();
        Statement remove(db, kDeleteClaim);
        remove.bind(1, itemId).bind(2, m_annotatorId);
        remove.run();
        transaction.commit();
        return answerId;
    });
}

Result<qint64> LabelingSession::answerMany(const std::vector<qint64> &itemIds, qint64 classId,
                                           const QString &origin) {
    return attempt([&] {
        Database &db = m_project.database();
        Transaction transaction(db);
        requireLiveClass(db, classId);
        AnswerLog answers(db, origin);
        Statement remove(db, kDeleteClaim);
        const QString now = nowIso();
        for (qint64 itemId : itemIds) {
            answers.append({itemId, m_annotatorId, classId}, now);
            remove.bind(1, itemId).bind(2, m_annotatorId);
            remove.run();
        }
        answers.flush();
        transaction.commit();
        return qint64(itemIds.size());
    });
}

Result<std::optional<qint64>> LabelingSession::undoLast() {
    return attempt([&]() -> std::optional<qint64> {
        Database &db = m_project.database();
        Transaction transaction(db);
        qint64 answerId = 0, itemId = 0, classId = 0;
        {
            Statement last(db, kSelectLastLive);
            last.bind(1, m_annotatorId);
            if (!last.step())
                return std::nullopt;
            answerId = last.int64(0);
            itemId = last.int64(1);
            classId = last.int64(2);
        }
        AnswerLog answers(db, QStringLiteral("undo"));
        answers.revoke(answerId, {itemId, m_annotatorId, classId}, nowIso());
        answers.flush();
        // The item goes back to this annotator, claimed again.
        const qint64 now = nowSeconds();
        Statement claim(db, kUpsertClaim);
        claim.bind(1, itemId).bind(2, m_annotatorId).bind(3, now).bind(4, now + kClaimSeconds);
        claim.run();
        transaction.commit();
        return itemId;
    });
}

Result<LabelingStats> LabelingSession::stats() {
    return attempt([&] {
        Database &db = m_project.database();
        LabelingStats result;
        const QString midnight =
            QDateTime(QDate::currentDate(), QTime(0, 0)).toUTC().toString(Qt::ISODateWithMs);
        {
            Statement today(db, kCountToday);
            today.bind(1, m_annotatorId).bind(2, midnight);
            today.step();
            result.doneToday = today.int64(0);
        }
        const qint64 now = nowSeconds();
        {
            Statement left(db, kCountQueue);
            left.bind(1, m_annotatorId).bind(2, now).bind(3, unwrap(answersWanted(m_project)));
            left.step();
            result.leftInQueue = left.int64(0);
        }
        Statement mine(db, kCountMyClaims);
        mine.bind(1, m_annotatorId).bind(2, now);
        mine.step();
        result.leftInQueue += mine.int64(0);
        return result;
    });
}

} // namespace winnow::core
