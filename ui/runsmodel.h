#pragma once

#include "core/train/runs.h"

#include <QAbstractTableModel>
#include <vector>

namespace winnow::ui {

// The runs of a project, newest first, one column per figure; each finished run is compared
// with its comparable full-data run. Sort through a QSortFilterProxyModel on kSortRole.
class RunsModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        Run,
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
        ColumnCount
    };
    static constexpr int kRunIdRole = Qt::UserRole;
    static constexpr int kSortRole = Qt::UserRole + 1; // numbers sort as numbers

    explicit RunsModel(QObject *parent = nullptr);

    // The runs in the order they were created; shown newest first.
    void setRuns(std::vector<core::RunRecord> runs);
    const std::vector<core::RunRecord> &runs() const { return m_runs; }
    const core::RunRecord *run(qint64 runId) const;
    // What the Cost column charges for an hour of one core's processor time, in US dollars.
    void setPricePerCoreHour(double price);
    // The row of a run, or -1.
    int rowOf(qint64 runId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    const core::RunRecord &runAt(int row) const;
    QString text(const core::RunRecord &run, int column) const;
    QVariant sortValue(const core::RunRecord &run, int column) const;

    const core::RunRecord *baselineOf(const core::RunRecord &run) const;

    std::vector<core::RunRecord> m_runs;
    double m_pricePerCoreHour = core::kDefaultPricePerCoreHour;
    std::vector<const core::RunRecord *> m_baselines; // comparableBaseline of each run, by index
};

} // namespace winnow::ui
