#include "ui/modelview.h"

#include "core/consensus/review.h"
#include "core/label/labelsource.h"
#include "core/store/flagrepository.h"
#include "core/store/predictionrepository.h"
#include "core/store/project.h"
#include "core/train/runs.h"
#include "ui/autolabelpanel.h"
#include "ui/runchart.h"
#include "ui/thumbnailcache.h"
#include "ui/trainingprocess.h"

#include <QComboBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace winnow::ui {
namespace {

constexpr int kMistakesShown = 120;
// Cross-fitting from the GUI: short runs, as winnow-cli label-errors does by default.
constexpr int kCrossFitEpochs = 10;
constexpr int kCrossFitWidth = 16;

// The answers the project waits for before offering to retrain (Model tab setting).
int retrainAfter(core::Project &project) {
    const auto value = project.setting(QStringLiteral("loop/retrain_after"));
    const int after = value ? value->toInt() : 0;
    return after > 0 ? after : core::kDefaultRetrainAfter;
}

} // namespace

ModelView::ModelView(QWidget *parent)
    : QWidget(parent)
    , m_process(new TrainingProcess(this))
    , m_thumbnails(new ThumbnailCache(this)) {
    auto *layout = new QVBoxLayout(this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Predictions")));
    m_sets = new QComboBox;
    m_sets->setObjectName(QStringLiteral("predictionSets"));
    m_sets->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_sets->setToolTip(tr("Stored predictions: a run's model over every image, or a K-fold "
                          "cross-fitting (every labeled image predicted by a model that never "
                          "trained on it)"));
    bar->addWidget(m_sets);
    m_predict = new QPushButton(tr("Predict with Run…"));
    m_predict->setToolTip(tr("Run a finished run's model over every image and keep its "
                             "predictions (confusion matrix, automated labeling, queue order)"));
    bar->addWidget(m_predict);
    m_errors = new QPushButton(tr("Find Label Errors…"));
    m_errors->setToolTip(tr("K-fold cross-fitting: K short runs, each predicting the images it "
                            "held out; a label-noise model fitted to the predictions says how many "
                            "labels are wrong, and the ones the predictions contradict most are "
                            "flagged (Curate tab, Review tab's Model disagrees)"));
    bar->addWidget(m_errors);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    bar->addWidget(m_progress);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the prediction or cross-fitting (Esc)"));
    m_cancel->setShortcut(Qt::Key_Escape);
    m_cancel->setVisible(false);
    bar->addWidget(m_cancel);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("modelStatus"));
    bar->addWidget(m_status, 1);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(Qt::Horizontal);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("modelSummary"));
    m_summary->setWordWrap(true);
    leftLayout->addWidget(m_summary);
    m_confusion = new QTableWidget;
    m_confusion->setObjectName(QStringLiteral("confusion"));
    m_confusion->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confusion->setToolTip(tr("Confusion matrix: rows are the labels, columns what the model "
                               "predicts; the darker a cell, the larger its share of the row"));
    leftLayout->addWidget(m_confusion, 2);
    m_perClass = new QTableWidget(0, 4);
    m_perClass->setObjectName(QStringLiteral("perClass"));
    m_perClass->setHorizontalHeaderLabels(
        {tr("Class"), tr("Precision"), tr("Recall"), tr("Images")});
    m_perClass->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_perClass->verticalHeader()->hide();
    m_perClass->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_perClass->setToolTip(tr("Precision: of the images the model puts in a class, the share "
                              "labeled so. Recall: of the images labeled a class, the share the "
                              "model finds"));
    leftLayout->addWidget(m_perClass, 1);
    splitter->addWidget(left);

    m_mistakes = new QListWidget;
    m_mistakes->setObjectName(QStringLiteral("mistakes"));
    m_mistakes->setViewMode(QListView::IconMode);
    m_mistakes->setIconSize(QSize(72, 72));
    m_mistakes->setGridSize(QSize(144, 112));
    m_mistakes->setResizeMode(QListView::Adjust);
    m_mistakes->setMovement(QListView::Static);
    m_mistakes->setUniformItemSizes(true);
    m_mistakes->setWordWrap(true);
    m_mistakes->setToolTip(tr("The model's mistakes on images it never trained on, surest "
                              "first; Enter or a double click shows the image in the browser"));
    splitter->addWidget(m_mistakes);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 5);
    auto *lower = new QHBoxLayout;

    m_autolabel = new AutolabelPanel;
    lower->addWidget(m_autolabel, 3);

    auto *active = new QGroupBox(tr("Active learning"));
    auto *activeLayout = new QVBoxLayout(active);
    auto *queue = new QVBoxLayout;
    auto *byUncertainty = new QPushButton(tr("Order Queue by &Uncertainty"));
    byUncertainty->setObjectName(QStringLiteral("orderByUncertainty"));
    byUncertainty->setToolTip(tr("Annotators get the unlabeled images the model is least sure "
                                 "of first, the predicted classes in turn (active learning); "
                                 "predict again after new answers to re-rank"));
    auto *byDefault = new QPushButton(tr("&Default Queue Order"));
    byDefault->setToolTip(tr("Back to the queue's own shuffled order"));
    m_queueState = new QLabel;
    m_queueState->setObjectName(QStringLiteral("queueState"));
    m_queueState->setWordWrap(true);
    queue->addWidget(byUncertainty);
    queue->addWidget(byDefault);
    queue->addWidget(m_queueState);
    auto *after = new QHBoxLayout;
    after->addWidget(new QLabel(tr("Offer to retrain after")));
    m_retrainAfter = new QSpinBox;
    m_retrainAfter->setRange(10, 100000);
    m_retrainAfter->setSingleStep(100);
    m_retrainAfter->setValue(core::kDefaultRetrainAfter);
    m_retrainAfter->setSuffix(tr(" answers"));
    m_retrainAfter->setToolTip(tr("When annotators have given this many answers since the queue "
                                  "was ranked, the Model tab offers to retrain and re-rank"));
    after->addWidget(m_retrainAfter);
    queue->addLayout(after);
    m_retrain = new QPushButton(tr("Retrain and Re-ran&k"));
    m_retrain->setObjectName(QStringLiteral("retrain"));
    m_retrain->setToolTip(tr("Train the ranking run's settings again on today's labels, predict "
                             "with the new run and rank the queue by it"));
    queue->addWidget(m_retrain);
    activeLayout->addLayout(queue);
    m_alRounds = new QTableWidget(0, 6);
    m_alRounds->setObjectName(QStringLiteral("activeLearningRounds"));
    m_alRounds->setHorizontalHeaderLabels({tr("Ranked"), tr("Run"), tr("Human answers"),
                                           tr("Machine labels"), tr("Machine accuracy"),
                                           tr("Val accuracy")});
    m_alRounds->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_alRounds->verticalHeader()->hide();
    m_alRounds->setMaximumHeight(110);
    m_alRounds->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_alRounds->setToolTip(tr("Each ranking of the queue: the answers and machine labels there "
                              "were, the machine labels' estimated accuracy (lower bound) and "
                              "the ranking run's validation accuracy"));
    activeLayout->addWidget(m_alRounds);
    lower->addWidget(active, 1);
    layout->addLayout(lower, 0);

    connect(m_sets, &QComboBox::currentIndexChanged, this, &ModelView::showReport);
    connect(m_autolabel, &AutolabelPanel::failed, this, &ModelView::failed);
    connect(m_autolabel, &AutolabelPanel::labelsChanged, this, &ModelView::labelsChanged);
    connect(m_autolabel, &AutolabelPanel::said, m_status, &QLabel::setText);
    connect(m_predict, &QPushButton::clicked, this, &ModelView::choosePrediction);
    connect(m_errors, &QPushButton::clicked, this, &ModelView::chooseLabelErrors);
    connect(m_cancel, &QPushButton::clicked, this, &ModelView::cancel);
    connect(byUncertainty, &QPushButton::clicked, this, [this] { orderQueue(true); });
    connect(byDefault, &QPushButton::clicked, this, [this] { orderQueue(false); });
    connect(m_retrain, &QPushButton::clicked, this, &ModelView::retrainAndRerank);
    connect(m_retrainAfter, &QSpinBox::valueChanged, this, [this](int value) {
        if (m_project)
            (void)m_project->setSetting(QStringLiteral("loop/retrain_after"),
                                        QString::number(value));
        loadActiveLearning();
    });
    connect(m_process, &TrainingProcess::runStarted, this,
            [this](qint64 runId) { m_retrainedRun = runId; });
    connect(m_mistakes, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        Q_EMIT openItem(item->data(Qt::UserRole).toLongLong());
    });
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &ModelView::thumbnailReady);
    connect(m_process, &TrainingProcess::progress, this,
            [this](qint64 done, qint64 total, const QString &stage) {
                m_progress->setRange(0, int(std::max<qint64>(total, 1)));
                m_progress->setValue(int(done));
                m_status->setText(tr("%1: %2").arg(m_working, stage));
            });
    connect(m_process, &TrainingProcess::epochDone, this,
            [this](qint64 runId, const core::EpochMetrics &m) {
                m_status->setText(
                    tr("%1: run %2, epoch %3").arg(m_working).arg(runId).arg(m.epoch));
            });
    connect(m_process, &TrainingProcess::message, this, [this](const QString &line) {
        if (!line.startsWith(u'{'))
            m_status->setText(tr("%1: %2").arg(m_working, line));
    });
    connect(m_process, &TrainingProcess::finished, this, &ModelView::workDone);
}

ModelView::~ModelView() = default;

void ModelView::setProject(core::Project *project) {
    if (project != m_project)
        m_thumbnails->setProject(project ? project->directory() : QString());
    m_project = project;
    reload();
}

void ModelView::setCliPath(const QString &path) {
    m_process->setCliPath(path);
}

bool ModelView::isWorking() const {
    return m_process->isRunning();
}

qint64 ModelView::setId() const {
    return m_sets->currentData().toLongLong();
}

void ModelView::reload() {
    const qint64 shown = setId();
    {
        const QSignalBlocker block(m_sets);
        m_sets->clear();
        if (m_project)
            if (const auto sets =
                    core::attempt([&] { return core::PredictionRepository(*m_project).list(); }))
                for (const core::PredictionSet &set : *sets) {
                    QStringList runs;
                    for (qint64 run : set.runIds)
                        runs << QString::number(run);
                    m_sets->addItem(set.kind == core::PredictionKind::CrossFit
                                        ? tr("%1: cross-fit, %2 folds (runs %3), %4 images")
                                              .arg(set.id)
                                              .arg(set.runIds.size())
                                              .arg(runs.join(QStringLiteral(", ")))
                                              .arg(set.items)
                                        : tr("%1: run %2, %3 images")
                                              .arg(set.id)
                                              .arg(runs.join(u','))
                                              .arg(set.items),
                                    set.id);
                }
        const int keep = m_sets->findData(shown);
        m_sets->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    if (m_sets->count() == 0)
        m_summary->setText(tr("No predictions yet: Predict with Run… runs a finished run's model "
                              "over the images; Find Label Errors… cross-fits the labeled ones."));
    showReport();
    const auto ranked =
        m_project
            ? core::attempt([&] { return core::PredictionRepository(*m_project).rankedItems(); })
            : core::Result<qint64>(qint64(0));
    m_queueState->setText(ranked && *ranked > 0
                              ? tr("The labeling queue asks for %Ln images by uncertainty first.",
                                   nullptr, int(*ranked))
                              : tr("The labeling queue keeps its own order."));
    loadActiveLearning();
}

void ModelView::loadActiveLearning() {
    m_alRounds->setRowCount(0);
    m_retrain->setEnabled(false);
    if (!m_project)
        return;
    {
        const QSignalBlocker block(m_retrainAfter);
        m_retrainAfter->setValue(retrainAfter(*m_project));
    }
    const auto rounds = core::activeLearningRounds(*m_project);
    if (!rounds)
        return;
    m_alRounds->setRowCount(int(rounds->size()));
    const auto figure = [](double value) {
        return value < 0 ? QStringLiteral("-") : QString::number(value, 'f', 3);
    };
    for (int r = 0; r < int(rounds->size()); ++r) {
        const core::ActiveLearningRound &round = (*rounds)[size_t(r)];
        const QString values[] = {
            round.at.left(16).replace(u'T', u' '), QString::number(round.runId),
            QString::number(round.humanAnswers),   QString::number(round.machineLabels),
            figure(round.machineAccuracy),         figure(round.valAccuracy)};
        for (int c = 0; c < 6; ++c)
            m_alRounds->setItem(r, c, numberCell(values[c]));
    }
    const auto since = core::answersSinceRanking(*m_project);
    if (!since || *since < 0 || rounds->empty())
        return;
    m_retrain->setEnabled(!isWorking());
    if (*since >= m_retrainAfter->value())
        m_queueState->setText(tr("<b>%Ln new answers</b> since the queue was ranked: retrain and "
                                 "re-rank so the model asks for what it still does not know.",
                                 nullptr, int(*since)));
    else
        m_queueState->setText(m_queueState->text() +
                              tr(" %Ln new answers since it was ranked.", nullptr, int(*since)));
}

bool ModelView::retrainDue() {
    if (!m_project)
        return false;
    const auto since = core::answersSinceRanking(*m_project);
    return since && *since >= retrainAfter(*m_project);
}

void ModelView::retrainAndRerank() {
    if (!m_project || m_process->isRunning())
        return;
    const auto rounds = core::activeLearningRounds(*m_project);
    if (!rounds || rounds->empty())
        return;
    const auto run = core::findRun(*m_project, rounds->back().runId);
    if (!run) {
        Q_EMIT failed(run.error().message);
        return;
    }
    core::TrainOptions options = run->options;
    options.labels = QStringLiteral("current"); // today's labels, with the new answers
    options.initFrom.clear();
    m_step = Step::Retrain;
    m_retrainedRun = 0;
    m_working = tr("Retraining");
    m_status->setText(m_working);
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_predict->setEnabled(false);
    m_errors->setEnabled(false);
    m_retrain->setEnabled(false);
    m_process->start(m_project->directory(), {options});
}

void ModelView::showSet(qint64 id) {
    const int index = m_sets->findData(id);
    if (index >= 0)
        m_sets->setCurrentIndex(index);
}

void ModelView::setTargetAccuracy(double target) {
    m_autolabel->setTargetAccuracy(target);
}

void ModelView::showReport() {
    m_confusion->clear();
    m_confusion->setRowCount(0);
    m_confusion->setColumnCount(0);
    m_perClass->setRowCount(0);
    m_mistakes->clear();
    m_waiting.clear();
    m_autolabel->show(m_project, setId());
    if (!m_project || setId() == 0)
        return;
    const auto report = core::modelReport(*m_project, setId());
    if (!report) {
        Q_EMIT failed(report.error().message);
        return;
    }
    m_summary->setText(tr("Accuracy <b>%1</b> on %2 images: %3. %Ln mistakes on held-out images.",
                          nullptr, int(report->mistakes.size()))
                           .arg(percentText(report->accuracy()))
                           .arg(report->evaluated)
                           .arg(report->evaluatedOn));
    const int k = int(report->classNames.size());
    m_confusion->setRowCount(k);
    m_confusion->setColumnCount(k);
    m_confusion->setHorizontalHeaderLabels(report->classNames);
    m_confusion->setVerticalHeaderLabels(report->classNames);
    const QColor hot = palette().color(QPalette::Highlight);
    for (int r = 0; r < k; ++r) {
        const qint64 row = report->perClass[size_t(r)].support;
        for (int c = 0; c < k; ++c) {
            const qint64 n = report->confusion[size_t(r)][size_t(c)];
            auto *item = numberCell(QString::number(n), Qt::AlignCenter);
            const double share = row > 0 ? double(n) / double(row) : 0;
            QColor fill = hot;
            fill.setAlphaF(float(0.08 + 0.85 * share));
            item->setBackground(n > 0 ? fill : QColor(Qt::transparent));
            item->setToolTip(
                tr("%1 images labeled %2, predicted %3 (%4 of the row)")
                    .arg(n)
                    .arg(report->classNames[r], report->classNames[c], percentText(share)));
            m_confusion->setItem(r, c, item);
        }
    }
    m_confusion->resizeColumnsToContents();
    m_confusion->resizeRowsToContents();
    m_perClass->setRowCount(k);
    for (int r = 0; r < k; ++r) {
        const core::ClassMetrics &m = report->perClass[size_t(r)];
        m_perClass->setItem(r, 0, numberCell(report->classNames[r], Qt::AlignLeft));
        m_perClass->setItem(r, 1, numberCell(QString::number(m.precision(), 'f', 3)));
        m_perClass->setItem(r, 2, numberCell(QString::number(m.recall(), 'f', 3)));
        m_perClass->setItem(r, 3, numberCell(QString::number(m.support)));
    }
    showMistakes(*report);
}

void ModelView::showMistakes(const core::ModelReport &report) {
    const auto current = core::currentLabels(*m_project);
    QHash<qint64, QString> names;
    if (const auto classes = m_project->classes())
        for (const core::ClassInfo &c : *classes)
            names.insert(c.id, c.name);
    for (size_t i = 0; i < std::min(report.mistakes.size(), size_t(kMistakesShown)); ++i) {
        const core::ModelMistake &m = report.mistakes[i];
        auto *item = new QListWidgetItem(
            tr("%1 → %2\n%3")
                .arg(report.classNames.value(m.given), report.classNames.value(m.predicted))
                .arg(percentText(m.confidence)));
        item->setData(Qt::UserRole, m.itemId);
        item->setData(Qt::UserRole + 1, m.path);
        QStringList answers;
        if (const auto given = core::itemAnswers(*m_project, m.itemId, 0))
            for (const core::ItemAnswer &a : *given)
                answers << tr("%1 says %2").arg(a.annotator, a.className);
        const QString label = current && current->contains(m.itemId)
                                  ? names.value(current->value(m.itemId))
                                  : tr("none");
        item->setToolTip(
            tr("%1 (%2)\nlabeled %3, the model says %4 with %5\ncurrent label: %6\n%7")
                .arg(QFileInfo(m.path).fileName(), m.split, report.classNames.value(m.given),
                     report.classNames.value(m.predicted), percentText(m.confidence), label,
                     answers.isEmpty() ? tr("no answers") : answers.join(QLatin1Char('\n'))));
        m_mistakes->addItem(item);
        const QPixmap pixmap = m_thumbnails->pixmap(m.itemId, m.path);
        if (pixmap.isNull())
            m_waiting.insert(m.itemId, item);
        else
            item->setIcon(pixmap);
    }
}

void ModelView::thumbnailReady(qint64 itemId) {
    QListWidgetItem *item = m_waiting.take(itemId);
    if (!item)
        return;
    const QPixmap pixmap = m_thumbnails->pixmap(itemId, item->data(Qt::UserRole + 1).toString());
    if (pixmap.width() > 1)
        item->setIcon(pixmap);
}

qint64 ModelView::applyAutolabel() {
    return m_autolabel->apply();
}

bool ModelView::revertSelectedRound() {
    return m_autolabel->revertSelected();
}

void ModelView::orderQueue(bool byUncertainty) {
    if (!m_project)
        return;
    if (byUncertainty) {
        if (setId() == 0) {
            Q_EMIT failed(tr("Predict with a run first: the order comes from its predictions"));
            return;
        }
        const auto ranked = core::orderQueueByUncertainty(*m_project, setId());
        if (!ranked)
            Q_EMIT failed(ranked.error().message);
    } else if (const auto cleared = core::clearQueueOrder(*m_project); !cleared) {
        Q_EMIT failed(cleared.error().message);
    }
    reload();
}

void ModelView::choosePrediction() {
    if (!m_project)
        return;
    const auto runs = core::listRuns(*m_project);
    if (!runs)
        return;
    QStringList names;
    std::vector<qint64> ids;
    for (auto it = runs->rbegin(); it != runs->rend(); ++it)
        if (it->status == core::RunStatus::Finished) {
            names << tr("%1 (test accuracy %2)")
                         .arg(runLabel(*it))
                         .arg(it->testAccuracy ? QString::number(*it->testAccuracy, 'f', 3)
                                               : QStringLiteral("-"));
            ids.push_back(it->id);
        }
    if (ids.empty()) {
        Q_EMIT failed(tr("No finished run yet: train one in the Train tab"));
        return;
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        this, tr("Predict with Run"), tr("Whose model labels every image?"), names, 0, false, &ok);
    if (ok)
        predictWithRun(ids[size_t(names.indexOf(chosen))]);
}

void ModelView::chooseLabelErrors() {
    bool ok = false;
    const int folds = QInputDialog::getInt(
        this, tr("Find Label Errors"),
        tr("Folds: each trains a run of %1 epochs (width %2) on the others and predicts its own "
           "images. More folds train on more, and take longer.")
            .arg(kCrossFitEpochs)
            .arg(kCrossFitWidth),
        5, 2, 20, 1, &ok);
    if (ok)
        findLabelErrors(folds);
}

void ModelView::predictWithRun(qint64 runId) {
    runCli({QStringLiteral("predict"), m_project->directory(), QStringLiteral("--run"),
            QString::number(runId)},
           tr("Predicting with run %1").arg(runId));
}

void ModelView::findLabelErrors(int folds) {
    runCli({QStringLiteral("label-errors"), m_project->directory(), QStringLiteral("--folds"),
            QString::number(folds), QStringLiteral("--epochs"), QString::number(kCrossFitEpochs),
            QStringLiteral("--width"), QString::number(kCrossFitWidth), QStringLiteral("--json")},
           tr("Cross-fitting %1 folds").arg(folds));
}

void ModelView::runCli(const QStringList &arguments, const QString &what) {
    if (!m_project || m_process->isRunning())
        return;
    m_retrain->setEnabled(false);
    m_working = what;
    m_status->setText(what);
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_predict->setEnabled(false);
    m_errors->setEnabled(false);
    m_process->runCommand(m_project->directory(), arguments);
}

void ModelView::cancel() {
    m_process->cancel();
}

void ModelView::workDone(const QString &error) {
    const Step step = m_step;
    m_step = Step::None;
    const bool ok = error.isEmpty() && !m_process->wasCancelled();
    if (ok && step == Step::Retrain && m_retrainedRun > 0) {
        m_step = Step::Rerank;
        m_working.clear();
        runCli({QStringLiteral("predict"), m_project->directory(), QStringLiteral("--run"),
                QString::number(m_retrainedRun)},
               tr("Predicting with run %1").arg(m_retrainedRun));
        return;
    }
    if (ok && step == Step::Rerank) {
        const auto set = core::attempt([&] {
            return core::PredictionRepository(*m_project)
                .latest(core::PredictionKind::Run, m_retrainedRun);
        });
        if (set && *set) {
            const auto ranked = core::orderQueueByUncertainty(*m_project, (*set)->id);
            if (!ranked)
                Q_EMIT failed(ranked.error().message);
        }
    }
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_predict->setEnabled(true);
    m_errors->setEnabled(true);
    const QString what = m_working;
    m_working.clear();
    if (m_process->wasCancelled())
        m_status->setText(tr("%1: cancelled").arg(what));
    else if (!error.isEmpty())
        Q_EMIT failed(error);
    else if (what.startsWith(tr("Cross-fitting"))) {
        const auto counts =
            core::attempt([&] { return core::FlagRepository(*m_project).counts(); });
        m_status->setText(
            tr("%1: done, %2 likely label errors flagged (Curate tab; Review tab, Model "
               "disagrees)")
                .arg(what)
                .arg(counts ? counts->value(core::flagKindName(core::FlagKind::LabelError)) : 0));
    } else
        m_status->setText(tr("%1: done").arg(what));
    reload();
    if (m_sets->count() > 0)
        m_sets->setCurrentIndex(0); // the newest
    if (what.startsWith(tr("Cross-fitting")))
        Q_EMIT flagsChanged();
    Q_EMIT workFinished();
}

} // namespace winnow::ui
