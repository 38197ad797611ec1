#include "ui/trainingview.h"

#include "core/consensus/consolidation.h"
#include "core/curation/curation.h"
#include "core/label/labelsource.h"
#include "core/store/project.h"
#include "core/train/runprotocol.h"
#include "core/train/trainer.h"
#include "ui/glisteroptionsbox.h"
#include "ui/keyguide.h"
#include "ui/runchart.h"
#include "ui/runsmodel.h"
#include "ui/runspanel.h"
#include "ui/subsetview.h"
#include "ui/trainingprocess.h"
#include "ui/tunedialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace winnow::ui {

TrainingView::TrainingView(QWidget *parent)
    : QWidget(parent) {
    setProperty(kKeyHelpProperty,
                QStringList{tr("Ctrl+Enter\tstart the plan"), tr("Esc\tcancel the running plan")});
    auto *layout = new QHBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Horizontal);
    auto *panel = new QWidget;
    buildControls(panel);
    // On a short screen the controls scroll instead of squeezing into each other.
    auto *controls = new QScrollArea;
    controls->setObjectName(QStringLiteral("controls"));
    controls->setWidget(panel);
    controls->setWidgetResizable(true);
    controls->setFrameShape(QFrame::NoFrame);
    controls->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    controls->setMinimumWidth(panel->sizeHint().width() + 16);
    splitter->addWidget(controls);

    auto *right = new QSplitter(Qt::Vertical);
    m_chart = new RunChart;
    right->addWidget(m_chart);
    connect(m_chart, &RunChart::settingsChanged, this, &TrainingView::redrawChart);

    m_runsPanel = new RunsPanel;
    right->addWidget(m_runsPanel);
    connect(m_runsPanel, &RunsPanel::selectionChanged, this, [this] {
        m_subset->showRun(selectedRunId());
        redrawChart();
        updateButtons();
    });
    connect(m_runsPanel, &RunsPanel::described, this, &TrainingView::reloadRuns);
    connect(m_runsPanel, &RunsPanel::failed, this, &TrainingView::failed);
    connect(m_runsPanel, &RunsPanel::message, this,
            [this](const QString &text) { m_status->setText(text); });

    m_subset = new SubsetView;
    right->addWidget(m_subset);
    right->setSizes({360, 200, 220});

    m_process = new TrainingProcess(this);
    connect(m_process, &TrainingProcess::runStarted, this, [this](qint64 runId) {
        m_curves.remove(runId);
        reloadRuns();
    });
    connect(m_process, &TrainingProcess::progress, this,
            [this](qint64 done, qint64 total, const QString &stage) {
                m_progress->setRange(0, int(total));
                m_progress->setValue(int(done));
                m_progress->setFormat((m_process->total() > 1 ? tr("Run %1 of %2, %3")
                                                                    .arg(m_process->current())
                                                                    .arg(m_process->total())
                                                                    .arg(stage)
                                                              : stage) +
                                      QStringLiteral(": %v / %m"));
            });
    connect(m_process, &TrainingProcess::epochDone, this, &TrainingView::onEpoch);
    connect(m_process, &TrainingProcess::message, m_status, &QLabel::setText);
    connect(m_process, &TrainingProcess::finished, this, &TrainingView::onFinished);

    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 900});
    layout->addWidget(splitter);
    updateButtons();
}

TrainingView::~TrainingView() = default;

void TrainingView::buildControls(QWidget *panel) {
    auto *layout = new QVBoxLayout(panel);
    auto *what = new QGroupBox(tr("What to train"));
    auto *form = new QFormLayout(what);
    m_glister = new QCheckBox(tr("GLISTER"));
    m_glister->setChecked(true);
    m_glister->setToolTip(tr("GLISTER-ONLINE: every R epochs, the subset whose gradient step most "
                             "lowers the validation loss"));
    m_random = new QCheckBox(tr("Random"));
    m_random->setObjectName(QStringLiteral("random"));
    m_random->setChecked(true);
    m_random->setToolTip(
        tr("A fresh uniform random subset every R epochs (CORDS's Random-Online)"));
    m_full = new QCheckBox(tr("Full-data baseline"));
    m_full->setObjectName(QStringLiteral("full"));
    m_full->setChecked(true);
    m_full->setToolTip(tr("One run on all training images, for the speed-up and accuracy change"));
    m_labels = new QComboBox;
    m_labels->setObjectName(QStringLiteral("labels"));
    m_labels->setToolTip(
        tr("Which labels the runs train on. Current follows the consolidation marked current in "
           "the Review tab (Use for Training); any other choice stays fixed, whatever is "
           "consolidated later. Every run records its labels."));
    connect(m_labels, &QComboBox::currentIndexChanged, this, &TrainingView::describeLabelSource);
    form->addRow(tr("La&bels"), m_labels);
    m_labelSource = new QLabel;
    m_labelSource->setObjectName(QStringLiteral("labelSource"));
    m_labelSource->setWordWrap(true);
    form->addRow(m_labelSource);
    m_experiment = new QLineEdit;
    m_experiment->setObjectName(QStringLiteral("experiment"));
    m_experiment->setPlaceholderText(tr("a new one for a sweep"));
    m_experiment->setToolTip(
        tr("The experiment the runs join; left empty, a plan of several runs gets one named "
           "after the time it starts"));
    form->addRow(tr("E&xperiment"), m_experiment);
    auto *strategies = new QVBoxLayout;
    strategies->addWidget(m_glister);
    strategies->addWidget(m_random);
    strategies->addWidget(m_full);
    form->addRow(tr("Strategies"), strategies);
    m_fractions = new QLineEdit(QStringLiteral("10, 30, 50"));
    m_fractions->setObjectName(QStringLiteral("fractions"));
    m_fractions->setToolTip(
        tr("Percentages of the training images each subset run trains on, comma-separated"));
    form->addRow(tr("Fractions (%)"), m_fractions);
    m_epochs = new QSpinBox;
    m_epochs->setObjectName(QStringLiteral("epochs"));
    m_epochs->setRange(1, 1000);
    m_epochs->setValue(20);
    m_epochs->setToolTip(tr("Epochs of every run; the learning rate follows a cosine over them"));
    form->addRow(tr("Epochs"), m_epochs);
    m_selectEvery = new QSpinBox;
    m_selectEvery->setObjectName(QStringLiteral("selectEvery"));
    m_selectEvery->setRange(1, 1000);
    m_selectEvery->setValue(5);
    m_selectEvery->setToolTip(tr("R: a new subset is chosen every R epochs, from epoch R on"));
    form->addRow(tr("Select every"), m_selectEvery);
    m_width = new QComboBox;
    m_width->setObjectName(QStringLiteral("width"));
    for (int width : {8, 16, 32, 64})
        m_width->addItem(QString::number(width), width);
    m_width->setCurrentIndex(1);
    m_width->setToolTip(tr("ResNet-18 base width: 64 is the standard network; 16 trains about 12 "
                           "times faster on a CPU"));
    form->addRow(tr("Network width"), m_width);
    m_seed = new QSpinBox;
    m_seed->setRange(0, 1 << 30);
    m_seed->setToolTip(tr("Runs with the same seed repeat exactly on this machine"));
    form->addRow(tr("Seed"), m_seed);
    layout->addWidget(what);

    auto *start = new QGroupBox(tr("Start from"));
    auto *startForm = new QFormLayout(start);
    m_initFrom = new QComboBox;
    m_initFrom->setObjectName(QStringLiteral("initFrom"));
    m_initFrom->setToolTip(
        tr("Random weights, the last checkpoint of a finished run (fine-tuning: usually faster "
           "and better on small data), or a weights file: a Winnow checkpoint, a TorchScript "
           "module, or torchvision's resnet18 saved with torch.save(dict(model.state_dict()), "
           "path). The head starts afresh when the classes differ."));
    connect(m_initFrom, &QComboBox::activated, this, [this](int index) {
        if (m_initFrom->itemData(index).toString() == QLatin1String("?"))
            chooseWeightsFile();
        const bool tuning = !m_initFrom->currentData().toString().isEmpty();
        m_freezeEpochs->setEnabled(tuning);
        m_bodyLrScale->setEnabled(tuning);
        m_alsoScratch->setEnabled(tuning);
    });
    startForm->addRow(tr("&Weights"), m_initFrom);
    m_freezeEpochs = new QSpinBox;
    m_freezeEpochs->setObjectName(QStringLiteral("freezeEpochs"));
    m_freezeEpochs->setRange(0, 1000);
    m_freezeEpochs->setEnabled(false);
    m_freezeEpochs->setToolTip(tr("Train only the last layer for the first epochs, so a new head "
                                  "does not disturb the weights it starts from"));
    startForm->addRow(tr("Freeze body (epochs)"), m_freezeEpochs);
    m_bodyLrScale = new QDoubleSpinBox;
    m_bodyLrScale->setObjectName(QStringLiteral("bodyLrScale"));
    m_bodyLrScale->setRange(0.001, 1);
    m_bodyLrScale->setDecimals(3);
    m_bodyLrScale->setSingleStep(0.1);
    m_bodyLrScale->setValue(1);
    m_bodyLrScale->setEnabled(false);
    m_bodyLrScale->setToolTip(
        tr("The body's learning rate as a share of the head's (0.1: the body moves slowly)"));
    startForm->addRow(tr("Body learning rate ×"), m_bodyLrScale);
    m_alsoScratch = new QCheckBox(tr("Also from random weights"));
    m_alsoScratch->setObjectName(QStringLiteral("alsoScratch"));
    m_alsoScratch->setEnabled(false);
    m_alsoScratch->setToolTip(tr("Every run twice, fine-tuned and from scratch, so the table "
                                 "compares their time, accuracy and cost"));
    startForm->addRow(QString(), m_alsoScratch);
    layout->addWidget(start);

    m_glisterBox = new GlisterOptionsBox;
    layout->addWidget(m_glisterBox);

    m_train = new QPushButton(tr("Train"));
    m_train->setDefault(true);
    m_train->setToolTip(
        tr("Train every checked strategy at every fraction on the current labels (Ctrl+Enter)"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setToolTip(
        tr("Stop after the current mini-batch (Esc); the run can be resumed from its last epoch"));
    m_resume = new QPushButton(tr("Resume"));
    m_resume->setObjectName(QStringLiteral("resume"));
    m_resume->setToolTip(
        tr("Continue the selected cancelled or interrupted run from its last checkpoint"));
    connect(m_train, &QPushButton::clicked, this, &TrainingView::start);
    connect(m_cancel, &QPushButton::clicked, this, &TrainingView::cancel);
    connect(m_resume, &QPushButton::clicked, this, &TrainingView::resumeSelected);
    m_crossValidate = new QPushButton(tr("Cross-Vali&date…"));
    m_crossValidate->setObjectName(QStringLiteral("crossValidate"));
    m_crossValidate->setToolTip(
        tr("K full-data runs, each validating on one of K stratified folds of train and val "
           "(duplicate clusters kept whole); the mean and spread of validation accuracy"));
    connect(m_crossValidate, &QPushButton::clicked, this, &TrainingView::chooseCrossValidation);
    m_tune = new QPushButton(tr("T&une…"));
    m_tune->setObjectName(QStringLiteral("tune"));
    m_tune->setToolTip(tr("Search learning rate, weight decay, momentum and batch size with "
                          "full-data runs of the settings above; the trials are an experiment "
                          "and the best run is tagged"));
    connect(m_tune, &QPushButton::clicked, this, &TrainingView::chooseTuning);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    layout->addLayout(buttons);
    auto *studies = new QHBoxLayout;
    studies->addWidget(m_crossValidate);
    studies->addWidget(m_tune);
    layout->addLayout(studies);
    m_estimate = new QLabel;
    m_estimate->setObjectName(QStringLiteral("estimate"));
    m_estimate->setWordWrap(true);
    m_estimate->setToolTip(tr("From the speed of the newest finished run of the same width on "
                              "this machine"));
    layout->addWidget(m_estimate);
    connect(m_epochs, &QSpinBox::valueChanged, this, &TrainingView::updateEstimate);
    connect(m_width, &QComboBox::currentIndexChanged, this, &TrainingView::updateEstimate);
    connect(m_fractions, &QLineEdit::textChanged, this, &TrainingView::updateEstimate);
    for (QCheckBox *box : {m_glister, m_random, m_full})
        connect(box, &QCheckBox::toggled, this, &TrainingView::updateEstimate);
    m_progress = new QProgressBar;
    m_progress->setTextVisible(true);
    layout->addWidget(m_progress);
    m_status =
        new QLabel(tr("Trains a ResNet-18 on the current labels. Excluded images are left out."));
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("status"));
    layout->addWidget(m_status);
    layout->addStretch();
}

void TrainingView::setProject(core::Project *project) {
    if (project == m_project && project)
        return reloadRuns();
    if (m_process->isRunning())
        cancel();
    m_project = project;
    m_curves.clear();
    m_subset->setProject(project);
    m_runsPanel->setProject(project);
    reloadRuns();
}

void TrainingView::setCliPath(const QString &path) {
    m_process->setCliPath(path);
}

void TrainingView::setDefaults(int width, int epochs, int threads) {
    if (const int index = m_width->findData(width); index >= 0)
        m_width->setCurrentIndex(index);
    m_epochs->setValue(epochs);
    m_threads = threads;
}

bool TrainingView::isTraining() const {
    return m_process->isRunning();
}

std::vector<core::TrainOptions> TrainingView::plan() const {
    core::TrainOptions base;
    base.epochs = m_epochs->value();
    base.threads = m_threads;
    base.selectEvery = m_selectEvery->value();
    base.width = m_width->currentData().toInt();
    base.seed = std::uint64_t(m_seed->value());
    m_glisterBox->apply(base);
    base.labels = m_labels->currentData().toString();
    base.experiment = m_experiment->text().trimmed();
    base.initFrom = m_initFrom->currentData().toString();
    if (!base.initFrom.isEmpty()) {
        base.freezeEpochs = m_freezeEpochs->value();
        base.bodyLrScale = m_bodyLrScale->value();
    }
    if (base.labels.isEmpty())
        base.labels = QStringLiteral("current");
    std::vector<double> fractions;
    for (const QString &text : m_fractions->text().split(
             QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double value = QString(text).remove(QLatin1Char('%')).toDouble(&ok);
        if (ok && value > 0 && value < 100)
            fractions.push_back(value / 100);
    }
    std::vector<core::Strategy> strategies;
    if (m_glister->isChecked())
        strategies.push_back(core::Strategy::Glister);
    if (m_random->isChecked())
        strategies.push_back(core::Strategy::Random);
    std::vector<core::TrainOptions> runs =
        core::sweepPlan(base, strategies, fractions, m_full->isChecked());
    if (!base.initFrom.isEmpty() && m_alsoScratch->isChecked()) {
        const size_t tuned = runs.size();
        for (size_t i = 0; i < tuned; ++i) {
            core::TrainOptions scratch = runs[i];
            scratch.initFrom.clear();
            scratch.freezeEpochs = 0;
            scratch.bodyLrScale = 1;
            runs.push_back(scratch);
        }
    }
    return runs;
}

void TrainingView::start() {
    if (!m_project || m_process->isRunning())
        return;
    std::vector<core::TrainOptions> runs = plan();
    if (runs.empty()) {
        Q_EMIT failed(
            tr("Nothing to train: check a strategy and give fractions between 0 and 100"));
        return;
    }
    startPlan(std::move(runs), tr("sweep"));
}

void TrainingView::crossValidate(int folds) {
    if (!m_project || m_process->isRunning() || folds < 2)
        return;
    core::TrainOptions base = plan().empty() ? core::TrainOptions{} : plan().front();
    base.strategy = core::Strategy::Full; // the folds compare the data, not the strategies
    base.fraction = 1;
    m_cvFolds = folds;
    startPlan(core::crossValidationPlan(base, folds), tr("cv %1 folds").arg(folds));
}

void TrainingView::chooseTuning() {
    TuneDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        tune(dialog.arguments());
}

void TrainingView::tune(const QStringList &tuneArguments) {
    if (!m_project || m_process->isRunning())
        return;
    core::TrainOptions base = plan().empty() ? core::TrainOptions{} : plan().front();
    base.strategy = core::Strategy::Full;
    base.fraction = 1;
    if (!fixLabelsAndLeaks(base))
        return;
    m_tuning = true;
    m_progress->setRange(0, 0);
    m_status->setText(tr("Tuning…"));
    m_process->runCommand(m_project->directory(),
                          QStringList{QStringLiteral("tune"), m_project->directory()} +
                              core::trainArguments(base) + tuneArguments);
    updateButtons();
}

void TrainingView::chooseCrossValidation() {
    bool ok = false;
    const int folds = QInputDialog::getInt(
        this, tr("Cross-Validate"),
        tr("Folds (each trains a full-data run with one fold of train and val as val):"), 5, 2, 20,
        1, &ok);
    if (ok)
        crossValidate(folds);
}

bool TrainingView::fixLabelsAndLeaks(core::TrainOptions &options) {
    const auto source = core::fixedLabelSource(*m_project, options.labels);
    if (!source) {
        Q_EMIT failed(source.error().message);
        return false;
    }
    const std::optional<bool> allowLeaks = confirmLeaks();
    if (!allowLeaks)
        return false;
    options.labels = source->spec();
    options.allowLeaks = *allowLeaks;
    return true;
}

void TrainingView::startPlan(std::vector<core::TrainOptions> runs, const QString &kind) {
    // Every run of the plan trains on the same labels, whatever is marked current meanwhile.
    core::TrainOptions fixed = runs.front();
    if (!fixLabelsAndLeaks(fixed))
        return;
    const QString experiment =
        !runs.front().experiment.isEmpty() || runs.size() == 1
            ? runs.front().experiment
            : QStringLiteral("%1 %2").arg(
                  kind, QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm")));
    for (core::TrainOptions &run : runs) {
        run.labels = fixed.labels;
        run.allowLeaks = fixed.allowLeaks;
        run.experiment = experiment;
    }
    runPlan(std::move(runs), 0);
}

void TrainingView::resumeSelected() {
    const qint64 id = selectedRunId();
    if (!m_project || m_process->isRunning() || id == 0)
        return;
    runPlan({}, id);
}

void TrainingView::cancel() {
    if (!m_process->isRunning())
        return;
    m_process->cancel();
    m_status->setText(tr("Cancelling after the current mini-batch…"));
}

void TrainingView::runPlan(std::vector<core::TrainOptions> runs, qint64 resumeId) {
    m_progress->setRange(0, 0);
    m_status->setText(resumeId ? tr("Resuming run %1…").arg(resumeId)
                               : tr("Preparing %n run(s)…", nullptr, int(runs.size())));
    if (resumeId)
        m_process->resume(m_project->directory(), resumeId);
    else
        m_process->start(m_project->directory(), std::move(runs));
    updateButtons();
}

void TrainingView::onEpoch(qint64 runId, const core::EpochMetrics &metrics) {
    auto &curve = m_curves[runId];
    curve.erase(
        std::remove_if(curve.begin(), curve.end(),
                       [&](const core::EpochMetrics &m) { return m.epoch >= metrics.epoch; }),
        curve.end());
    curve.push_back(metrics);
    m_status->setText(tr("Run %1, epoch %2: validation accuracy %3, %4 s")
                          .arg(runId)
                          .arg(metrics.epoch)
                          .arg(metrics.valAccuracy ? QString::number(*metrics.valAccuracy, 'f', 3)
                                                   : QStringLiteral("–"))
                          .arg(metrics.epochSeconds, 0, 'f', 1));
    reloadRuns();
}

void TrainingView::onFinished(const QString &error) {
    const bool cancelled = m_process->wasCancelled();
    m_progress->setRange(0, 1);
    m_progress->setValue(cancelled ? 0 : 1);
    m_progress->setFormat(cancelled         ? tr("Cancelled")
                          : error.isEmpty() ? tr("Done")
                                            : tr("Failed"));
    if (!error.isEmpty()) {
        m_status->setText(error);
        Q_EMIT failed(error);
    } else if (cancelled) {
        m_status->setText(
            tr("Cancelled. Select the run and press Resume to continue it from its last epoch."));
    } else if (m_tuning) {
        reloadRuns();
        const auto &runs = m_runsPanel->model()->runs();
        const auto best = std::find_if(runs.rbegin(), runs.rend(), [](const core::RunRecord &r) {
            return r.tags.contains(QStringLiteral("best"));
        });
        if (best != runs.rend()) {
            m_status->setText(tr("Tuning done: run %1 is best (%2): learning rate %3, weight decay "
                                 "%4, momentum %5, batch %6")
                                  .arg(best->id)
                                  .arg(best->notes)
                                  .arg(best->options.learningRate, 0, 'g', 3)
                                  .arg(best->options.weightDecay, 0, 'g', 3)
                                  .arg(best->options.momentum, 0, 'g', 3)
                                  .arg(best->options.batchSize));
            selectRun(best->id);
        }
    } else if (m_cvFolds > 0) {
        reloadRuns(); // the folds are the newest runs
        const auto &runs = m_runsPanel->model()->runs();
        const std::vector<core::RunRecord> folds(
            runs.end() - std::min<std::ptrdiff_t>(m_cvFolds, std::ptrdiff_t(runs.size())),
            runs.end());
        m_status->setText(tr("Cross-validation done: %1").arg(core::crossValidationSummary(folds)));
    } else {
        m_status->setText(tr("Done. Select a run to see the images its selections kept."));
    }
    m_cvFolds = 0;
    m_tuning = false;
    reloadRuns();
    updateButtons();
    Q_EMIT trainingFinished();
}

std::optional<bool> TrainingView::confirmLeaks() {
    const auto leaks = core::unresolvedLeaks(*m_project);
    if (!leaks) {
        Q_EMIT failed(leaks.error().message);
        return std::nullopt;
    }
    if (*leaks == 0)
        return false;
    QMessageBox ask(QMessageBox::Warning, tr("Leaks across splits"),
                    tr("%n image(s) are in duplicate clusters that span train and validation or "
                       "test. A model that trains on one copy is tested on another, so its "
                       "validation and test accuracy will look better than it is.",
                       nullptr, int(*leaks)),
                    QMessageBox::NoButton, this);
    ask.setInformativeText(tr("Exclude or move the copies in the Curate tab, or train anyway "
                              "(the runs record that leaks were allowed)."));
    QPushButton *show = ask.addButton(tr("&Show Leaks"), QMessageBox::AcceptRole);
    QPushButton *anyway = ask.addButton(tr("&Train Anyway"), QMessageBox::DestructiveRole);
    ask.addButton(QMessageBox::Cancel);
    ask.setDefaultButton(show);
    ask.exec();
    if (ask.clickedButton() == anyway)
        return true;
    if (ask.clickedButton() == show)
        Q_EMIT showLeaksRequested();
    return std::nullopt;
}

void TrainingView::fillLabelSources() {
    const QString chosen = m_labels->currentData().toString();
    const QSignalBlocker block(m_labels);
    m_labels->clear();
    m_labels->addItem(tr("Current"), QStringLiteral("current"));
    if (m_project) {
        const auto list = core::listConsolidations(*m_project);
        for (const core::ConsolidationInfo &c : list ? *list : decltype(list.value()){}) {
            const QString name =
                tr("#%1 %2, %3").arg(c.id).arg(c.method, c.createdAt.left(16).replace(u'T', u' '));
            const core::LabelSource reviews{core::LabelSource::Kind::Reviews, c.id};
            const core::LabelSource alone{core::LabelSource::Kind::Consolidation, c.id};
            m_labels->addItem(tr("Reviews, then %1").arg(name), reviews.spec());
            m_labels->addItem(tr("Consolidation %1 alone").arg(name), alone.spec());
        }
    }
    m_labels->addItem(tr("Reviews, then the most frequent answer"),
                      core::LabelSource{core::LabelSource::Kind::Reviews, 0}.spec());
    m_labels->addItem(tr("Labels that came with the images"),
                      core::LabelSource{core::LabelSource::Kind::Import, 0}.spec());
    m_labels->setCurrentIndex(std::max(0, m_labels->findData(chosen)));
    describeLabelSource();
}

void TrainingView::fillWeightSources(const std::vector<core::RunRecord> &runs) {
    const QString chosen = m_initFrom->currentData().toString();
    const QSignalBlocker block(m_initFrom);
    m_initFrom->clear();
    m_initFrom->addItem(tr("Random"), QString());
    for (auto run = runs.rbegin(); run != runs.rend(); ++run)
        if (run->status == core::RunStatus::Finished)
            m_initFrom->addItem(tr("Run %1: %2 %3 %, test accuracy %4")
                                    .arg(run->id)
                                    .arg(core::strategyName(run->options.strategy))
                                    .arg(run->options.fraction * 100, 0, 'g', 3)
                                    .arg(run->testAccuracy
                                             ? QString::number(*run->testAccuracy, 'f', 3)
                                             : QStringLiteral("–")),
                                QString::number(run->id));
    if (!chosen.isEmpty() && m_initFrom->findData(chosen) < 0)
        m_initFrom->addItem(QFileInfo(chosen).fileName(), chosen);
    m_initFrom->addItem(tr("Weights file…"), QStringLiteral("?"));
    m_initFrom->setCurrentIndex(std::max(0, m_initFrom->findData(chosen)));
}

void TrainingView::chooseWeightsFile() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Start From Weights"), QString(),
                                     tr("Weights (*.pt *.pth *.ckpt);;All files (*)"));
    if (path.isEmpty()) {
        m_initFrom->setCurrentIndex(0);
        return;
    }
    const int index = m_initFrom->count() - 1; // before "Weights file…"
    m_initFrom->insertItem(index, QFileInfo(path).fileName(), path);
    m_initFrom->setItemData(index, path, Qt::ToolTipRole);
    m_initFrom->setCurrentIndex(index);
}

void TrainingView::describeLabelSource() {
    if (!m_project) {
        m_labelSource->clear();
        return;
    }
    const auto source = core::fixedLabelSource(*m_project, m_labels->currentData().toString());
    if (!source) {
        m_labelSource->setText(source.error().message);
        return;
    }
    QString text = core::describeLabelSource(*m_project, *source);
    text[0] = text[0].toUpper();
    if (m_labels->currentIndex() == 0 && source->consolidationId == 0)
        text += tr(": no consolidation is marked current (Review tab, Use for Training)");
    m_labelSource->setText(QStringLiteral("<small>%1</small>").arg(text.toHtmlEscaped()));
}

void TrainingView::reloadRuns() {
    fillLabelSources();
    std::vector<core::RunRecord> runs;
    if (m_project) {
        if (auto listed = core::listRuns(*m_project))
            runs = std::move(listed).value();
        else
            Q_EMIT failed(listed.error().message);
    }
    fillWeightSources(runs);
    m_runsPanel->setRuns(std::move(runs));
    redrawChart();
    updateButtons();
    updateEstimate();
}

void TrainingView::updateEstimate() {
    if (!m_estimate || !m_runsPanel)
        return;
    const std::vector<core::TrainOptions> runs = plan();
    if (runs.empty()) {
        m_estimate->clear();
        return;
    }
    const auto estimate = core::estimatePlan(runs, m_runsPanel->model()->runs());
    m_estimate->setText(
        estimate ? tr("Estimated time: %1 for %2 %3, at run %4's speed (%5 ms per image and "
                      "epoch).")
                       .arg(core::durationText(estimate->seconds))
                       .arg(runs.size())
                       .arg(runs.size() == 1 ? tr("run") : tr("runs"))
                       .arg(estimate->basedOnRun)
                       .arg(estimate->secondsPerImageEpoch * 1000, 0, 'f', 2)
                 : tr("No time estimate yet: it comes from a finished run of width %1.")
                       .arg(runs.front().width));
}

void TrainingView::redrawChart() {
    // Several selected runs overlay their curves; otherwise the newest runs are drawn.
    std::vector<core::RunRecord> runs = m_runsPanel->model()->runs();
    if (const std::vector<qint64> selected = m_runsPanel->selectedRunIds(); selected.size() >= 2)
        std::erase_if(runs, [&](const core::RunRecord &run) {
            return std::find(selected.begin(), selected.end(), run.id) == selected.end();
        });
    const size_t first =
        runs.size() > RunChart::kRunsCharted ? runs.size() - RunChart::kRunsCharted : 0;
    for (size_t i = first; i < runs.size(); ++i) {
        const core::RunRecord &run = runs[i];
        if (!m_curves.contains(run.id) || (run.status != core::RunStatus::Running &&
                                           m_curves[run.id].size() < size_t(run.completedEpochs)))
            if (auto epochs = core::runEpochs(*m_project, run.id))
                m_curves[run.id] = std::move(epochs).value();
    }
    m_chart->draw(runs, m_curves);
}

qint64 TrainingView::selectedRunId() const {
    return m_runsPanel->selectedRunId();
}

void TrainingView::selectRun(qint64 runId) {
    m_runsPanel->selectRun(runId);
}

bool TrainingView::writeTableCsv(const QString &path) {
    return m_runsPanel->writeTableCsv(path);
}

bool TrainingView::writeMetricsCsv(qint64 runId, const QString &path) {
    return m_runsPanel->writeMetricsCsv(runId, path);
}

void TrainingView::updateButtons() {
    const bool idle = m_project && !m_process->isRunning();
    m_train->setEnabled(idle);
    m_crossValidate->setEnabled(idle);
    m_tune->setEnabled(idle);
    m_cancel->setEnabled(m_process->isRunning());
    const core::RunRecord *run = m_runsPanel->model()->run(selectedRunId());
    const bool resumable = run && (run->status == core::RunStatus::Cancelled ||
                                   run->status == core::RunStatus::Running);
    m_resume->setEnabled(idle && resumable);
}

void TrainingView::keyPressEvent(QKeyEvent *event) {
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        (event->modifiers() & Qt::ControlModifier)) {
        start();
        return;
    }
    if (event->key() == Qt::Key_Escape && m_process->isRunning()) {
        cancel();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace winnow::ui
