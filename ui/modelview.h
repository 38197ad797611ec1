#pragma once

#include "core/loop/loopactions.h"
#include "core/loop/modelreport.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QSpinBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class AutolabelPanel;
class ThumbnailCache;
class TrainingProcess;

// What the model says about the labels: a prediction set's confusion matrix and per-class
// precision and recall, its surest mistakes, automated labeling at a chosen accuracy (with the
// accuracy-coverage curve, rounds applied and reverted), and the labeling queue ordered by the
// model's uncertainty. Predictions and cross-fitting run in a winnow-cli process.
class ModelView final : public QWidget {
    Q_OBJECT

public:
    explicit ModelView(QWidget *parent = nullptr);
    ~ModelView() override;

    void setProject(core::Project *project);
    void setCliPath(const QString &path);
    // Re-reads the prediction sets, rounds and the queue's order.
    void reload();
    bool isWorking() const;
    // Enough answers came since the queue was ranked to retrain and re-rank.
    bool retrainDue();

    // The prediction set shown (0: none).
    qint64 setId() const;
    void showSet(qint64 setId);
    void setTargetAccuracy(double target);
    // Applies the proposal shown; returns the round (0: nothing applied).
    qint64 applyAutolabel();
    // Reverts the round selected in the rounds table.
    bool revertSelectedRound();
    // Background work: run `runId`'s model over every item / K-fold cross-fitting.
    void predictWithRun(qint64 runId);
    void findLabelErrors(int folds);
    // Active learning: trains the ranking run's settings again on the labels of now, predicts
    // with the new run and ranks the queue by it.
    void retrainAndRerank();
    void cancel();

Q_SIGNALS:
    void failed(const QString &message);
    void openItem(qint64 itemId); // show it in the browser
    void labelsChanged();         // machine labels applied or reverted
    void flagsChanged();          // label-error flags replaced
    void workFinished();

private:
    void showReport();
    void showMistakes(const core::ModelReport &report);
    void choosePrediction();
    void chooseLabelErrors();
    void orderQueue(bool byUncertainty);
    void runCli(const QStringList &arguments, const QString &what);
    void workDone(const QString &error);
    void loadActiveLearning();
    void thumbnailReady(qint64 itemId);

    core::Project *m_project = nullptr;
    TrainingProcess *m_process = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QString m_working; // what the process does, empty when idle
    // Retrain and re-rank: the steps after the process ends.
    enum class Step { None, Retrain, Rerank };
    Step m_step = Step::None;
    qint64 m_retrainedRun = 0;

    QComboBox *m_sets = nullptr;
    QPushButton *m_predict = nullptr;
    QPushButton *m_errors = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_confusion = nullptr;
    QTableWidget *m_perClass = nullptr;
    QListWidget *m_mistakes = nullptr;
    QHash<qint64, QListWidgetItem *> m_waiting;
    AutolabelPanel *m_autolabel = nullptr;
    QLabel *m_queueState = nullptr;
    QSpinBox *m_retrainAfter = nullptr;
    QPushButton *m_retrain = nullptr;
    QTableWidget *m_alRounds = nullptr;
};

} // namespace winnow::ui
