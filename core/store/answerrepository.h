#pragma once

#include "core/store/answerlog.h"
#include "core/util/progress.h"

#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

// An item an annotator has claimed from the labeling queue.
struct ClaimedItem {
    qint64 itemId = 0;
    QString path;     // absolute
    int answered = 0; // live answers it already has
};

// One live answer by names, as exported.
struct NamedAnswer {
    qint64 itemId = 0;
    QString annotator;
    QString className;
};

// Answers and claims: the labeling queue, the answer log, imports and exports of answers.
// Times of claims are unix seconds. Methods throw StoreError.
class AnswerRepository {
public:
    explicit AnswerRepository(Project &project);

    // Claims up to `count` items for the annotator until `now + claimSeconds`: items it has
    // not answered whose live answers plus others' live claims are under their wanted answers
    // (the item's own, else `wanted`), most answered first, then in a seeded shuffle.
    std::vector<ClaimedItem> claim(qint64 annotatorId, qint64 now, qint64 claimSeconds, int wanted,
                                   qint64 seed, int count);
    void release(qint64 annotatorId, const std::vector<qint64> &itemIds);
    void releaseAll(qint64 annotatorId);
    // Eligible items and the annotator's live claims, as the queue counts them.
    qint64 countEligible(qint64 annotatorId, qint64 now, int wanted);
    qint64 countClaims(qint64 annotatorId, qint64 now);
    // Answers given by labeling (not imported or simulated) since `since` (ISO time).
    qint64 countLabeledSince(qint64 annotatorId, const QString &since);

    // Stores answers of one annotator and class, releasing their claims; all or nothing.
    // Refuses a retired or unknown class. Returns the id of the last answer.
    // This annotator's live answer on an item, if any.
    std::optional<qint64> liveAnswerOf(qint64 annotatorId, qint64 itemId);
    // Items whose live answers are still under the overlap wanted, for the whole team.
    qint64 countUnfinished(int wanted);
    // Live answers given by annotators of `kind` (human, import, simulated).
    qint64 countLiveAnswers(const QString &kind);
    qint64 answer(qint64 annotatorId, const std::vector<qint64> &itemIds, qint64 classId,
                  qint64 durationMs, const QString &origin);
    // Revokes the annotator's newest live answer and claims its item again; the item, if any.
    std::optional<qint64> undoLast(qint64 annotatorId, qint64 now, qint64 claimSeconds);

    // Appends the answers that are not live already (same item, annotator and class), in
    // batches of their own transactions; returns how many were appended. `stored` hears how
    // many rows were gone through after each batch; a cancel stops between batches.
    qint64 importAnswers(const std::vector<NewAnswer> &answers, const QString &origin,
                         const std::function<void(qint64)> &stored = {},
                         const CancelToken *cancel = nullptr);
    // Appends answers in one transaction.
    void append(const std::vector<NewAnswer> &answers, const QString &origin);
    std::vector<NamedAnswer> liveAnswersByName(); // in answer order
    // Live answers of the annotator called `name`, by item, up to `limit` items.
    std::vector<std::pair<qint64, qint64>> answersOf(const QString &name, int limit);

private:
    Database &m_db;
    Project &m_project;
};

} // namespace winnow::core
