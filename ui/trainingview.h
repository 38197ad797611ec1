#pragma once

#include "core/train/runs.h"

#include <QHash>
#include <QWidget>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QProcess;

class QChartView;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

// The Train tab: one click trains the ResNet-18 on the current labels with the chosen strategies
// at the chosen fractions (plus a full-data baseline), draws every run's curves live, keeps the
// results table of speed-up and accuracy, and shows which images each selection round kept.
// Each run is a `winnow-cli train --json` process: the GUI stays responsive, a crash in native
// training code cannot take the labeling work down with it, and the memory is returned after
// every run.
class TrainingView : public QWidget {
    Q_OBJECT

public:
    explicit TrainingView(QWidget *parent = nullptr);
    ~TrainingView() override;

    void setProject(core::Project *project);
    bool isTraining() const { return m_process != nullptr; }
    // The winnow-cli that runs training; by default the one beside this executable.
    void setCliPath(const QString &path) { m_cliPath = path; }
    // The runs the Train button would start, from the controls.
    std::vector<core::TrainOptions> plan() const;

    void start();
    void cancel();
    void resumeSelected();
    void selectRun(qint64 runId);

Q_SIGNALS:
    void failed(const QString &message);
    void trainingFinished();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void buildControls(QWidget *panel);
    void runPlan(std::vector<core::TrainOptions> plan, qint64 resumeId);
    void startProcess(const QStringList &arguments);
    void readOutput();
    void processFinished(int exitCode);
    void onEpoch(qint64 runId, const core::EpochMetrics &metrics);
    void onFinished(const QString &error);
    void reloadRuns();
    void showLabelSource();
    void redrawChart();
    void showSubset();
    void updateButtons();
    qint64 selectedRunId() const;

    core::Project *m_project = nullptr;
    std::vector<core::RunRecord> m_runs;
    QHash<qint64, std::vector<core::EpochMetrics>> m_curves;

    QCheckBox *m_glister = nullptr, *m_random = nullptr, *m_full = nullptr, *m_bfloat16 = nullptr;
    QLineEdit *m_fractions = nullptr;
    QSpinBox *m_epochs = nullptr, *m_selectEvery = nullptr, *m_seed = nullptr;
    QComboBox *m_width = nullptr, *m_selectionType = nullptr, *m_greedy = nullptr;
    QDoubleSpinBox *m_kappa = nullptr;
    QPushButton *m_train = nullptr, *m_cancel = nullptr, *m_resume = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_labelSource = nullptr;
    QComboBox *m_metric = nullptr, *m_axis = nullptr;
    QChartView *m_chart = nullptr;
    QTableWidget *m_table = nullptr;
    QComboBox *m_round = nullptr;
    QLabel *m_subsetSummary = nullptr;
    QListWidget *m_subset = nullptr;

    QString m_cliPath;
    QProcess *m_process = nullptr;
    std::vector<core::TrainOptions> m_pending; // runs still to start after the current one
    int m_total = 0;
    bool m_cancelled = false;
    QString m_errors; // the current process's standard error
};

} // namespace winnow::ui
