#include "ui/runsmodel.h"

#include <limits>

namespace winnow::ui {
namespace {

QString optionalNumber(const std::optional<double> &value, int decimals) {
    return value ? QString::number(*value, 'f', decimals) : QString();
}

// Missing figures sort below every number.
QVariant optionalValue(const std::optional<double> &value) {
    return value.value_or(std::numeric_limits<double>::lowest());
}

} // namespace

RunsModel::RunsModel(QObject *parent)
    : QAbstractTableModel(parent) {
}

void RunsModel::setRuns(std::vector<core::RunRecord> runs) {
    beginResetModel();
    m_runs = std::move(runs);
    m_baselines.clear();
    for (const core::RunRecord &run : m_runs)
        m_baselines.push_back(core::comparableBaseline(m_runs, run));
    endResetModel();
}

void RunsModel::setChosenMetric(const QString &name, QHash<qint64, std::optional<double>> values) {
    m_chosenMetric = name;
    m_chosen = std::move(values);
    Q_EMIT headerDataChanged(Qt::Horizontal, Chosen, Chosen);
    if (!m_runs.empty())
        Q_EMIT dataChanged(index(0, Chosen), index(rowCount() - 1, Chosen));
}

Qt::ItemFlags RunsModel::flags(const QModelIndex &index) const {
    const Qt::ItemFlags base = QAbstractTableModel::flags(index);
    const int column = index.column();
    return column == Experiment || column == Tags || column == Notes ? base | Qt::ItemIsEditable
                                                                     : base;
}

bool RunsModel::setData(const QModelIndex &index, const QVariant &value, int role) {
    if (role != Qt::EditRole || !(flags(index) & Qt::ItemIsEditable))
        return false;
    const core::RunRecord &run = runAt(index.row());
    QString experiment = run.experiment, notes = run.notes;
    QStringList tags = run.tags;
    if (index.column() == Experiment)
        experiment = value.toString();
    else if (index.column() == Notes)
        notes = value.toString();
    else
        tags = value.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    Q_EMIT describeRequested(run.id, experiment, notes, tags);
    return true;
}

const core::RunRecord *RunsModel::run(qint64 runId) const {
    for (const core::RunRecord &run : m_runs)
        if (run.id == runId)
            return &run;
    return nullptr;
}

int RunsModel::rowOf(qint64 runId) const {
    for (int row = 0; row < rowCount(); ++row)
        if (runAt(row).id == runId)
            return row;
    return -1;
}

const core::RunRecord *RunsModel::baselineOf(const core::RunRecord &run) const {
    return m_baselines[size_t(&run - m_runs.data())];
}

int RunsModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

void RunsModel::setPricePerCoreHour(double price) {
    m_pricePerCoreHour = price;
    if (!m_runs.empty())
        Q_EMIT dataChanged(index(0, Cost), index(rowCount() - 1, Cost));
}

const core::RunRecord &RunsModel::runAt(int row) const {
    return m_runs[m_runs.size() - 1 - size_t(row)]; // newest first
}

QString RunsModel::text(const core::RunRecord &run, int column) const {
    const bool finished = run.status == core::RunStatus::Finished;
    switch (Column(column)) {
    case Run:
        return QString::number(run.id);
    case Experiment:
        return run.experiment;
    case Tags:
        return run.tags.join(QStringLiteral(", "));
    case Notes:
        return run.notes;
    case Chosen:
        return optionalNumber(m_chosen.value(run.id), 4);
    case Strategy:
        return core::strategyName(run.options.strategy);
    case Fraction:
        return QStringLiteral("%1 %").arg(run.options.fraction * 100, 0, 'g', 3);
    case Epochs:
        return QStringLiteral("%1 / %2").arg(run.completedEpochs).arg(run.options.epochs);
    case Status:
        return core::runStatusName(run.status);
    case Labels:
        return run.options.labels;
    case TotalSeconds:
        return QString::number(run.totalSeconds, 'f', 1);
    case SecondsPerEpoch:
        return QString::number(run.secondsPerEpoch(), 'f', 2);
    case SelectionSeconds:
        return QString::number(run.selectionSeconds, 'f', 1);
    case BestVal:
        return optionalNumber(run.bestValAccuracy, 4);
    case TestAccuracy:
        return optionalNumber(run.testAccuracy, 4);
    case SpeedUp:
    case AccuracyChange:
        if (!finished)
            return {};
        // Blank cells would leave the reader guessing why: say what is missing.
        if (!baselineOf(run))
            return run.options.strategy == core::Strategy::Full ? tr("baseline")
                                                                : tr("needs a full-data run");
        return column == SpeedUp ? core::speedUpText(run, baselineOf(run))
                                 : core::accuracyChangeText(run, baselineOf(run));
    case CpuHours:
        return QString::number(run.cpuSeconds / 3600.0, 'f', 3);
    case Cost:
        return core::costText(run.cost(m_pricePerCoreHour));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant RunsModel::sortValue(const core::RunRecord &run, int column) const {
    switch (Column(column)) {
    case Run:
        return run.id;
    case Fraction:
        return run.options.fraction;
    case Epochs:
        return run.completedEpochs;
    case TotalSeconds:
        return run.totalSeconds;
    case SecondsPerEpoch:
        return run.secondsPerEpoch();
    case SelectionSeconds:
        return run.selectionSeconds;
    case BestVal:
        return optionalValue(run.bestValAccuracy);
    case TestAccuracy:
        return optionalValue(run.testAccuracy);
    case CpuHours:
    case Cost:
        return run.cpuSeconds;
    case Chosen:
        return optionalValue(m_chosen.value(run.id));
    case SpeedUp:
    case AccuracyChange: {
        const core::RunRecord *baseline =
            run.status == core::RunStatus::Finished ? baselineOf(run) : nullptr;
        std::optional<double> value;
        if (baseline && column == SpeedUp && run.totalSeconds > 0)
            value = baseline->totalSeconds / run.totalSeconds;
        if (baseline && column == AccuracyChange && baseline->testAccuracy && run.testAccuracy)
            value = *run.testAccuracy - *baseline->testAccuracy;
        return optionalValue(value);
    }
    default:
        return text(run, column);
    }
}

QVariant RunsModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const core::RunRecord &run = runAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return text(run, index.column());
    case Qt::EditRole:
        return index.column() == Tags ? run.tags.join(QLatin1Char(',')) : text(run, index.column());
    case kSortRole:
        return sortValue(run, index.column());
    case kRunIdRole:
        return run.id;
    case Qt::TextAlignmentRole:
        return index.column() == Strategy || index.column() == Status || index.column() == Labels ||
                       index.column() == Experiment || index.column() == Tags ||
                       index.column() == Notes
                   ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Status && (!run.error.isEmpty() || !run.warnings.isEmpty()))
            return run.error.isEmpty() ? run.warnings : run.error;
        if ((index.column() == SpeedUp || index.column() == AccuracyChange) &&
            run.status == core::RunStatus::Finished && !baselineOf(run))
            return tr("Needs a finished full-data run with the same labels, epochs, width, batch "
                      "size and precision");
        return {};
    default:
        return {};
    }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        if (section == Chosen)
            return m_chosenMetric.isEmpty() ? tr("Metric") : m_chosenMetric;
        static const char *const kTitles[ColumnCount] = {
            QT_TR_NOOP("Run"),         QT_TR_NOOP("Experiment"), QT_TR_NOOP("Strategy"),
            QT_TR_NOOP("Fraction"),    QT_TR_NOOP("Epochs"),     QT_TR_NOOP("Status"),
            QT_TR_NOOP("Labels"),      QT_TR_NOOP("Total s"),    QT_TR_NOOP("s / epoch"),
            QT_TR_NOOP("Selection s"), QT_TR_NOOP("Best val"),   QT_TR_NOOP("Test acc"),
            QT_TR_NOOP("Speed-up"),    QT_TR_NOOP("Acc change"), QT_TR_NOOP("CPU h"),
            QT_TR_NOOP("Cost"),        QT_TR_NOOP("Tags"),       QT_TR_NOOP("Notes"),
            QT_TR_NOOP("Metric")};
        return tr(kTitles[section]);
    }
    if (role == Qt::ToolTipRole && section == SpeedUp)
        return tr("Total time of the latest comparable full-data run (same labels, epochs, width, "
                  "precision) divided by this run's");
    if (role == Qt::ToolTipRole && section == AccuracyChange)
        return tr("Test accuracy against the latest comparable full-data run, in points");
    if (role == Qt::ToolTipRole && (section == Experiment || section == Tags || section == Notes))
        return tr("F2 or a double click edits it; tags are comma-separated");
    if (role == Qt::ToolTipRole && section == Chosen)
        return tr("The metric chosen above the table, for every run");
    if (role == Qt::ToolTipRole && section == Labels)
        return tr("The labels the run trained on: reviews:C is review decisions, then "
                  "consolidation C, then the most frequent answer; consolidation:C is that "
                  "consolidation alone; import is the labels that came with the images");
    if (role == Qt::ToolTipRole && section == CpuHours)
        return tr("Processor time of the training process, all cores, in hours");
    if (role == Qt::ToolTipRole && section == Cost)
        return tr("Processor time at %1 per core-hour").arg(core::costText(m_pricePerCoreHour));
    return {};
}

} // namespace winnow::ui
