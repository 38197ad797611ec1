#include "core/label/labelingsession.h"

#include "core/store/answerrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace winnow::core {
namespace {

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
        std::vector<QueueEntry> entries;
        for (const ClaimedItem &item : AnswerRepository(m_project).claim(
                 m_annotatorId, nowSeconds(), kClaimSeconds, wanted, seed, count))
            entries.push_back({item.itemId, item.path, item.answered});
        return entries;
    });
}

Result<void> LabelingSession::release(const std::vector<qint64> &itemIds) {
    return attempt([&] { AnswerRepository(m_project).release(m_annotatorId, itemIds); });
}

Result<void> LabelingSession::releaseAll() {
    return attempt([&] { AnswerRepository(m_project).releaseAll(m_annotatorId); });
}

Result<qint64> LabelingSession::answer(qint64 itemId, qint64 classId, qint64 durationMs,
                                       const QString &origin) {
    return attempt([&] {
        return AnswerRepository(m_project).answer(m_annotatorId, {itemId}, classId, durationMs,
                                                  origin);
    });
}

Result<qint64> LabelingSession::answerOnce(qint64 itemId, qint64 classId, qint64 durationMs) {
    return attempt([&] {
        AnswerRepository answers(m_project);
        if (const auto existing = answers.liveAnswerOf(m_annotatorId, itemId))
            return *existing;
        return answers.answer(m_annotatorId, {itemId}, classId, durationMs,
                              QStringLiteral("label"));
    });
}

Result<qint64> LabelingSession::answerMany(const std::vector<qint64> &itemIds, qint64 classId,
                                           const QString &origin) {
    return attempt([&] {
        AnswerRepository(m_project).answer(m_annotatorId, itemIds, classId, -1, origin);
        return qint64(itemIds.size());
    });
}

Result<std::optional<qint64>> LabelingSession::undoLast() {
    return attempt([&] {
        return AnswerRepository(m_project).undoLast(m_annotatorId, nowSeconds(), kClaimSeconds);
    });
}

Result<LabelingStats> LabelingSession::stats() {
    return attempt([&] {
        AnswerRepository answers(m_project);
        LabelingStats result;
        const QString midnight =
            QDateTime(QDate::currentDate(), QTime(0, 0)).toUTC().toString(Qt::ISODateWithMs);
        result.doneToday = answers.countLabeledSince(m_annotatorId, midnight);
        const qint64 now = nowSeconds();
        const int wanted = unwrap(answersWanted(m_project));
        result.leftInQueue = answers.countEligible(m_annotatorId, now, wanted) +
                             answers.countClaims(m_annotatorId, now);
        result.teamNeeds = answers.countUnfinished(wanted);
        return result;
    });
}

} // namespace winnow::core
