#pragma once

// What trained models said about the items (prediction sets), and the machine labels of
// automated labeling rounds. Methods throw StoreError.

#include <QHash>
#include <QString>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

enum class PredictionKind { Run, CrossFit };
QString predictionKindName(PredictionKind kind);

struct ItemPrediction {
    qint64 itemId = 0;
    qint64 runId = 0;                 // whose model predicted it
    qint64 givenClassId = 0;          // the label that run trained with; 0: none
    qint64 classId = 0;               // the most probable class
    double confidence = 0;            // its probability
    bool heldOut = false;             // that model never trained on the item
    std::vector<float> probabilities; // in the set's class order
};

struct PredictionSet {
    qint64 id = 0;
    PredictionKind kind = PredictionKind::Run;
    std::vector<qint64> runIds;
    std::vector<qint64> classIds; // the order of every probability vector
    QString labelSource;
    QString createdAt;
    qint64 items = 0;
};

struct AutolabelRound {
    qint64 id = 0;
    qint64 setId = 0;
    double targetAccuracy = 0;
    double threshold = 0;
    double estimatedAccuracy = 0;
    double coverage = 0;
    QString createdAt;
    QString revertedAt; // empty: live
    qint64 labeled = 0;
};

struct MachineLabel {
    qint64 itemId = 0;
    qint64 classId = 0;
    double confidence = 0;
};

class PredictionRepository {
public:
    explicit PredictionRepository(Project &project);

    // Stores a set with its predictions, all or nothing; returns its id.
    qint64 create(const PredictionSet &set, const std::vector<ItemPrediction> &predictions);
    std::vector<PredictionSet> list(); // newest first
    std::optional<PredictionSet> find(qint64 setId);
    // The newest set of `kind` (of run `runId` when given).
    std::optional<PredictionSet> latest(PredictionKind kind, qint64 runId = 0);
    std::vector<ItemPrediction> predictions(qint64 setId); // in item order
    // The item's prediction in the newest set that has one, with that set's class order.
    std::optional<std::pair<ItemPrediction, PredictionSet>> newestPredictionOf(qint64 itemId);

    // Stores a round and its labels, and takes the items out of the labeling queue.
    qint64 applyAutolabel(const AutolabelRound &round, const std::vector<MachineLabel> &labels,
                          qint64 actorId);
    // Marks a live round reverted and gives its items back to the queue; false if it was not
    // live.
    bool revertAutolabel(qint64 roundId);
    std::vector<AutolabelRound> autolabelRounds(); // oldest first
    std::vector<MachineLabel> machineLabels(qint64 roundId);
    // The machine label of every item a live round labels (the newest round wins).
    QHash<qint64, qint64> liveMachineLabels();
    QHash<qint64, double> liveMachineConfidences(); // of the same labels

    // The labeling queue's order by the model: `items` first, in this order (replacing any
    // earlier ranking); an empty list restores the queue's own shuffle.
    void setQueuePriority(const std::vector<qint64> &items);
    qint64 rankedItems();

private:
    Database &m_db;
};

} // namespace winnow::core
