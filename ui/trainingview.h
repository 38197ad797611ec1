#pragma once

#include "core/train/runs.h"

#include <QHash>
#include <QWidget>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class GlisterOptionsBox;
class RunChart;
class RunsPanel;
class SubsetView;
class TrainingProcess;

// The Train tab: one click trains the ResNet-18 on the current labels with the chosen strategies
// at the chosen fractions (plus a full-data baseline), draws every run's curves live, keeps the
// results table of speed-up and accuracy, and shows which images each selection round kept.
// Runs train in winnow-cli processes (TrainingProcess).
class TrainingView : public QWidget {
    Q_OBJECT

public:
    explicit TrainingView(QWidget *parent = nullptr);
    // Writes the runs shown (filtered and sorted as shown) or a run's per-epoch metrics as CSV.
    bool writeTableCsv(const QString &path);
    bool writeMetricsCsv(qint64 runId, const QString &path);
    ~TrainingView() override;

    void setProject(core::Project *project);
    bool isTraining() const;
    // The winnow-cli that runs training; by default the one beside this executable.
    void setCliPath(const QString &path);
    // The network width, epochs and threads a plan starts from (Preferences; 0 threads: one
    // per core).
    void setDefaults(int width, int epochs, int threads);
    // The runs the Train button would start, from the controls.
    std::vector<core::TrainOptions> plan() const;

    void start();
    // K full-data runs on stratified group folds of train and val; the summary when they end.
    void crossValidate(int folds);
    void chooseCrossValidation();
    // A tuning experiment with the form's settings and these `winnow-cli tune` options.
    void tune(const QStringList &tuneArguments);
    void chooseTuning();
    void cancel();
    void resumeSelected();
    void selectRun(qint64 runId);

Q_SIGNALS:
    void failed(const QString &message);
    void trainingFinished();
    // The person asked to see the leaks that hold training back (in the Curate tab).
    void showLeaksRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    int m_threads = 0; // of every run; 0: one per core
    QLabel *m_estimate = nullptr;
    // The plan's time from the speed of a finished run, before it starts.
    void updateEstimate();
    void buildControls(QWidget *panel);
    void runPlan(std::vector<core::TrainOptions> plan, qint64 resumeId);
    // Fixes the labels, asks about leaks, names the experiment ("KIND time") and runs.
    void startPlan(std::vector<core::TrainOptions> plan, const QString &kind);
    void onEpoch(qint64 runId, const core::EpochMetrics &metrics);
    void onFinished(const QString &error);
    void reloadRuns();
    void fillLabelSources();
    void fillWeightSources(const std::vector<core::RunRecord> &runs);

    void chooseWeightsFile();
    void describeLabelSource();
    // Whether to go on although train and val/test share near copies; asks when they do.
    std::optional<bool> confirmLeaks();
    // Fixes `options.labels` to what they mean now and asks about leaks; false: do not train.
    bool fixLabelsAndLeaks(core::TrainOptions &options);
    void redrawChart();
    void updateButtons();
    qint64 selectedRunId() const;

    core::Project *m_project = nullptr;
    RunsPanel *m_runsPanel = nullptr;
    QHash<qint64, std::vector<core::EpochMetrics>> m_curves;

    QCheckBox *m_glister = nullptr, *m_random = nullptr, *m_full = nullptr;
    QLineEdit *m_fractions = nullptr;
    QSpinBox *m_epochs = nullptr, *m_selectEvery = nullptr, *m_seed = nullptr;
    QComboBox *m_width = nullptr;
    GlisterOptionsBox *m_glisterBox = nullptr;
    QPushButton *m_train = nullptr, *m_cancel = nullptr, *m_resume = nullptr;
    QPushButton *m_crossValidate = nullptr, *m_tune = nullptr;
    bool m_tuning = false;
    int m_cvFolds = 0; // the plan running is a cross-validation of this many folds
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QComboBox *m_labels = nullptr;
    QComboBox *m_initFrom = nullptr;
    QLineEdit *m_experiment = nullptr;
    QSpinBox *m_freezeEpochs = nullptr;
    QCheckBox *m_alsoScratch = nullptr;
    QDoubleSpinBox *m_bodyLrScale = nullptr;
    QLabel *m_labelSource = nullptr;
    RunChart *m_chart = nullptr;
    SubsetView *m_subset = nullptr;
    TrainingProcess *m_process = nullptr;
};

} // namespace winnow::ui
