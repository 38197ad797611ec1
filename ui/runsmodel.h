#pragma once

#include "core/train/runs.h"

#include <QAbstractTableModel>
#include <QHash>
#include <optional>
#include <vector>

namespace winnow::ui {

// The runs of a project, newest first, one column per figure; each finished run is compared
// with its comparable full-data run. Sort through a QSortFilterProxyModel on kSortRole.
class RunsModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        Run,
        Experiment,
        Strategy,
        Fraction,
        Epochs,
        Status,
        Labels,
        TotalSeconds,
        SecondsPerEpoch,
        SelectionSeconds,
        BestVal,
        TestAccuracy,
        SpeedUp,
        AccuracyChange,
        CpuHours,
        Cost,
        Tags,
        Notes,
        Chosen, // the metric setChosenMetric names
        ColumnCount
    };
    static constexpr int kRunIdRole = Qt::UserRole;
    static constexpr int kSortRole = Qt::UserRole + 1; // numbers sort as numbers

    explicit RunsModel(QObject *parent = nullptr);

    // The runs in the order they were created; shown newest first.
    void setRuns(std::vector<core::RunRecord> runs);
    const std::vector<core::RunRecord> &runs() const { return m_runs; }
    const core::RunRecord *run(qint64 runId) const;
    // A metric of every run ("val_accuracy.max"), shown in the Chosen column.
    void setChosenMetric(const QString &name, QHash<qint64, std::optional<double>> values);
    QString chosenMetric() const { return m_chosenMetric; }
    // What the Cost column charges for an hour of one core's processor time, in US dollars.
    void setPricePerCoreHour(double price);
    // The row of a run, or -1.
    int rowOf(qint64 runId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    // Experiment, tags and notes are edited in place (F2); the edit is handed on, not stored.
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

Q_SIGNALS:
    void describeRequested(qint64 runId, const QString &experiment, const QString &notes,
                           const QStringList &tags);

private:
    const core::RunRecord &runAt(int row) const;
    QString text(const core::RunRecord &run, int column) const;
    QVariant sortValue(const core::RunRecord &run, int column) const;

    const core::RunRecord *baselineOf(const core::RunRecord &run) const;

    std::vector<core::RunRecord> m_runs;
    double m_pricePerCoreHour = core::kDefaultPricePerCoreHour;
    QString m_chosenMetric;
    QHash<qint64, std::optional<double>> m_chosen;
    std::vector<const core::RunRecord *> m_baselines; // comparableBaseline of each run, by index
};

} // namespace winnow::ui
