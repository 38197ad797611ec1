#pragma once

#include "core/store/records.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

// A run as stored, with the summaries of the epochs its checkpoint covers.
struct StoredRun {
    qint64 id = 0;
    QString createdAt;
    QString finishedAt; // empty while it runs
    RunStatus status = RunStatus::Running;
    QString parameters; // every option, as JSON
    QString snapshotHash;
    qint64 trainItems = 0, valItems = 0, testItems = 0;
    QString warnings;
    QString error;
    int completedEpochs = 0;
    double totalSeconds = 0;
    double selectionSeconds = 0;
    double cpuSeconds = 0; // over the epochs that recorded it
    QString experiment;    // empty: none
    QString notes;
    QStringList tags;
    std::optional<double> bestValAccuracy;
    std::optional<double> testAccuracy; // the last measured
};

// One row of a run's label snapshot.
struct RunItem {
    qint64 itemId = 0;
    qint64 classId = 0;
    QString split;
};

struct NewRun {
    QString experiment;
    QString strategy;
    double fraction = 1;
    int epochs = 0;
    QString parameters;
    QString snapshotHash;
    qint64 trainItems = 0, valItems = 0, testItems = 0;
    QString warnings;
    std::vector<RunItem> items;
};

// Training runs: parameters, label snapshots, per-epoch metrics and selections. Methods throw
// StoreError.
class RunRepository {
public:
    explicit RunRepository(Project &project);

    qint64 create(const NewRun &run);
    // Stores an epoch, replacing one of the same number (a resumed run repeats it).
    void recordEpoch(qint64 runId, const EpochMetrics &metrics);
    void recordSelection(qint64 runId, const SelectionRound &selection);
    void setStatus(qint64 runId, RunStatus status, const QString &error);
    // What the checkpoint covers; epochs after it are dropped (a resume repeats them).
    void setCompletedEpochs(qint64 runId, int completedEpochs);
    // A person's description of a run: its experiment, notes and tags.
    void describe(qint64 runId, const QString &experiment, const QString &notes,
                  const QStringList &tags);

    std::vector<StoredRun> list();
    std::optional<StoredRun> find(qint64 runId);
    std::vector<EpochMetrics> epochs(qint64 runId);
    std::vector<SelectionRound> selections(qint64 runId);
    std::vector<RunItem> items(qint64 runId); // in snapshot order

private:
    Database &m_db;
};

} // namespace winnow::core
