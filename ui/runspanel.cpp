#include "ui/runspanel.h"

#include "core/train/runs.h"
#include "ui/runsmodel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace winnow::ui {

RunsPanel::RunsPanel(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit;
    m_filter->setObjectName(QStringLiteral("runFilter"));
    m_filter->setPlaceholderText(tr("Filter runs: experiment, tag, strategy, labels…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Shows only the runs with this text in any column"));
    bar->addWidget(m_filter, 2);
    m_metric = new QComboBox;
    m_metric->setObjectName(QStringLiteral("metric"));
    m_metric->addItem(tr("Compare by…"), QString());
    for (const QString &name : core::runMetricNames())
        if (core::isEpochAggregate(name))
            m_metric->addItem(name, name);
    m_metric->setToolTip(tr("Adds a column with this aggregate of a per-epoch metric for every "
                            "run (val_accuracy.max is the best validation accuracy) and sorts "
                            "by it"));
    connect(m_metric, &QComboBox::currentIndexChanged, this, &RunsPanel::showChosenMetric);
    bar->addWidget(m_metric, 1);
    m_exportTable = new QPushButton(tr("Export Table…"));
    m_exportTable->setToolTip(tr("The runs shown, as CSV"));
    connect(m_exportTable, &QPushButton::clicked, this, &RunsPanel::exportTable);
    bar->addWidget(m_exportTable);
    m_exportMetrics = new QPushButton(tr("Export Metrics…"));
    m_exportMetrics->setToolTip(tr("The selected run's metrics, epoch by epoch, as CSV"));
    connect(m_exportMetrics, &QPushButton::clicked, this, &RunsPanel::exportMetrics);
    bar->addWidget(m_exportMetrics);
    layout->addLayout(bar);

    m_runs = new RunsModel(this);
    connect(m_runs, &RunsModel::describeRequested, this, &RunsPanel::describeRun);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_runs);
    sorted->setSortRole(RunsModel::kSortRole);
    sorted->setFilterKeyColumn(-1);
    sorted->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_filter, &QLineEdit::textChanged, sorted,
            &QSortFilterProxyModel::setFilterFixedString);
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("runs"));
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunsModel::Run, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setColumnHidden(RunsModel::Chosen, true);
    // The metric compared by sits beside the run's name, not after every other figure.
    m_table->horizontalHeader()->moveSection(RunsModel::Chosen, RunsModel::Strategy);
    m_table->setToolTip(tr("Every training run of this project; click a header to sort; select "
                           "one to see the images its selections kept, several (Ctrl or Shift) "
                           "to compare their curves; F2 edits experiment, tags and notes"));
    layout->addWidget(m_table);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        m_exportMetrics->setEnabled(selectedRunId() != 0);
        Q_EMIT selectionChanged();
    });
    m_exportMetrics->setEnabled(false);
}

void RunsPanel::showChosenMetric() {
    const QString metric = m_metric->currentData().toString();
    m_table->setColumnHidden(RunsModel::Chosen, metric.isEmpty());
    if (metric.isEmpty() || !m_project)
        return;
    QHash<qint64, std::optional<double>> values;
    for (const core::RunRecord &run : m_runs->runs()) {
        const auto epochs = core::runEpochs(*m_project, run.id);
        values.insert(
            run.id,
            core::runMetric(run, metric, epochs ? *epochs : std::vector<core::EpochMetrics>{}));
    }
    m_runs->setChosenMetric(metric, std::move(values));
    m_table->sortByColumn(RunsModel::Chosen,
                          core::higherIsBetter(metric) ? Qt::DescendingOrder : Qt::AscendingOrder);
}

void RunsPanel::describeRun(qint64 runId, const QString &experiment, const QString &notes,
                            const QStringList &tags) {
    if (!m_project)
        return;
    if (const auto described = core::describeRun(*m_project, runId, experiment, notes, tags);
        !described) {
        Q_EMIT failed(described.error().message);
        return;
    }
    // Reloading inside the editor's commit would pull the model from under it.
    QMetaObject::invokeMethod(this, &RunsPanel::described, Qt::QueuedConnection);
}

bool RunsPanel::writeTableCsv(const QString &path) {
    std::vector<core::RunRecord> shown;
    const QAbstractItemModel *proxy = m_table->model();
    for (int row = 0; row < proxy->rowCount(); ++row)
        if (const core::RunRecord *run =
                m_runs->run(proxy->index(row, 0).data(RunsModel::kRunIdRole).toLongLong()))
            shown.push_back(*run);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(core::runsCsv(shown, QSettings()
                                            .value(QStringLiteral("training/pricePerCoreHour"),
                                                   core::kDefaultPricePerCoreHour)
                                            .toDouble())
                       .toUtf8()) < 0 ||
        !file.commit()) {
        Q_EMIT failed(tr("Cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

bool RunsPanel::writeMetricsCsv(qint64 runId, const QString &path) {
    const auto epochs = core::runEpochs(*m_project, runId);
    if (!epochs) {
        Q_EMIT failed(epochs.error().message);
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(core::epochsCsv(*epochs).toUtf8()) < 0 ||
        !file.commit()) {
        Q_EMIT failed(tr("Cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

void RunsPanel::exportTable() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Runs"), QStringLiteral("runs.csv"), tr("CSV (*.csv)"));
    if (!path.isEmpty() && writeTableCsv(path))
        Q_EMIT message(tr("Runs written to %1").arg(path));
}

void RunsPanel::exportMetrics() {
    const qint64 runId = selectedRunId();
    if (runId == 0)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Metrics of Run %1").arg(runId),
        QStringLiteral("run-%1-metrics.csv").arg(runId), tr("CSV (*.csv)"));
    if (!path.isEmpty() && writeMetricsCsv(runId, path))
        Q_EMIT message(tr("Metrics of run %1 written to %2").arg(runId).arg(path));
}

std::vector<qint64> RunsPanel::selectedRunIds() const {
    std::vector<qint64> ids;
    for (const QModelIndex &row : m_table->selectionModel()->selectedRows())
        ids.push_back(row.data(RunsModel::kRunIdRole).toLongLong());
    return ids;
}

qint64 RunsPanel::selectedRunId() const {
    // The run last clicked among those selected.
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (current.isValid() && m_table->selectionModel()->isRowSelected(current.row()))
        return current.siblingAtColumn(0).data(RunsModel::kRunIdRole).toLongLong();
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : rows.first().data(RunsModel::kRunIdRole).toLongLong();
}

void RunsPanel::selectRun(qint64 runId) {
    const int row = m_runs->rowOf(runId);
    if (row < 0)
        return;
    const auto *proxy = static_cast<QSortFilterProxyModel *>(m_table->model());
    m_table->selectionModel()->setCurrentIndex(proxy->mapFromSource(m_runs->index(row, 0)),
                                               QItemSelectionModel::ClearAndSelect |
                                                   QItemSelectionModel::Rows);
}

void RunsPanel::setProject(core::Project *project) {
    m_project = project;
}

void RunsPanel::setRuns(std::vector<core::RunRecord> runs) {
    m_runs->setPricePerCoreHour(
        QSettings()
            .value(QStringLiteral("training/pricePerCoreHour"), core::kDefaultPricePerCoreHour)
            .toDouble());
    const qint64 selected = selectedRunId();
    {
        const QSignalBlocker block(m_table->selectionModel());
        m_runs->setRuns(std::move(runs));
    }
    if (selected != 0)
        selectRun(selected);
    if (!m_runs->chosenMetric().isEmpty())
        showChosenMetric();
    m_exportMetrics->setEnabled(selectedRunId() != 0);
}

} // namespace winnow::ui
