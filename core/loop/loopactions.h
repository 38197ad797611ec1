#pragma once

// The model in the loop, on stored predictions (core/store/predictionrepository.h): likely label
// errors as flags, and automated labeling rounds that can be applied and reverted. Free of
// LibTorch: making the predictions is core/train/crossfit.h's work.

#include "core/loop/modelloop.h"
#include "core/store/predictionrepository.h"
#include "core/util/result.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <vector>

namespace winnow::core {

class Project;

// A stored prediction set with its predictions, and the names of its class order.
struct LoadedPredictions {
    PredictionSet set;
    std::vector<ItemPrediction> predictions; // in item order
    QHash<qint64, int> classIndex;           // class id -> position in the set's order
    QStringList classNames;
};
// Throws StoreError when there is no such set.
LoadedPredictions loadPredictions(Project &project, qint64 setId);

struct LabelErrorRow {
    qint64 itemId = 0;
    QString path;
    QString given, suggested;
    double score = 0;
};

// How many labels a count expects wrong, of how many labeled items held out.
struct ExpectedLabelErrors {
    double errors = 0;
    qint64 labeled = 0;
};

// Likely label errors (findLabelErrors) among the held-out predictions of set `setId` (a
// cross-fitting); replaces the project's 'label-error' flags with the result. Likeliest error
// first. `expected`, where given, receives the count's expectation.
Result<std::vector<LabelErrorRow>>
flagLabelErrors(Project &project, qint64 setId, LabelErrorCount count = LabelErrorCount::NoiseModel,
                ExpectedLabelErrors *expected = nullptr);

struct AutolabelProposal {
    qint64 setId = 0;
    double targetAccuracy = 0;
    AutolabelPlan plan;
    std::vector<qint64> classIds; // the set's class order
    QStringList classNames;       // in that order
    // Items with no label yet, outside the test split and not excluded, at or above the
    // threshold; empty when the target is out of reach.
    std::vector<MachineLabel> labels;
    QStringList paths; // of `labels`, in the same order
};

// The threshold on set `setId` at which held-out items with a label (the val split of a run's
// predictions, every labeled item of a cross-fitting) reach `targetAccuracy` by their one-sided
// 95 % lower bound, and the unlabeled items it would label.
Result<AutolabelProposal> proposeAutolabel(Project &project, qint64 setId, double targetAccuracy);
// Stores the proposal's labels as a round of machine labels; returns the round.
Result<qint64> applyAutolabel(Project &project, const AutolabelProposal &proposal, qint64 actorId);
Result<bool> revertAutolabel(Project &project, qint64 roundId);

// The labeling order the model suggests: the unlabeled items of set `setId` by uncertainty.
Result<std::vector<qint64>> uncertaintyQueue(Project &project, qint64 setId);
// Makes that order the labeling queue's (within each level of answers already given) and records
// an active-learning round; returns how many items it ranks.
Result<qint64> orderQueueByUncertainty(Project &project, qint64 setId);

// One ranking of the queue, with where the labels stood then.
struct ActiveLearningRound {
    QString at;                  // ISO time
    qint64 setId = 0, runId = 0; // the predictions it ranked by
    qint64 ranked = 0;           // unlabeled items ranked
    qint64 humanAnswers = 0;     // live answers of people then
    qint64 machineLabels = 0;    // live machine labels then
    double machineAccuracy = -1; // the newest live round's estimate (lower bound); -1: none
    double valAccuracy = -1;     // the run's best; -1: unknown
};
Result<std::vector<ActiveLearningRound>> activeLearningRounds(Project &project);
// People's answers given since the queue was last ranked; -1 when it is not ranked.
Result<qint64> answersSinceRanking(Project &project);
// How many new answers the Model tab waits for before it offers to retrain and re-rank.
inline constexpr int kDefaultRetrainAfter = 500;
// Back to the queue's own seeded shuffle.
Result<void> clearQueueOrder(Project &project);

// What the model says of an item, for a reviewer: its label-error flag ("model suggests dog
// (labeled cat; 97 %)"), else the newest prediction ("model predicts dog (97 %)"); empty when
// no model has seen it.
Result<QString> modelSuggestion(Project &project, qint64 itemId);

} // namespace winnow::core
