#pragma once

// Plain records and enums that the store's repositories read and write. The database keeps the
// enums as text; these are the only places that spell them.

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace winnow::core {

enum class RunStatus { Running, Cancelled, Failed, Finished };
QString runStatusName(RunStatus status);
std::optional<RunStatus> parseRunStatus(const QString &name);

enum class ReviewDecision { Accept, Override, More };
QString reviewDecisionName(ReviewDecision decision);
std::optional<ReviewDecision> parseReviewDecision(const QString &name);

enum class FlagKind {
    ExactDuplicate,
    NearDuplicate,
    Leak,
    Divergent,
    Dark,
    Bright,
    LowInformation,
    OddSize,
    EmbeddingDuplicate,
    LabelConflict, // a duplicate cluster whose members carry different labels
    LabelError     // a model's out-of-sample predictions contradict the label (detail: suggested)
};
QString flagKindName(FlagKind kind);
std::optional<FlagKind> parseFlagKind(const QString &name);
QStringList flagKindNames();

// A flag on an item, as stored.
struct FlagRow {
    qint64 itemId = 0;
    QString path; // absolute
    FlagKind kind = FlagKind::Divergent;
    int cluster = 0;
    double value = 0;
    QString detail;
    QString split;
    bool excluded = false;
};

// One epoch of a training run.
struct EpochMetrics {
    int epoch = 0; // from 1
    std::optional<double> trainLoss, trainAccuracy, valLoss, valAccuracy, testAccuracy;
    double epochSeconds = 0; // training plus selection
    double selectionSeconds = 0;
    qint64 subsetSize = 0;
    double learningRate = 0;
    // Processor time of the training process since the previous epoch ended (or the run began),
    // all threads; absent for epochs trained before it was recorded.
    std::optional<double> cpuSeconds;
};

// The items one selection round of a run chose, with their weights.
struct SelectionRound {
    int round = 0;
    int epoch = 0;
    std::vector<qint64> itemIds;
    std::vector<float> weights;
};

} // namespace winnow::core
