#pragma once

#include "core/train/runs.h"

#include <QStringList>
#include <QWidget>
#include <vector>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class RunsModel;

// The runs of a project as a table a data scientist works with: sortable, filtered by any text,
// compared by any aggregate of a per-epoch metric, experiment, tags and notes edited in place
// (F2), several selected to overlay their curves, and exported as CSV with a run's metrics.
class RunsPanel final : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(QWidget *parent = nullptr);

    void setProject(core::Project *project);
    // Shows `runs`, keeping the selected run selected.
    void setRuns(std::vector<core::RunRecord> runs);
    const RunsModel *model() const { return m_runs; }

    qint64 selectedRunId() const; // the run last clicked among those selected; 0: none
    std::vector<qint64> selectedRunIds() const;
    void selectRun(qint64 runId);

    // The runs shown (filtered and sorted as shown), or a run's per-epoch metrics, as CSV.
    bool writeTableCsv(const QString &path);
    bool writeMetricsCsv(qint64 runId, const QString &path);

Q_SIGNALS:
    void selectionChanged();
    void described(); // a run's experiment, notes or tags changed: the runs want reloading
    void failed(const QString &message);
    void message(const QString &text);

private:
    void showChosenMetric();
    void describeRun(qint64 runId, const QString &experiment, const QString &notes,
                     const QStringList &tags);
    void exportTable();
    void exportMetrics();

    core::Project *m_project = nullptr;
    RunsModel *m_runs = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_metric = nullptr;
    QPushButton *m_exportTable = nullptr, *m_exportMetrics = nullptr;
};

} // namespace winnow::ui
