#include "core/train/runs.h"

#include "core/io/csvreader.h"
#include "core/store/consolidationrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/project.h"
#include "core/store/runrepository.h"
#include "core/store/storeaccess.h"
#include "core/train/trainingset.h"
#include "core/util/enumnames.h"

#include <QDir>
#include <QJsonDocument>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace winnow::core {
namespace {

constexpr EnumName<Strategy> kStrategies[] = {
    {Strategy::Full, "full"}, {Strategy::Random, "random"}, {Strategy::Glister, "glister"}};
constexpr EnumName<SelectionType> kSelectionTypes[] = {{SelectionType::Supervised, "Supervised"},
                                                       {SelectionType::PerClass, "PerClass"},
                                                       {SelectionType::PerBatch, "PerBatch"}};
constexpr EnumName<GreedyKind> kGreedy[] = {{GreedyKind::Stochastic, "Stochastic"},
                                            {GreedyKind::Naive, "Naive"}};

RunRecord toRecord(StoredRun stored) {
    RunRecord run;
    static_cast<StoredRun &>(run) = std::move(stored);
    if (const auto options =
            TrainOptions::fromJson(QJsonDocument::fromJson(run.parameters.toUtf8()).object()))
        run.options = *options;
    return run;
}

} // namespace

QString strategyName(Strategy strategy) {
    return enumName(kStrategies, strategy);
}
std::optional<Strategy> parseStrategy(const QString &name) {
    return parseEnumName(kStrategies, name, Qt::CaseInsensitive);
}
QString selectionTypeName(SelectionType type) {
    return enumName(kSelectionTypes, type);
}
std::optional<SelectionType> parseSelectionType(const QString &name) {
    return parseEnumName(kSelectionTypes, name, Qt::CaseInsensitive);
}

QJsonObject TrainOptions::toJson() const {
    return {
        {"strategy", strategyName(strategy)},
        {"fraction", fraction},
        {"epochs", epochs},
        {"select_every", selectEvery},
        {"width", width},
        {"seed", QString::number(seed)},
        {"threads", threads},
        {"batch_size", batchSize},
        {"learning_rate", learningRate},
        {"momentum", momentum},
        {"weight_decay", weightDecay},
        {"nesterov", nesterov},
        {"kappa", kappa},
        {"selection_type", selectionTypeName(selectionType)},
        {"greedy", enumName(kGreedy, greedy)},
        {"linear_layer", linearLayer},
        {"centered_embeddings", centeredEmbeddings},
        {"mean_step", meanStep},
        {"epsilon", epsilon},
        {"unit_gradients", unitGradients},
        {"leave_out_doubtful", leaveOutDoubtful},
        {"test_every", testEvery},
        {"augment", augment},
        {"augment_grey", augmentGrey},
        {"bfloat16", bfloat16},
        {"channels_last", channelsLast},
        {"labels", labels},
        {"allow_leaks", allowLeaks},
        {"init_from", initFrom},
        {"freeze_epochs", freezeEpochs},
        {"body_lr_scale", bodyLrScale},
        {"experiment", experiment},
        {"cv_folds", cvFolds},
        {"cv_fold", cvFold},
    };
}

Result<TrainOptions> TrainOptions::fromJson(const QJsonObject &json) {
    TrainOptions o;
    const auto strategy = parseStrategy(json.value("strategy").toString());
    const auto selection =
        parseSelectionType(json.value("selection_type").toString(QStringLiteral("Supervised")));
    const auto greedy = parseEnumName(
        kGreedy, json.value("greedy").toString(QStringLiteral("Stochastic")), Qt::CaseInsensitive);
    if (!strategy || !selection || !greedy)
        return Error{QStringLiteral(
            "the stored run parameters name an unknown strategy, selection type or greedy")};
    o.strategy = *strategy;
    o.selectionType = *selection;
    o.greedy = *greedy;
    o.fraction = json.value("fraction").toDouble(o.fraction);
    o.epochs = json.value("epochs").toInt(o.epochs);
    o.selectEvery = json.value("select_every").toInt(o.selectEvery);
    o.width = json.value("width").toInt(o.width);
    o.seed = json.value("seed").toString().toULongLong();
    o.threads = json.value("threads").toInt(o.threads);
    o.batchSize = json.value("batch_size").toInt(o.batchSize);
    o.learningRate = json.value("learning_rate").toDouble(o.learningRate);
    o.momentum = json.value("momentum").toDouble(o.momentum);
    o.weightDecay = json.value("weight_decay").toDouble(o.weightDecay);
    o.nesterov = json.value("nesterov").toBool(o.nesterov);
    o.kappa = json.value("kappa").toDouble(o.kappa);
    // Runs stored before these options existed ran CORDS's way.
    o.linearLayer = json.value("linear_layer").toBool(false);
    o.centeredEmbeddings = json.value("centered_embeddings").toBool(false);
    o.meanStep = json.value("mean_step").toBool(false);
    o.epsilon = json.value("epsilon").toDouble(0.01);
    o.unitGradients = json.value("unit_gradients").toBool(false);
    o.leaveOutDoubtful = json.value("leave_out_doubtful").toDouble(o.leaveOutDoubtful);
    o.testEvery = json.value("test_every").toInt(o.testEvery);
    o.augment = json.value("augment").toBool(o.augment);
    o.augmentGrey = json.value("augment_grey").toBool(false);
    o.bfloat16 = json.value("bfloat16").toBool(o.bfloat16);
    o.channelsLast = json.value("channels_last").toBool(o.channelsLast);
    o.labels = json.value("labels").toString(o.labels);
    o.allowLeaks = json.value("allow_leaks").toBool(o.allowLeaks);
    o.initFrom = json.value("init_from").toString();
    o.freezeEpochs = json.value("freeze_epochs").toInt(o.freezeEpochs);
    o.bodyLrScale = json.value("body_lr_scale").toDouble(o.bodyLrScale);
    o.experiment = json.value("experiment").toString();
    o.cvFolds = json.value("cv_folds").toInt();
    o.cvFold = json.value("cv_fold").toInt();
    return o;
}

Result<void> TrainOptions::validate() const {
    if (!(fraction > 0 && fraction <= 1))
        return Error{QStringLiteral("--fraction must be in (0, 1], not %1").arg(fraction)};
    if (epochs < 1)
        return Error{QStringLiteral("--epochs must be at least 1")};
    if (selectEvery < 1)
        return Error{QStringLiteral("--select-every must be at least 1")};
    if (width < 1 || batchSize < 1)
        return Error{QStringLiteral("--width and --batch-size must be positive")};
    if (!(learningRate > 0) || momentum < 0 || weightDecay < 0)
        return Error{QStringLiteral(
            "the learning rate must be positive, momentum and weight decay not negative")};
    if (kappa < 0 || kappa >= 1)
        return Error{QStringLiteral("--kappa must be in [0, 1)")};
    if (strategy == Strategy::Glister && fraction >= 1)
        return Error{QStringLiteral("glister at fraction 1 selects nothing: use --strategy full")};
    if (!(epsilon > 0 && epsilon < 1))
        return Error{QStringLiteral("--epsilon must be in (0, 1)")};
    if (leaveOutDoubtful < 0 || leaveOutDoubtful > 1)
        return Error{QStringLiteral("--leave-out-doubtful is a confidence in [0, 1]")};
    if (centeredEmbeddings && !linearLayer)
        return Error{QStringLiteral("centred embeddings need the weight gradients")};
    if (testEvery < 1)
        return Error{QStringLiteral("--test-every must be at least 1")};
    if (freezeEpochs < 0 || !(bodyLrScale > 0))
        return Error{QStringLiteral(
            "--freeze-epochs must not be negative and --body-lr-scale must be positive")};
    if (cvFolds == 1 || cvFolds < 0 || (cvFolds > 1 && (cvFold < 0 || cvFold >= cvFolds)))
        return Error{QStringLiteral("--cv-folds needs at least 2 folds and --cv-fold one of them")};
    if ((freezeEpochs > 0 || bodyLrScale != 1) && initFrom.isEmpty())
        return Error{QStringLiteral(
            "--freeze-epochs and --body-lr-scale are for fine-tuning: give --init-from too")};
    return {};
}

Result<qint64> createRun(Project &project, const TrainOptions &options,
                         const LabelSnapshot &snapshot, const QString &warnings) {
    return attempt([&] {
        NewRun run;
        run.experiment = options.experiment.trimmed();
        run.strategy = strategyName(options.strategy);
        run.fraction = options.fraction;
        run.epochs = options.epochs;
        run.parameters =
            QString::fromUtf8(QJsonDocument(options.toJson()).toJson(QJsonDocument::Compact));
        run.snapshotHash = snapshot.hash;
        run.trainItems = snapshot.count(Split::Train);
        run.valItems = snapshot.count(Split::Val);
        run.testItems = snapshot.count(Split::Test);
        run.warnings = warnings;
        run.items.reserve(snapshot.items.size());
        for (const SnapshotItem &row : snapshot.items)
            run.items.push_back(
                {row.itemId, snapshot.classIds[size_t(row.label)], splitName(row.split)});
        return RunRepository(project).create(run);
    });
}

Result<void> recordEpoch(Project &project, qint64 runId, const EpochMetrics &m) {
    return attempt([&] { RunRepository(project).recordEpoch(runId, m); });
}

Result<void> recordSelection(Project &project, qint64 runId, const SelectionRound &selection) {
    return attempt([&] { RunRepository(project).recordSelection(runId, selection); });
}

Result<void> setRunStatus(Project &project, qint64 runId, RunStatus status, const QString &error) {
    return attempt([&] { RunRepository(project).setStatus(runId, status, error); });
}

Result<void> setCompletedEpochs(Project &project, qint64 runId, int completedEpochs) {
    return attempt([&] { RunRepository(project).setCompletedEpochs(runId, completedEpochs); });
}

Result<std::vector<RunRecord>> listRuns(Project &project) {
    return attempt([&] {
        std::vector<RunRecord> runs;
        for (StoredRun &stored : RunRepository(project).list())
            runs.push_back(toRecord(std::move(stored)));
        return runs;
    });
}

Result<RunRecord> findRun(Project &project, qint64 runId) {
    return attempt([&] {
        auto stored = RunRepository(project).find(runId);
        if (!stored)
            throw std::runtime_error(
                QStringLiteral("there is no run %1 in this project").arg(runId).toStdString());
        return toRecord(std::move(*stored));
    });
}

Result<std::vector<EpochMetrics>> runEpochs(Project &project, qint64 runId) {
    return attempt([&] { return RunRepository(project).epochs(runId); });
}

Result<std::vector<SelectionRound>> runSelections(Project &project, qint64 runId) {
    return attempt([&] { return RunRepository(project).selections(runId); });
}

QString glisterGradientsName(const TrainOptions &options) {
    if (!options.linearLayer)
        return QStringLiteral("bias");
    return options.centeredEmbeddings ? QStringLiteral("centered") : QStringLiteral("weights");
}

bool setGlisterGradients(TrainOptions &options, const QString &name) {
    if (name != QLatin1String("bias") && name != QLatin1String("weights") &&
        name != QLatin1String("centered"))
        return false;
    options.linearLayer = name != QLatin1String("bias");
    options.centeredEmbeddings = name == QLatin1String("centered");
    return true;
}

Result<QSet<qint64>> doubtfulItems(Project &project, double minConfidence) {
    return attempt([&] {
        QSet<qint64> doubtful;
        const QHash<qint64, double> confidences =
            ConsolidationRepository(project).currentConsolidationConfidences();
        for (auto it = confidences.cbegin(); it != confidences.cend(); ++it)
            if (it.value() < minConfidence)
                doubtful.insert(it.key());
        for (const FlagRow &flag : FlagRepository(project).list(FlagKind::LabelError))
            doubtful.insert(flag.itemId);
        return doubtful;
    });
}

std::optional<PlanEstimate> estimatePlan(const std::vector<TrainOptions> &plan,
                                         const std::vector<RunRecord> &runs) {
    if (plan.empty())
        return std::nullopt;
    const RunRecord *reference = nullptr;
    for (const RunRecord &run : runs)
        if (run.status == RunStatus::Finished && run.completedEpochs > 0 && run.trainItems > 0 &&
            run.totalSeconds > 0 && run.options.width == plan.front().width &&
            (!reference || run.id > reference->id))
            reference = &run;
    if (!reference)
        return std::nullopt;
    const double imagesPerEpoch = double(reference->trainItems) * reference->options.fraction;
    PlanEstimate estimate;
    estimate.basedOnRun = reference->id;
    estimate.secondsPerImageEpoch = reference->secondsPerEpoch() / std::max(1.0, imagesPerEpoch);
    for (const TrainOptions &run : plan)
        estimate.seconds += estimate.secondsPerImageEpoch * run.epochs *
                            double(reference->trainItems) * run.fraction;
    return estimate;
}

QString durationText(double seconds) {
    if (seconds < 90)
        return QStringLiteral("about %1 s").arg(std::max(1.0, std::round(seconds)));
    if (seconds < 90 * 60)
        return QStringLiteral("about %1 min").arg(std::round(seconds / 60));
    return QStringLiteral("about %1 h").arg(seconds / 3600, 0, 'f', 1);
}

QString runDirectory(const Project &project, qint64 runId) {
    return QDir(project.workFolder()).filePath(QStringLiteral("runs/%1").arg(runId));
}

} // namespace winnow::core

namespace winnow::core {
namespace {

QString number(const std::optional<double> &value, int decimals) {
    return value ? QString::number(*value, 'f', decimals) : QString();
}

} // namespace

std::vector<TrainOptions> sweepPlan(const TrainOptions &base,
                                    const std::vector<Strategy> &strategies,
                                    const std::vector<double> &fractions, bool withFull) {
    std::vector<TrainOptions> plan;
    if (withFull) {
        TrainOptions full = base;
        full.strategy = Strategy::Full;
        full.fraction = 1;
        plan.push_back(full);
    }
    for (Strategy strategy : strategies)
        for (double fraction : fractions) {
            TrainOptions o = base;
            o.strategy = strategy;
            o.fraction = fraction;
            plan.push_back(o);
        }
    return plan;
}

QString costText(double dollars) {
    return QStringLiteral("$%1").arg(dollars, 0, 'f', dollars < 0.1 ? 4 : 2);
}

QString speedUpText(const RunRecord &run, const RunRecord *baseline) {
    if (!baseline || run.totalSeconds <= 0)
        return {};
    return QStringLiteral("%1x").arg(baseline->totalSeconds / run.totalSeconds, 0, 'f', 2);
}

QString accuracyChangeText(const RunRecord &run, const RunRecord *baseline) {
    if (!baseline || !baseline->testAccuracy || !run.testAccuracy)
        return {};
    const double change = 100 * (*run.testAccuracy - *baseline->testAccuracy);
    return QStringLiteral("%1%2 pt")
        .arg(change >= 0 ? QStringLiteral("+") : QString())
        .arg(change, 0, 'f', 1);
}

const RunRecord *comparableBaseline(const std::vector<RunRecord> &runs, const RunRecord &run) {
    const RunRecord *found = nullptr;
    for (const RunRecord &candidate : runs)
        if (candidate.options.strategy == Strategy::Full &&
            candidate.status == RunStatus::Finished && candidate.snapshotHash == run.snapshotHash &&
            candidate.options.epochs == run.options.epochs &&
            candidate.options.width == run.options.width &&
            candidate.options.batchSize == run.options.batchSize &&
            candidate.options.bfloat16 == run.options.bfloat16 &&
            candidate.options.initFrom == run.options.initFrom)
            found = &candidate;
    return found;
}

QString resultsTable(const std::vector<RunRecord> &runs, double pricePerCoreHour) {
    return resultsTable(runs, nullptr, pricePerCoreHour);
}

QString resultsTable(const std::vector<RunRecord> &runs, const RunRecord *fixedBaseline,
                     double pricePerCoreHour) {
    const QStringList header = {
        QStringLiteral("run"),      QStringLiteral("strategy"), QStringLiteral("start"),
        QStringLiteral("fraction"), QStringLiteral("epochs"),   QStringLiteral("total s"),
        QStringLiteral("s/epoch"),  QStringLiteral("select s"), QStringLiteral("best val"),
        QStringLiteral("test acc"), QStringLiteral("speed-up"), QStringLiteral("acc change"),
        QStringLiteral("cpu h"),    QStringLiteral("cost"),     QStringLiteral("labels")};
    std::vector<QStringList> rows{header};
    for (const RunRecord &run : runs) {
        const RunRecord *baseline = fixedBaseline ? fixedBaseline : comparableBaseline(runs, run);
        rows.push_back(
            {QString::number(run.id), strategyName(run.options.strategy),
             run.options.initFrom.isEmpty() ? QStringLiteral("scratch") : QStringLiteral("tuned"),
             QString::number(run.options.fraction), QString::number(run.completedEpochs),
             QString::number(run.totalSeconds, 'f', 1),
             QString::number(run.secondsPerEpoch(), 'f', 2),
             QString::number(run.selectionSeconds, 'f', 1), number(run.bestValAccuracy, 4),
             number(run.testAccuracy, 4), speedUpText(run, baseline),
             accuracyChangeText(run, baseline), QString::number(run.cpuSeconds / 3600.0, 'f', 3),
             costText(run.cost(pricePerCoreHour)), run.options.labels});
    }
    std::vector<qsizetype> widths(header.size(), 0);
    for (const QStringList &row : rows)
        for (qsizetype c = 0; c < row.size(); ++c)
            widths[size_t(c)] = std::max(widths[size_t(c)], row[c].size());
    QString text;
    for (const QStringList &row : rows) {
        QStringList cells;
        for (qsizetype c = 0; c < row.size(); ++c)
            cells << (c <= 2 ? row[c].leftJustified(widths[size_t(c)])
                             : row[c].rightJustified(widths[size_t(c)]));
        text += cells.join(QStringLiteral("  ")).trimmed() + QLatin1Char('\n');
    }
    return text;
}

QString runsCsv(const std::vector<RunRecord> &runs, double pricePerCoreHour) {
    QString text = QStringLiteral(
        "run,strategy,fraction,epochs,total_seconds,seconds_per_epoch,selection_seconds,"
        "best_val_accuracy,test_accuracy,status,selection_type,select_every,width,seed,kappa,"
        "train_items,val_items,test_items,snapshot,created_at,cpu_seconds,cost,labels,"
        "allow_leaks,experiment,tags,init_from\n");
    for (const RunRecord &run : runs) {
        const QStringList cells = {QString::number(run.id),
                                   strategyName(run.options.strategy),
                                   QString::number(run.options.fraction),
                                   QString::number(run.completedEpochs),
                                   QString::number(run.totalSeconds, 'f', 3),
                                   QString::number(run.secondsPerEpoch(), 'f', 3),
                                   QString::number(run.selectionSeconds, 'f', 3),
                                   number(run.bestValAccuracy, 4),
                                   number(run.testAccuracy, 4),
                                   runStatusName(run.status),
                                   selectionTypeName(run.options.selectionType),
                                   QString::number(run.options.selectEvery),
                                   QString::number(run.options.width),
                                   QString::number(run.options.seed),
                                   QString::number(run.options.kappa),
                                   QString::number(run.trainItems),
                                   QString::number(run.valItems),
                                   QString::number(run.testItems),
                                   run.snapshotHash.left(12),
                                   run.createdAt,
                                   QString::number(run.cpuSeconds, 'f', 3),
                                   QString::number(run.cost(pricePerCoreHour), 'f', 6),
                                   run.options.labels,
                                   run.options.allowLeaks ? QStringLiteral("1")
                                                          : QStringLiteral("0"),
                                   CsvReader::quote(run.experiment),
                                   CsvReader::quote(run.tags.join(QLatin1Char(';'))),
                                   CsvReader::quote(run.options.initFrom)};
        text += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return text;
}

namespace {

// The per-epoch metrics a run stores, by the names the CSV and the sort use.
const std::pair<const char *, std::optional<double> (*)(const EpochMetrics &)> kEpochMetrics[] = {
    {"train_loss", [](const EpochMetrics &m) { return m.trainLoss; }},
    {"train_accuracy", [](const EpochMetrics &m) { return m.trainAccuracy; }},
    {"val_loss", [](const EpochMetrics &m) { return m.valLoss; }},
    {"val_accuracy", [](const EpochMetrics &m) { return m.valAccuracy; }},
    {"test_accuracy", [](const EpochMetrics &m) { return m.testAccuracy; }},
    {"epoch_seconds", [](const EpochMetrics &m) { return std::optional<double>(m.epochSeconds); }},
    {"selection_seconds",
     [](const EpochMetrics &m) { return std::optional<double>(m.selectionSeconds); }},
    {"cpu_seconds", [](const EpochMetrics &m) { return m.cpuSeconds; }},
    {"learning_rate", [](const EpochMetrics &m) { return std::optional<double>(m.learningRate); }},
};
const char *const kAggregates[] = {"max", "min", "last", "mean"};

} // namespace

bool isEpochAggregate(const QString &metric) {
    const QStringList parts = metric.split(QLatin1Char('.'));
    if (parts.size() != 2)
        return false;
    const bool known =
        std::any_of(std::begin(kEpochMetrics), std::end(kEpochMetrics),
                    [&](const auto &m) { return parts[0] == QLatin1String(m.first); });
    return known && std::any_of(std::begin(kAggregates), std::end(kAggregates),
                                [&](const char *a) { return parts[1] == QLatin1String(a); });
}

bool higherIsBetter(const QString &metric) {
    return metric.section(QLatin1Char('.'), 0, 0).endsWith(QLatin1String("accuracy"));
}

std::optional<double> runMetric(const RunRecord &run, const QString &metric,
                                const std::vector<EpochMetrics> &epochs) {
    if (isEpochAggregate(metric)) {
        const QString name = metric.section(QLatin1Char('.'), 0, 0);
        const QString aggregate = metric.section(QLatin1Char('.'), 1);
        const auto read =
            std::find_if(std::begin(kEpochMetrics), std::end(kEpochMetrics), [&](const auto &m) {
                return name == QLatin1String(m.first);
            })->second;
        std::vector<double> values;
        for (const EpochMetrics &m : epochs)
            if (m.epoch <= run.completedEpochs)
                if (const auto value = read(m))
                    values.push_back(*value);
        if (values.empty())
            return std::nullopt;
        if (aggregate == QLatin1String("max"))
            return *std::max_element(values.begin(), values.end());
        if (aggregate == QLatin1String("min"))
            return *std::min_element(values.begin(), values.end());
        if (aggregate == QLatin1String("last"))
            return values.back();
        return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    }
    if (metric == QLatin1String("run"))
        return double(run.id);
    if (metric == QLatin1String("fraction"))
        return run.options.fraction;
    if (metric == QLatin1String("total_seconds"))
        return run.totalSeconds;
    if (metric == QLatin1String("seconds_per_epoch"))
        return run.secondsPerEpoch();
    if (metric == QLatin1String("selection_seconds"))
        return run.selectionSeconds;
    if (metric == QLatin1String("best_val_accuracy"))
        return run.bestValAccuracy;
    if (metric == QLatin1String("test_accuracy"))
        return run.testAccuracy;
    if (metric == QLatin1String("cpu_seconds"))
        return run.cpuSeconds;
    return std::nullopt;
}

QString epochsCsv(const std::vector<EpochMetrics> &epochs) {
    QStringList header{QStringLiteral("epoch")};
    for (const auto &metric : kEpochMetrics)
        header << QLatin1String(metric.first);
    header << QStringLiteral("subset_size");
    QString text = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const EpochMetrics &m : epochs) {
        QStringList cells{QString::number(m.epoch)};
        for (const auto &metric : kEpochMetrics) {
            const auto value = metric.second(m);
            cells << (value ? QString::number(*value, 'g', 8) : QString());
        }
        cells << QString::number(m.subsetSize);
        text += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return text;
}

std::vector<TrainOptions> crossValidationPlan(const TrainOptions &base, int folds) {
    std::vector<TrainOptions> plan;
    for (int fold = 0; fold < folds; ++fold) {
        TrainOptions options = base;
        options.cvFolds = folds;
        options.cvFold = fold;
        plan.push_back(options);
    }
    return plan;
}

QString crossValidationSummary(const std::vector<RunRecord> &runs) {
    std::vector<double> values;
    for (const RunRecord &run : runs)
        if (run.status == RunStatus::Finished && run.bestValAccuracy)
            values.push_back(*run.bestValAccuracy);
    if (values.empty())
        return QStringLiteral("no finished fold");
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    double squares = 0;
    for (double v : values)
        squares += (v - mean) * (v - mean);
    const double deviation = values.size() > 1 ? std::sqrt(squares / double(values.size() - 1)) : 0;
    return QStringLiteral("val accuracy (best of each run) %1 ± %2 over %3 folds")
        .arg(mean, 0, 'f', 4)
        .arg(deviation, 0, 'f', 4)
        .arg(values.size());
}

Result<void> describeRun(Project &project, qint64 runId, const QString &experiment,
                         const QString &notes, const QStringList &tags) {
    return attempt([&] { RunRepository(project).describe(runId, experiment, notes, tags); });
}

QStringList runMetricNames() {
    QStringList names = {QStringLiteral("run"),
                         QStringLiteral("fraction"),
                         QStringLiteral("total_seconds"),
                         QStringLiteral("seconds_per_epoch"),
                         QStringLiteral("selection_seconds"),
                         QStringLiteral("cpu_seconds"),
                         QStringLiteral("best_val_accuracy"),
                         QStringLiteral("test_accuracy")};
    for (const auto &metric : kEpochMetrics)
        for (const char *aggregate : kAggregates)
            names << QStringLiteral("%1.%2").arg(QLatin1String(metric.first),
                                                 QLatin1String(aggregate));
    return names;
}

} // namespace winnow::core
