#include "ui/trainingview.h"

#include "core/consensus/consolidation.h"
#include "core/io/rasterimage.h"
#include "core/store/project.h"
#include "core/train/runprotocol.h"
#include "core/train/trainer.h"
#include "core/train/trainingset.h"
#include "ui/qimageconvert.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPen>
#include <QPixmap>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <map>

namespace winnow::ui {
namespace {

constexpr int kRunsCharted = 8;
constexpr int kSubsetShown = 160;

QString percent(double fraction) {
    return QStringLiteral("%1 %").arg(fraction * 100, 0, 'g', 3);
}

QString runLabel(const core::RunRecord &run) {
    if (run.options.strategy == core::Strategy::Full)
        return QStringLiteral("#%1 full").arg(run.id);
    return QStringLiteral("#%1 %2 %3")
        .arg(run.id)
        .arg(core::strategyName(run.options.strategy), percent(run.options.fraction));
}

// Full data in black, GLISTER in oranges and random in blues, darker for larger fractions, so
// that a sweep reads at a glance.
QPen runPen(const core::RunRecord &run) {
    if (run.options.strategy == core::Strategy::Full)
        return QPen(QColor(40, 40, 40), 2.5);
    const int hue = run.options.strategy == core::Strategy::Glister ? 25 : 215;
    const int value = 255 - int(150 * run.options.fraction);
    return QPen(QColor::fromHsv(hue, 230, std::clamp(value, 90, 240)), 2);
}

QTableWidgetItem *cell(const QString &text, bool number = true) {
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(number ? Qt::AlignRight | Qt::AlignVCenter
                                  : Qt::AlignLeft | Qt::AlignVCenter);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

QString optionalNumber(const std::optional<double> &value, int decimals) {
    return value ? QString::number(*value, 'f', decimals) : QString();
}

} // namespace

TrainingView::TrainingView(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QHBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Horizontal);
    auto *panel = new QWidget;
    buildControls(panel);
    splitter->addWidget(panel);

    auto *right = new QSplitter(Qt::Vertical);
    auto *chartPanel = new QWidget;
    auto *chartLayout = new QVBoxLayout(chartPanel);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    auto *chartControls = new QHBoxLayout;
    m_metric = new QComboBox;
    m_metric->addItems({tr("Validation accuracy"), tr("Test accuracy"), tr("Training loss"),
                        tr("Validation loss")});
    m_metric->setToolTip(tr("What the chart shows for every run"));
    m_axis = new QComboBox;
    m_axis->addItems({tr("against training time (s)"), tr("against epoch")});
    m_axis->setToolTip(
        tr("Time includes subset selection, as CORDS counts it; evaluation is not included"));
    chartControls->addWidget(m_metric);
    chartControls->addWidget(m_axis);
    chartControls->addStretch();
    chartLayout->addLayout(chartControls);
    m_chart = new QChartView(new QChart);
    m_chart->setObjectName(QStringLiteral("chart"));
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(220);
    chartLayout->addWidget(m_chart, 1);
    right->addWidget(chartPanel);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &TrainingView::redrawChart);
    connect(m_axis, &QComboBox::currentIndexChanged, this, &TrainingView::redrawChart);

    m_table = new QTableWidget(0, 12);
    m_table->setObjectName(QStringLiteral("runs"));
    m_table->setHorizontalHeaderLabels({tr("Run"), tr("Strategy"), tr("Fraction"), tr("Epochs"),
                                        tr("Status"), tr("Total s"), tr("s / epoch"),
                                        tr("Selection s"), tr("Best val"), tr("Test acc"),
                                        tr("Speed-up"), tr("Acc change")});
    m_table->horizontalHeaderItem(10)->setToolTip(
        tr("Total time of the latest comparable full-data run (same labels, epochs, width, "
           "precision) divided by this run's"));
    m_table->horizontalHeaderItem(11)->setToolTip(
        tr("Test accuracy against the latest comparable full-data run, in points"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(
        tr("Every training run of this project; select one to see the images its selections kept"));
    right->addWidget(m_table);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        showSubset();
        updateButtons();
    });

    auto *subsetPanel = new QWidget;
    auto *subsetLayout = new QVBoxLayout(subsetPanel);
    subsetLayout->setContentsMargins(0, 0, 0, 0);
    auto *subsetControls = new QHBoxLayout;
    subsetControls->addWidget(new QLabel(tr("Subset:")));
    m_round = new QComboBox;
    m_round->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_round->setToolTip(
        tr("Selection round of the selected run (round 0 is the initial random subset)"));
    subsetControls->addWidget(m_round);
    m_subsetSummary = new QLabel;
    m_subsetSummary->setObjectName(QStringLiteral("subsetSummary"));
    m_subsetSummary->setWordWrap(true);
    subsetControls->addWidget(m_subsetSummary, 1);
    subsetLayout->addLayout(subsetControls);
    m_subset = new QListWidget;
    m_subset->setObjectName(QStringLiteral("subset"));
    m_subset->setViewMode(QListView::IconMode);
    m_subset->setIconSize(QSize(48, 48));
    m_subset->setResizeMode(QListView::Adjust);
    m_subset->setMovement(QListView::Static);
    m_subset->setUniformItemSizes(true);
    m_subset->setToolTip(tr("The images this round kept, in the order they were picked"));
    subsetLayout->addWidget(m_subset, 1);
    right->addWidget(subsetPanel);
    connect(m_round, &QComboBox::currentIndexChanged, this, &TrainingView::showSubset);
    right->setSizes({360, 200, 220});

    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 900});
    layout->addWidget(splitter);
    updateButtons();
}

TrainingView::~TrainingView() {
    if (m_process) {
        m_process->disconnect(this);
        m_process->terminate(); // the run stops after its mini-batch and stays resumable
        if (!m_process->waitForFinished(30000))
            m_process->kill();
    }
}

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

    auto *advanced = new QGroupBox(tr("GLISTER"));
    auto *advancedForm = new QFormLayout(advanced);
    m_selectionType = new QComboBox;
    m_selectionType->addItems(
        {QStringLiteral("Supervised"), QStringLiteral("PerClass"), QStringLiteral("PerBatch")});
    m_selectionType->setToolTip(
        tr("Supervised: one greedy over all images; PerClass: a budget per class; "
           "PerBatch: whole mini-batches are the units"));
    advancedForm->addRow(tr("Selection"), m_selectionType);
    m_greedy = new QComboBox;
    m_greedy->addItems({QStringLiteral("Stochastic"), QStringLiteral("Naive")});
    m_greedy->setToolTip(
        tr("Stochastic samples N/k·ln 100 candidates per pick; Naive scores every image"));
    advancedForm->addRow(tr("Greedy"), m_greedy);
    m_kappa = new QDoubleSpinBox;
    m_kappa->setRange(0, 0.95);
    m_kappa->setSingleStep(0.1);
    m_kappa->setToolTip(tr("Warm start: share of the epochs before the first selection (0 = off; "
                           "GLISTER-Warm uses 0.5)"));
    advancedForm->addRow(tr("Warm start κ"), m_kappa);
    m_bfloat16 = new QCheckBox(tr("bfloat16 autocast"));
    m_bfloat16->setObjectName(QStringLiteral("bfloat16"));
    m_bfloat16->setChecked(core::cpuHasBFloat16());
    m_bfloat16->setEnabled(core::cpuHasBFloat16());
    m_bfloat16->setToolTip(core::cpuHasBFloat16()
                               ? tr("About twice as fast on this CPU, which computes in bfloat16 "
                                    "natively; weights stay float32")
                               : tr("This CPU has no native bfloat16"));
    advancedForm->addRow(QString(), m_bfloat16);
    layout->addWidget(advanced);

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
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    layout->addLayout(buttons);
    m_progress = new QProgressBar;
    m_progress->setTextVisible(true);
    layout->addWidget(m_progress);
    m_labelSource = new QLabel;
    m_labelSource->setObjectName(QStringLiteral("labelSource"));
    m_labelSource->setWordWrap(true);
    m_labelSource->setToolTip(
        tr("Which labels the next run trains on. Mark a consolidation current with "
           "Use for Training in the Review tab; running another method changes nothing here."));
    layout->addWidget(m_labelSource);
    m_status =
        new QLabel(tr("Trains a ResNet-18 on the current labels. Excluded images are left out."));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    layout->addStretch();
}

void TrainingView::setProject(core::Project *project) {
    if (project == m_project && project)
        return reloadRuns();
    if (m_process)
        cancel();
    m_project = project;
    m_curves.clear();
    reloadRuns();
}

std::vector<core::TrainOptions> TrainingView::plan() const {
    core::TrainOptions base;
    base.epochs = m_epochs->value();
    base.selectEvery = m_selectEvery->value();
    base.width = m_width->currentData().toInt();
    base.seed = std::uint64_t(m_seed->value());
    base.selectionType = core::parseSelectionType(m_selectionType->currentText())
                             .value_or(core::SelectionType::Supervised);
    base.greedy =
        m_greedy->currentIndex() == 1 ? core::GreedyKind::Naive : core::GreedyKind::Stochastic;
    base.kappa = m_kappa->value();
    base.bfloat16 = m_bfloat16->isChecked();
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
    return core::sweepPlan(base, strategies, fractions, m_full->isChecked());
}

void TrainingView::start() {
    if (!m_project || m_process)
        return;
    std::vector<core::TrainOptions> runs = plan();
    if (runs.empty()) {
        Q_EMIT failed(
            tr("Nothing to train: check a strategy and give fractions between 0 and 100"));
        return;
    }
    runPlan(std::move(runs), 0);
}

void TrainingView::resumeSelected() {
    const qint64 id = selectedRunId();
    if (!m_project || m_process || id == 0)
        return;
    runPlan({}, id);
}

void TrainingView::cancel() {
    if (!m_process)
        return;
    m_cancelled = true;
    m_pending.clear();
    m_process->terminate(); // SIGTERM: winnow-cli stops between mini-batches
    m_status->setText(tr("Cancelling after the current mini-batch…"));
}

namespace {

QStringList trainArguments(const QString &dir, const core::TrainOptions &options) {
    return QStringList{QStringLiteral("train"), dir} + core::trainArguments(options);
}

} // namespace

void TrainingView::runPlan(std::vector<core::TrainOptions> runs, qint64 resumeId) {
    if (m_cliPath.isEmpty()) {
        const QString beside =
            QCoreApplication::applicationDirPath() + QStringLiteral("/winnow-cli");
        m_cliPath = QFileInfo::exists(beside)
                        ? beside
                        : QStandardPaths::findExecutable(QStringLiteral("winnow-cli"));
    }
    m_cancelled = false;
    m_total = resumeId ? 1 : int(runs.size());
    m_pending = std::move(runs);
    m_progress->setRange(0, 0);
    m_status->setText(resumeId ? tr("Resuming run %1…").arg(resumeId)
                               : tr("Preparing %n run(s)…", nullptr, m_total));
    if (resumeId) {
        startProcess({QStringLiteral("train"), m_project->directory(), QStringLiteral("--resume"),
                      QString::number(resumeId), QStringLiteral("--json")});
    } else {
        const core::TrainOptions next = m_pending.front();
        m_pending.erase(m_pending.begin());
        startProcess(trainArguments(m_project->directory(), next));
    }
    updateButtons();
}

void TrainingView::startProcess(const QStringList &arguments) {
    m_errors.clear();
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &TrainingView::readOutput);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        const QString text = QString::fromUtf8(m_process->readAllStandardError());
        m_errors += text;
        const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (!lines.isEmpty())
            m_status->setText(lines.last().trimmed());
    });
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode) { processFinished(exitCode); });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            m_errors = tr("cannot start %1: %2")
                           .arg(m_cliPath.isEmpty() ? QStringLiteral("winnow-cli") : m_cliPath,
                                m_process->errorString());
            processFinished(-1);
        }
    });
    m_process->start(m_cliPath, arguments);
}

void TrainingView::readOutput() {
    while (m_process && m_process->canReadLine()) {
        const core::RunEvent event = core::parseRunEvent(m_process->readLine());
        switch (event.kind) {
        case core::RunEvent::Kind::Progress: {
            const int index = m_total - int(m_pending.size());
            m_progress->setRange(0, int(event.total));
            m_progress->setValue(int(event.done));
            m_progress->setFormat(
                (m_total > 1 ? tr("Run %1 of %2, %3").arg(index).arg(m_total).arg(event.stage)
                             : event.stage) +
                QStringLiteral(": %v / %m"));
            break;
        }
        case core::RunEvent::Kind::Epoch:
            onEpoch(event.runId, event.metrics);
            break;
        case core::RunEvent::Kind::Started:
            m_curves.remove(event.runId);
            reloadRuns();
            break;
        case core::RunEvent::Kind::Other:
            break;
        }
    }
}

void TrainingView::processFinished(int exitCode) {
    if (!m_process)
        return;
    readOutput();
    m_process->deleteLater();
    m_process = nullptr;
    if (!m_cancelled && exitCode == 0 && !m_pending.empty()) {
        const core::TrainOptions next = m_pending.front();
        m_pending.erase(m_pending.begin());
        startProcess(trainArguments(m_project->directory(), next));
        return;
    }
    QString error;
    if (!m_cancelled && exitCode != 0) {
        const QStringList lines = m_errors.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        error = lines.isEmpty() ? tr("training stopped with exit code %1").arg(exitCode)
                                : lines.last().trimmed();
        if (error.startsWith(QLatin1String("error: ")))
            error = error.mid(7);
    }
    m_pending.clear();
    onFinished(error);
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
    const bool cancelled = m_cancelled;
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
    } else {
        m_status->setText(tr("Done. Select a run to see the images its selections kept."));
    }
    reloadRuns();
    updateButtons();
    Q_EMIT trainingFinished();
}

void TrainingView::showLabelSource() {
    if (!m_project) {
        m_labelSource->clear();
        return;
    }
    const auto list = core::listConsolidations(*m_project);
    const auto current =
        list ? std::find_if(list->begin(), list->end(),
                            [](const core::ConsolidationInfo &c) { return c.current; })
             : std::vector<core::ConsolidationInfo>::const_iterator{};
    if (list && current != list->end())
        m_labelSource->setText(
            tr("<b>Labels:</b> review decisions, then consolidation #%1 (%2, %3), then the most "
               "frequent answer")
                .arg(current->id)
                .arg(current->method, current->createdAt.left(16).replace(u'T', u' ')));
    else
        m_labelSource->setText(tr(
            "<b>Labels:</b> review decisions, then the most frequent answer: no consolidation is "
            "marked current (Review tab, Use for Training)"));
}

void TrainingView::reloadRuns() {
    showLabelSource();
    const qint64 selected = selectedRunId();
    m_runs.clear();
    if (m_project) {
        auto runs = core::listRuns(*m_project);
        if (runs)
            m_runs = std::move(runs).value();
        else
            Q_EMIT failed(runs.error().message);
    }
    const QSignalBlocker block(m_table);
    m_table->setRowCount(int(m_runs.size()));
    for (int row = 0; row < int(m_runs.size()); ++row) {
        const core::RunRecord &run =
            m_runs[size_t(m_runs.size()) - 1 - size_t(row)]; // newest first
        const core::RunRecord *baseline = core::comparableBaseline(m_runs, run);
        const bool finished = run.status == core::RunStatus::Finished;
        const QStringList texts = {
            QString::number(run.id),
            core::strategyName(run.options.strategy),
            percent(run.options.fraction),
            QStringLiteral("%1 / %2").arg(run.completedEpochs).arg(run.options.epochs),
            core::runStatusName(run.status),
            QString::number(run.totalSeconds, 'f', 1),
            QString::number(run.secondsPerEpoch(), 'f', 2),
            QString::number(run.selectionSeconds, 'f', 1),
            optionalNumber(run.bestValAccuracy, 4),
            optionalNumber(run.testAccuracy, 4),
            finished ? core::speedUpText(run, baseline) : QString(),
            finished ? core::accuracyChangeText(run, baseline) : QString()};
        for (int column = 0; column < texts.size(); ++column)
            m_table->setItem(row, column, cell(texts[column], column != 1 && column != 4));
        m_table->item(row, 0)->setData(Qt::UserRole, run.id);
        if (!run.error.isEmpty() || !run.warnings.isEmpty())
            m_table->item(row, 4)->setToolTip(run.error.isEmpty() ? run.warnings : run.error);
        if (run.id == selected)
            m_table->selectRow(row);
    }
    redrawChart();
    updateButtons();
}

void TrainingView::redrawChart() {
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignRight);
    const int metric = m_metric->currentIndex();
    const bool byTime = m_axis->currentIndex() == 0;
    double maxX = 1, maxY = metric >= 2 ? 0.1 : 1;
    const size_t first = m_runs.size() > kRunsCharted ? m_runs.size() - kRunsCharted : 0;
    for (size_t i = first; i < m_runs.size(); ++i) {
        const core::RunRecord &run = m_runs[i];
        if (!m_curves.contains(run.id) || (run.status != core::RunStatus::Running &&
                                           m_curves[run.id].size() < size_t(run.completedEpochs))) {
            auto epochs = core::runEpochs(*m_project, run.id);
            if (epochs)
                m_curves[run.id] = std::move(epochs).value();
        }
        auto *series = new QLineSeries;
        series->setName(runLabel(run));
        series->setPen(runPen(run));
        double seconds = 0;
        for (const core::EpochMetrics &m : m_curves[run.id]) {
            seconds += m.epochSeconds;
            const std::optional<double> value = metric == 0   ? m.valAccuracy
                                                : metric == 1 ? m.testAccuracy
                                                : metric == 2 ? m.trainLoss
                                                              : m.valLoss;
            if (!value)
                continue;
            const double x = byTime ? seconds : m.epoch;
            series->append(x, *value);
            maxX = std::max(maxX, x);
            maxY = std::max(maxY, *value);
        }
        if (series->count() == 1) // a single point shows as a dot
            series->setPointsVisible(true);
        chart->addSeries(series);
    }
    auto *axisX = new QValueAxis;
    axisX->setTitleText(byTime ? tr("training time incl. selection (s)") : tr("epoch"));
    axisX->setRange(0, maxX);
    axisX->setLabelFormat(QStringLiteral("%.0f"));
    auto *axisY = new QValueAxis;
    axisY->setTitleText(m_metric->currentText());
    axisY->setRange(0, metric >= 2 ? maxY * 1.05 : 1);
    chart->addAxis(axisX, Qt::AlignBottom);
    chart->addAxis(axisY, Qt::AlignLeft);
    for (QAbstractSeries *series : chart->series()) {
        series->attachAxis(axisX);
        series->attachAxis(axisY);
    }
    if (m_runs.empty())
        chart->setTitle(tr("No runs yet: press Train"));
    QChart *old = m_chart->chart();
    m_chart->setChart(chart);
    delete old;
}

qint64 TrainingView::selectedRunId() const {
    const QList<QTableWidgetItem *> selected = m_table->selectedItems();
    if (selected.isEmpty())
        return 0;
    const QTableWidgetItem *first = m_table->item(selected.first()->row(), 0);
    return first ? first->data(Qt::UserRole).toLongLong() : 0;
}

void TrainingView::selectRun(qint64 runId) {
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, 0)->data(Qt::UserRole).toLongLong() == runId)
            m_table->selectRow(row);
}

void TrainingView::showSubset() {
    const qint64 runId = selectedRunId();
    m_subset->clear();
    m_subsetSummary->clear();
    if (!m_project || runId == 0) {
        const QSignalBlocker block(m_round);
        m_round->clear();
        return;
    }
    const auto rounds = core::runSelections(*m_project, runId);
    if (!rounds)
        return;
    if (sender() != m_round) {
        const QSignalBlocker block(m_round);
        m_round->clear();
        for (const core::SelectionRound &round : *rounds)
            m_round->addItem(round.round == 0
                                 ? tr("round 0 (random start)")
                                 : tr("round %1, epoch %2").arg(round.round).arg(round.epoch),
                             round.round);
        m_round->setCurrentIndex(m_round->count() - 1);
    }
    if (rounds->empty()) {
        m_subsetSummary->setText(tr("This run trained on all training images."));
        return;
    }
    const int index = std::max(0, m_round->currentIndex());
    const core::SelectionRound &round = rounds->at(size_t(index));
    const auto snapshot = core::runSnapshot(*m_project, runId);
    if (!snapshot)
        return;
    QHash<qint64, int> labelOf;
    for (const core::SnapshotItem &item : snapshot->items)
        labelOf.insert(item.itemId, item.label);
    std::map<int, int> perClass;
    for (qint64 id : round.itemIds)
        ++perClass[labelOf.value(id)];
    QStringList counts;
    for (const auto &[label, count] : perClass)
        counts << QStringLiteral("%1 %2").arg(snapshot->classNames.value(label)).arg(count);
    m_subsetSummary->setText(tr("%n images: ", nullptr, int(round.itemIds.size())) +
                             counts.join(QStringLiteral(", ")) +
                             (round.itemIds.size() > size_t(kSubsetShown)
                                  ? tr(" (the first %1 picks shown)").arg(kSubsetShown)
                                  : QString()));
    for (size_t i = 0; i < std::min(round.itemIds.size(), size_t(kSubsetShown)); ++i) {
        const qint64 id = round.itemIds[i];
        const auto path = m_project->itemPath(id);
        if (!path)
            continue;
        const auto thumb = core::loadThumbnail(*m_project, id, *path, 64);
        auto *item = new QListWidgetItem(snapshot->classNames.value(labelOf.value(id)));
        if (thumb)
            item->setIcon(QPixmap::fromImage(toQImage(*thumb)));
        item->setToolTip(*path);
        m_subset->addItem(item);
    }
}

void TrainingView::updateButtons() {
    const bool idle = m_project && !m_process;
    m_train->setEnabled(idle);
    m_cancel->setEnabled(m_process != nullptr);
    const qint64 id = selectedRunId();
    bool resumable = false;
    for (const core::RunRecord &run : m_runs)
        if (run.id == id)
            resumable =
                run.status == core::RunStatus::Cancelled || run.status == core::RunStatus::Running;
    m_resume->setEnabled(idle && resumable);
}

void TrainingView::keyPressEvent(QKeyEvent *event) {
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        (event->modifiers() & Qt::ControlModifier)) {
        start();
        return;
    }
    if (event->key() == Qt::Key_Escape && m_process) {
        cancel();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace winnow::ui
