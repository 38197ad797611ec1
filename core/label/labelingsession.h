#pragma once

#include "core/util/result.h"

#include <QString>
#include <optional>
#include <vector>

namespace winnow::core {

class Project;

struct QueueEntry {
    qint64 itemId = 0;
    QString path; // absolute
    int answersSoFar = 0;
};

struct LabelingStats {
    qint64 doneToday = 0;   // live answers of this annotator since local midnight
    qint64 leftInQueue = 0; // items this annotator could still be given, claimed ones included
    qint64 teamNeeds = 0;   // items still under the overlap wanted, for everyone
};

// One annotator's work on a project. The queue holds items that still need answers and that
// this annotator has not answered, nearly finished items first, then in a seeded shuffle.
// Items handed out are claimed in the database for a while, so annotators working at once (in
// other processes too) are not given more items than the overlap wanted. Every answer is
// committed before the call returns.
class LabelingSession {
public:
    static constexpr int kDefaultAnswersWanted = 3;
    static constexpr int kClaimSeconds = 30 * 60;
    static constexpr auto kAnswersWantedKey = "labeling/answers_wanted";
    static constexpr auto kInstructionsKey = "labeling/instructions";
    static constexpr auto kQueueSeedKey = "labeling/queue_seed";

    LabelingSession(Project &project, qint64 annotatorId);

    qint64 annotatorId() const { return m_annotatorId; }

    // Claims up to `count` more items for this annotator, in queue order.
    Result<std::vector<QueueEntry>> claim(int count);
    // Gives back claims (skipped items, or everything when a session ends).
    Result<void> release(const std::vector<qint64> &itemIds);
    Result<void> releaseAll();

    // Records one answer and drops the claim on the item; returns the answer's id.
    Result<qint64> answer(qint64 itemId, qint64 classId, qint64 durationMs,
                          const QString &origin = QStringLiteral("label"));
    // The same, unless this annotator already has a live answer on the item (then its id): for
    // saving again an answer whose first save may have committed before the connection broke.
    Result<qint64> answerOnce(qint64 itemId, qint64 classId, qint64 durationMs);
    // One answer per item, all in one transaction (bulk labeling from the grid).
    Result<qint64> answerMany(const std::vector<qint64> &itemIds, qint64 classId,
                              const QString &origin = QStringLiteral("bulk"));
    // Revokes this annotator's latest live answer by recording an undo row (nothing is
    // deleted); returns the item it was for, or nothing when there is nothing to undo.
    Result<std::optional<qint64>> undoLast();

    Result<LabelingStats> stats();

    static Result<int> answersWanted(Project &project);
    static Result<void> setAnswersWanted(Project &project, int wanted);

private:
    Project &m_project;
    qint64 m_annotatorId;
};

} // namespace winnow::core
