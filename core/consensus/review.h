#pragma once

#include "core/store/reviewrepository.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace winnow::core {

class Project;

struct ReviewRow {
    qint64 itemId = 0;
    QString path; // absolute
    qint64 classId = 0;
    double confidence = 0;
    int answers = 0;
    double entropy = 0; // of the posterior, in bits
    QString decision;   // the latest review of the item, empty when none
};

struct ReviewFilter {
    enum class Order { ConfidenceAscending, EntropyDescending };
    Order order = Order::ConfidenceAscending;
    std::optional<qint64> classId;
    double minConfidence = 0;
    double maxConfidence = 1;
    bool disagreementOnly = false;   // the latest consolidation of another method says otherwise
    bool modelDisagreesOnly = false; // items a model flagged as likely label errors
    int limit = 5000;
};

struct ItemAnswer {
    QString annotator;
    QString className;
    double annotatorAccuracy = -1; // as the consolidation estimated it; -1 when unknown
};

// The review queue of a consolidation: its items, least certain first.
Result<std::vector<ReviewRow>> reviewQueue(Project &project, qint64 consolidationId,
                                           const ReviewFilter &filter);
// Every live answer on an item with the annotator's estimated accuracy.
Result<std::vector<ItemAnswer>> itemAnswers(Project &project, qint64 itemId,
                                            qint64 consolidationId);
// What the latest consolidation of every other method says about the item.
Result<std::vector<OtherOpinion>> otherOpinions(Project &project, qint64 itemId,
                                                qint64 consolidationId);

// Records a reviewer's decision: "accept" the consolidated label (its class is pinned in the
// review, so a later consolidation cannot change it), "override" it with classId, or "more": the
// item wants one answer more than it has and goes back to annotators' queues.
Result<void> recordReview(Project &project, qint64 itemId, qint64 reviewerId,
                          ReviewDecision decision, std::optional<qint64> classId,
                          const QString &note, qint64 consolidationId);

// Gives every item of `itemIds` the class `classId` as the reviewer's decision (an override
// pinned like any review), for instance a duplicate cluster whose copies carried different
// labels. Returns how many items were decided.
Result<qint64> reviewAllAs(Project &project, const std::vector<qint64> &itemIds, qint64 classId,
                           qint64 reviewerId, const QString &note);

struct AnnotatorStats {
    qint64 annotatorId = 0;
    QString name;
    qint64 answers = 0;
    double accuracy = 0;
    double agreement = 0;
    double medianSeconds = -1;     // per answer; -1 when no durations were recorded
    std::vector<double> confusion; // classes x classes in `classNames` order, row = true class
    // Against the reference labels, when the project has some and the annotator answered them.
    qint64 referenceAnswers = 0;
    std::optional<double> referenceAccuracy;
};

// Per annotator, as a consolidation estimated them; `classNames` receives the matrix order.
Result<std::vector<AnnotatorStats>> annotatorStats(Project &project, qint64 consolidationId,
                                                   QStringList &classNames);

} // namespace winnow::core
