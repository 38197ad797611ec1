#include "core/store/runrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

namespace winnow::core {
namespace {

// Summaries count only the epochs the checkpoint covers: a run killed after storing an epoch
// but before its checkpoint repeats that epoch when resumed.
constexpr auto kSelectRuns =
    "SELECT r.id, r.created_at, COALESCE(r.finished_at, ''), r.status, r.parameters,"
    " r.snapshot_hash, r.train_items, r.val_items, r.test_items, r.warnings, r.error,"
    " r.completed_epochs,"
    " COALESCE((SELECT SUM(epoch_seconds) FROM run_epochs e"
    "           WHERE e.run_id = r.id AND e.epoch <= r.completed_epochs), 0),"
    " COALESCE((SELECT SUM(selection_seconds) FROM run_epochs e"
    "           WHERE e.run_id = r.id AND e.epoch <= r.completed_epochs), 0),"
    " (SELECT MAX(val_accuracy) FROM run_epochs e"
    "  WHERE e.run_id = r.id AND e.epoch <= r.completed_epochs),"
    " (SELECT test_accuracy FROM run_epochs e WHERE e.run_id = r.id"
    "  AND e.epoch <= r.completed_epochs AND test_accuracy IS NOT NULL"
    "  ORDER BY epoch DESC LIMIT 1),"
    " COALESCE((SELECT SUM(cpu_seconds) FROM run_epochs e"
    "           WHERE e.run_id = r.id AND e.epoch <= r.completed_epochs), 0),"
    " r.experiment, r.notes, r.tags"
    " FROM runs r WHERE CAST(?1 AS BIGINT) IS NULL OR r.id = ?1 ORDER BY r.id";
constexpr auto kInsertRun =
    "INSERT INTO runs (created_at, strategy, fraction, epochs, parameters, snapshot_hash,"
    " train_items, val_items, test_items, warnings, experiment)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr auto kInsertRunItem =
    "INSERT INTO run_items (run_id, position, item_id, class_id, split) VALUES (?, ?, ?, ?, ?)";
constexpr auto kUpsertEpoch =
    "INSERT INTO run_epochs (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy,"
    " test_accuracy, epoch_seconds, selection_seconds, subset_size, learning_rate, cpu_seconds)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (run_id, epoch) DO UPDATE SET train_loss = ?3, train_accuracy = ?4,"
    " val_loss = ?5, val_accuracy = ?6, test_accuracy = ?7, epoch_seconds = ?8,"
    " selection_seconds = ?9, subset_size = ?10, learning_rate = ?11, cpu_seconds = ?12";
constexpr auto kDeleteSelection = "DELETE FROM run_selections WHERE run_id = ? AND round = ?";
constexpr auto kInsertSelection =
    "INSERT INTO run_selections (run_id, round, epoch, position, item_id, weight)"
    " VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kUpdateStatus =
    "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?";
constexpr auto kUpdateCompleted = "UPDATE runs SET completed_epochs = ? WHERE id = ?";
constexpr auto kUpdateDescription =
    "UPDATE runs SET experiment = ?, notes = ?, tags = ? WHERE id = ?";
constexpr auto kDeleteLaterEpochs = "DELETE FROM run_epochs WHERE run_id = ? AND epoch > ?";
constexpr auto kSelectEpochs =
    "SELECT epoch, train_loss, train_accuracy, val_loss, val_accuracy, test_accuracy,"
    " epoch_seconds, selection_seconds, subset_size, learning_rate, cpu_seconds"
    " FROM run_epochs WHERE run_id = ? ORDER BY epoch";
constexpr auto kSelectSelections =
    "SELECT round, epoch, item_id, weight FROM run_selections WHERE run_id = ?"
    " ORDER BY round, position";
constexpr auto kSelectRunItems =
    "SELECT item_id, class_id, split FROM run_items WHERE run_id = ? ORDER BY position";

void bindOptional(Statement &statement, int index, const std::optional<double> &value) {
    if (value)
        statement.bind(index, *value);
    else
        statement.bindNull(index);
}

std::optional<double> optionalReal(const Statement &statement, int column) {
    return statement.isNull(column) ? std::nullopt : std::optional<double>(statement.real(column));
}

std::vector<StoredRun> selectRuns(Database &db, std::optional<qint64> runId) {
    std::vector<StoredRun> runs;
    Statement query(db, kSelectRuns);
    if (runId)
        query.bind(1, *runId);
    while (query.step()) {
        StoredRun run;
        run.id = query.int64(0);
        run.createdAt = query.text(1);
        run.finishedAt = query.text(2);
        run.status = parseRunStatus(query.text(3)).value_or(RunStatus::Failed);
        run.parameters = query.text(4);
        run.snapshotHash = query.text(5);
        run.trainItems = query.int64(6);
        run.valItems = query.int64(7);
        run.testItems = query.int64(8);
        run.warnings = query.text(9);
        run.error = query.text(10);
        run.completedEpochs = int(query.int64(11));
        run.totalSeconds = query.real(12);
        run.selectionSeconds = query.real(13);
        run.bestValAccuracy = optionalReal(query, 14);
        run.testAccuracy = optionalReal(query, 15);
        run.cpuSeconds = query.real(16);
        run.experiment = query.text(17);
        run.notes = query.text(18);
        run.tags = query.text(19).split(QLatin1Char(','), Qt::SkipEmptyParts);
        runs.push_back(std::move(run));
    }
    return runs;
}

} // namespace

RunRepository::RunRepository(Project &project)
    : m_db(databaseOf(project)) {
}

qint64 RunRepository::create(const NewRun &run) {
    Transaction transaction(m_db);
    Statement insert(m_db, kInsertRun);
    insert.bind(1, nowIso())
        .bind(2, run.strategy)
        .bind(3, run.fraction)
        .bind(4, run.epochs)
        .bind(5, run.parameters)
        .bind(6, run.snapshotHash)
        .bind(7, run.trainItems)
        .bind(8, run.valItems)
        .bind(9, run.testItems)
        .bind(10, run.warnings)
        .bind(11, run.experiment);
    const qint64 runId = insert.insert();
    Statement item(m_db, kInsertRunItem);
    for (size_t i = 0; i < run.items.size(); ++i) {
        item.bind(1, runId)
            .bind(2, qint64(i))
            .bind(3, run.items[i].itemId)
            .bind(4, run.items[i].classId)
            .bind(5, run.items[i].split);
        item.run();
    }
    transaction.commit();
    return runId;
}

void RunRepository::recordEpoch(qint64 runId, const EpochMetrics &m) {
    Statement upsert(m_db, kUpsertEpoch);
    upsert.bind(1, runId).bind(2, m.epoch);
    bindOptional(upsert, 3, m.trainLoss);
    bindOptional(upsert, 4, m.trainAccuracy);
    bindOptional(upsert, 5, m.valLoss);
    bindOptional(upsert, 6, m.valAccuracy);
    bindOptional(upsert, 7, m.testAccuracy);
    upsert.bind(8, m.epochSeconds)
        .bind(9, m.selectionSeconds)
        .bind(10, m.subsetSize)
        .bind(11, m.learningRate);
    bindOptional(upsert, 12, m.cpuSeconds);
    upsert.run();
}

void RunRepository::recordSelection(qint64 runId, const SelectionRound &selection) {
    Transaction transaction(m_db);
    Statement clear(m_db, kDeleteSelection);
    clear.bind(1, runId).bind(2, selection.round);
    clear.run();
    Statement insert(m_db, kInsertSelection);
    for (size_t i = 0; i < selection.itemIds.size(); ++i) {
        insert.bind(1, runId).bind(2, selection.round).bind(3, selection.epoch).bind(4, qint64(i));
        insert.bind(5, selection.itemIds[i])
            .bind(6, double(i < selection.weights.size() ? selection.weights[i] : 1.0f));
        insert.run();
    }
    transaction.commit();
}

void RunRepository::setStatus(qint64 runId, RunStatus status, const QString &error) {
    Statement update(m_db, kUpdateStatus);
    update.bind(1, runStatusName(status)).bind(2, error);
    if (status == RunStatus::Running)
        update.bindNull(3);
    else
        update.bind(3, nowIso());
    update.bind(4, runId);
    update.run();
}

void RunRepository::setCompletedEpochs(qint64 runId, int completedEpochs) {
    Transaction transaction(m_db);
    Statement update(m_db, kUpdateCompleted);
    update.bind(1, completedEpochs).bind(2, runId);
    update.run();
    Statement drop(m_db, kDeleteLaterEpochs);
    drop.bind(1, runId).bind(2, completedEpochs);
    drop.run();
    transaction.commit();
}

void RunRepository::describe(qint64 runId, const QString &experiment, const QString &notes,
                             const QStringList &tags) {
    Statement update(m_db, kUpdateDescription);
    QStringList clean;
    for (const QString &tag : tags)
        if (const QString t = tag.trimmed().remove(QLatin1Char(','));
            !t.isEmpty() && !clean.contains(t))
            clean << t;
    update.bind(1, experiment.trimmed())
        .bind(2, notes)
        .bind(3, clean.join(QLatin1Char(',')))
        .bind(4, runId);
    update.run();
    if (m_db.changes() != 1)
        throw StoreError(QStringLiteral("no run %1").arg(runId));
}

std::vector<StoredRun> RunRepository::list() {
    return selectRuns(m_db, std::nullopt);
}

std::optional<StoredRun> RunRepository::find(qint64 runId) {
    auto runs = selectRuns(m_db, runId);
    if (runs.empty())
        return std::nullopt;
    return std::move(runs.front());
}

std::vector<EpochMetrics> RunRepository::epochs(qint64 runId) {
    std::vector<EpochMetrics> epochs;
    Statement query(m_db, kSelectEpochs);
    query.bind(1, runId);
    while (query.step()) {
        EpochMetrics m;
        m.epoch = int(query.int64(0));
        m.trainLoss = optionalReal(query, 1);
        m.trainAccuracy = optionalReal(query, 2);
        m.valLoss = optionalReal(query, 3);
        m.valAccuracy = optionalReal(query, 4);
        m.testAccuracy = optionalReal(query, 5);
        m.epochSeconds = query.real(6);
        m.selectionSeconds = query.real(7);
        m.subsetSize = query.int64(8);
        m.learningRate = query.real(9);
        m.cpuSeconds = optionalReal(query, 10);
        epochs.push_back(m);
    }
    return epochs;
}

std::vector<SelectionRound> RunRepository::selections(qint64 runId) {
    std::vector<SelectionRound> rounds;
    Statement query(m_db, kSelectSelections);
    query.bind(1, runId);
    while (query.step()) {
        if (rounds.empty() || rounds.back().round != int(query.int64(0)))
            rounds.push_back({int(query.int64(0)), int(query.int64(1)), {}, {}});
        rounds.back().itemIds.push_back(query.int64(2));
        rounds.back().weights.push_back(float(query.real(3)));
    }
    return rounds;
}

std::vector<RunItem> RunRepository::items(qint64 runId) {
    std::vector<RunItem> items;
    Statement query(m_db, kSelectRunItems);
    query.bind(1, runId);
    while (query.step())
        items.push_back({query.int64(0), query.int64(1), query.text(2)});
    return items;
}

} // namespace winnow::core
