#include "core/train/runprotocol.h"

#include "core/train/trainer.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <utility>

namespace winnow::core {
namespace {

// The shortest text that reads back as the same double (0.05, not 0.050000000000000003).
QString number(double value) {
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString greedyName(GreedyKind greedy) {
    return greedy == GreedyKind::Naive ? QStringLiteral("Naive") : QStringLiteral("Stochastic");
}

std::optional<double> optionalField(const QJsonObject &json, const char *key) {
    const QJsonValue value = json.value(QLatin1String(key));
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

QByteArray line(const QJsonObject &object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

QList<QCommandLineOption> trainCommandLineOptions() {
    const TrainOptions d;
    return {
        {QStringLiteral("strategy"), QStringLiteral("full, random or glister"), QStringLiteral("S"),
         strategyName(d.strategy)},
        {QStringLiteral("fraction"), QStringLiteral("share of the training images per epoch"),
         QStringLiteral("F"), number(d.fraction)},
        {QStringLiteral("epochs"), QStringLiteral("epochs"), QStringLiteral("E"),
         QString::number(d.epochs)},
        {QStringLiteral("select-every"), QStringLiteral("epochs between subset selections (R)"),
         QStringLiteral("R"), QString::number(d.selectEvery)},
        {QStringLiteral("width"), QStringLiteral("ResNet-18 base width"), QStringLiteral("W"),
         QString::number(d.width)},
        {QStringLiteral("seed"), QStringLiteral("seed"), QStringLiteral("S"),
         QString::number(d.seed)},
        {QStringLiteral("threads"), QStringLiteral("CPU threads (default: one per core)"),
         QStringLiteral("T"), QString::number(d.threads)},
        {QStringLiteral("batch-size"), QStringLiteral("mini-batch size"), QStringLiteral("B"),
         QString::number(d.batchSize)},
        {QStringLiteral("lr"), QStringLiteral("initial learning rate (also GLISTER's eta)"),
         QStringLiteral("LR"), number(d.learningRate)},
        {QStringLiteral("momentum"), QStringLiteral("SGD momentum"), QStringLiteral("M"),
         number(d.momentum)},
        {QStringLiteral("weight-decay"), QStringLiteral("SGD weight decay"), QStringLiteral("WD"),
         number(d.weightDecay)},
        {QStringLiteral("kappa"), QStringLiteral("warm start share of the epochs (0: off)"),
         QStringLiteral("K"), number(d.kappa)},
        {QStringLiteral("selection-type"), QStringLiteral("Supervised, PerClass or PerBatch"),
         QStringLiteral("T"), selectionTypeName(d.selectionType)},
        {QStringLiteral("greedy"), QStringLiteral("Stochastic or Naive"), QStringLiteral("G"),
         greedyName(d.greedy)},
        {QStringLiteral("gradients"),
         QStringLiteral("GLISTER's gradients: bias (the last layer's bias, as CORDS), weights "
                        "(bias and weights, CORDS's linear_layer) or centered (bias and weights "
                        "of embeddings measured from their training mean)"),
         QStringLiteral("G"), glisterGradientsName(d)},
        {QStringLiteral("step"),
         QStringLiteral("GLISTER's virtual step on the chosen gradients: sum (as CORDS) or mean"),
         QStringLiteral("S"), d.meanStep ? QStringLiteral("mean") : QStringLiteral("sum")},
        {QStringLiteral("epsilon"),
         QStringLiteral("stochastic greedy: each pick is the best of N/k ln(1/E) random "
                        "candidates"),
         QStringLiteral("E"), number(d.epsilon)},
        {QStringLiteral("gradient-length"),
         QStringLiteral("GLISTER's gradients as they are: raw (as CORDS; an image with a large "
                        "loss has a large gradient) or unit (every image's scaled to length 1, "
                        "so only its direction counts)"),
         QStringLiteral("L"), d.unitGradients ? QStringLiteral("unit") : QStringLiteral("raw")},
        {QStringLiteral("linear-layer"), QStringLiteral("the same as --gradients weights")},
        {QStringLiteral("cords"),
         QStringLiteral("GLISTER exactly as CORDS runs it: --selection-type Supervised "
                        "--gradients bias --step sum --epsilon 0.01 --gradient-length raw, unless "
                        "those are given")},
        {QStringLiteral("leave-out-doubtful"),
         QStringLiteral("subsets leave out items whose consolidated label has a confidence below "
                        "C, or that are flagged as likely label errors (0: off)"),
         QStringLiteral("C"), number(d.leaveOutDoubtful)},
        {QStringLiteral("test-every"),
         QStringLiteral("evaluate the test set every N epochs (always at the end)"),
         QStringLiteral("N"), QString::number(d.testEvery)},
        {QStringLiteral("no-augment"), QStringLiteral("no random crop and flip for colour images")},
        {QStringLiteral("augment-grey"),
         QStringLiteral("random crop and flip for grey images too (not for digits or letters)")},
        {QStringLiteral("precision"),
         QStringLiteral("auto (bfloat16 autocast where the CPU has native bfloat16, else float32), "
                        "bf16 or fp32"),
         QStringLiteral("P"), QStringLiteral("auto")},
        {QStringLiteral("contiguous"), QStringLiteral("NCHW tensors instead of channels-last")},
        {QStringLiteral("labels"),
         QStringLiteral("which labels to train on: current (review decisions, then the "
                        "consolidation marked current, then the most frequent answer), "
                        "consolidation:C, reviews:C, reviews:answers or import; C is a "
                        "consolidation's number or method"),
         QStringLiteral("SOURCE"), d.labels},
        {QStringLiteral("init-from"),
         QStringLiteral("start from these weights: a run of this project (RUN), of another "
                        "(DIR:RUN), or a weights file (a checkpoint, a TorchScript module, or "
                        "torchvision's resnet18 state dict saved as a dict)"),
         QStringLiteral("SOURCE")},
        {QStringLiteral("freeze-epochs"),
         QStringLiteral("with --init-from: train only the last layer for the first E epochs"),
         QStringLiteral("E"), QString::number(d.freezeEpochs)},
        {QStringLiteral("body-lr-scale"),
         QStringLiteral("with --init-from: the body's learning rate as a share of the head's"),
         QStringLiteral("F"), number(d.bodyLrScale)},
        {QStringLiteral("experiment"),
         QStringLiteral("the experiment the run joins (runs --experiment lists it)"),
         QStringLiteral("NAME")},
        {QStringLiteral("cv-folds"),
         QStringLiteral("cross-validation: deal train and val to K stratified folds (duplicate "
                        "clusters kept whole)"),
         QStringLiteral("K"), QStringLiteral("0")},
        {QStringLiteral("cv-fold"), QStringLiteral("with --cv-folds: the fold that is val"),
         QStringLiteral("F"), QStringLiteral("0")},
        {QStringLiteral("allow-leaks"),
         QStringLiteral("train even though near copies span train and val/test (unresolved "
                        "leaks); the run records it")},
        {QStringLiteral("json"),
         QStringLiteral("JSON lines instead of text: {run, start_epoch} when a run starts, "
                        "{progress, total, stage} as it goes, one object per epoch")},
    };
}

Result<TrainOptions> trainOptionsFromCommandLine(const QCommandLineParser &parser) {
    struct Refused {
        QString message;
    };
    try {
        TrainOptions o;
        const auto numberOf = [&](const char *name) {
            bool ok = false;
            const double value = parser.value(QLatin1String(name)).toDouble(&ok);
            if (!ok)
                throw Refused{QStringLiteral("--%1 needs a number, not '%2'")
                                  .arg(QLatin1String(name), parser.value(QLatin1String(name)))};
            return value;
        };
        const auto strategy = parseStrategy(parser.value(QStringLiteral("strategy")));
        if (!strategy)
            throw Refused{QStringLiteral("unknown strategy '%1' (full, random or glister)")
                              .arg(parser.value(QStringLiteral("strategy")))};
        const auto selection = parseSelectionType(parser.value(QStringLiteral("selection-type")));
        if (!selection)
            throw Refused{QStringLiteral("unknown selection type '%1'")
                              .arg(parser.value(QStringLiteral("selection-type")))};
        const QString greedy = parser.value(QStringLiteral("greedy"));
        if (greedy.compare(QLatin1String("Stochastic"), Qt::CaseInsensitive) != 0 &&
            greedy.compare(QLatin1String("Naive"), Qt::CaseInsensitive) != 0)
            throw Refused{QStringLiteral("unknown greedy '%1' (Stochastic or Naive)").arg(greedy)};
        o.strategy = *strategy;
        o.selectionType = *selection;
        o.greedy = greedy.compare(QLatin1String("Naive"), Qt::CaseInsensitive) == 0
                       ? GreedyKind::Naive
                       : GreedyKind::Stochastic;
        o.fraction = numberOf("fraction");
        o.epochs = int(numberOf("epochs"));
        o.selectEvery = int(numberOf("select-every"));
        o.width = int(numberOf("width"));
        o.seed = std::uint64_t(numberOf("seed"));
        o.threads = int(numberOf("threads"));
        o.batchSize = int(numberOf("batch-size"));
        o.learningRate = numberOf("lr");
        o.momentum = numberOf("momentum");
        o.weightDecay = numberOf("weight-decay");
        o.kappa = numberOf("kappa");
        o.leaveOutDoubtful = numberOf("leave-out-doubtful");
        o.testEvery = int(numberOf("test-every"));
        const bool cords = parser.isSet(QStringLiteral("cords"));
        const auto given = [&](const char *name) { return parser.isSet(QLatin1String(name)); };
        if (cords && !given("selection-type"))
            o.selectionType = SelectionType::Supervised;
        QString gradients = parser.value(QStringLiteral("gradients"));
        if (given("linear-layer"))
            gradients = QStringLiteral("weights");
        else if (cords && !given("gradients"))
            gradients = QStringLiteral("bias");
        if (!setGlisterGradients(o, gradients))
            throw Refused{QStringLiteral("--gradients is bias, weights or centered, not '%1'")
                              .arg(gradients)};
        const QString step =
            cords && !given("step") ? QStringLiteral("sum") : parser.value(QStringLiteral("step"));
        if (step != QLatin1String("sum") && step != QLatin1String("mean"))
            throw Refused{QStringLiteral("--step is sum or mean, not '%1'").arg(step)};
        o.meanStep = step == QLatin1String("mean");
        o.epsilon = cords && !given("epsilon") ? 0.01 : numberOf("epsilon");
        const QString length = cords && !given("gradient-length")
                                   ? QStringLiteral("raw")
                                   : parser.value(QStringLiteral("gradient-length"));
        if (length != QLatin1String("raw") && length != QLatin1String("unit"))
            throw Refused{QStringLiteral("--gradient-length is raw or unit, not '%1'").arg(length)};
        o.unitGradients = length == QLatin1String("unit");
        o.augment = !parser.isSet(QStringLiteral("no-augment"));
        o.augmentGrey = parser.isSet(QStringLiteral("augment-grey"));
        o.channelsLast = !parser.isSet(QStringLiteral("contiguous"));
        o.labels = parser.value(QStringLiteral("labels"));
        o.allowLeaks = parser.isSet(QStringLiteral("allow-leaks"));
        o.initFrom = parser.value(QStringLiteral("init-from"));
        o.experiment = parser.value(QStringLiteral("experiment"));
        o.cvFolds = int(numberOf("cv-folds"));
        o.cvFold = int(numberOf("cv-fold"));
        o.freezeEpochs = int(numberOf("freeze-epochs"));
        o.bodyLrScale = numberOf("body-lr-scale");
        const QString precision = parser.value(QStringLiteral("precision"));
        if (precision == QLatin1String("auto"))
            o.bfloat16 = cpuHasBFloat16();
        else if (precision == QLatin1String("bf16") || precision == QLatin1String("fp32"))
            o.bfloat16 = precision == QLatin1String("bf16");
        else
            throw Refused{
                QStringLiteral("--precision is auto, bf16 or fp32, not '%1'").arg(precision)};
        if (o.strategy == Strategy::Full)
            o.fraction = 1;
        if (const Result<void> valid = o.validate(); !valid)
            return valid.error();
        return o;
    } catch (const Refused &refused) {
        return Error{refused.message};
    }
}

QStringList trainArguments(const TrainOptions &o) {
    QStringList arguments{QStringLiteral("--strategy"),
                          strategyName(o.strategy),
                          QStringLiteral("--fraction"),
                          number(o.fraction),
                          QStringLiteral("--epochs"),
                          QString::number(o.epochs),
                          QStringLiteral("--select-every"),
                          QString::number(o.selectEvery),
                          QStringLiteral("--width"),
                          QString::number(o.width),
                          QStringLiteral("--seed"),
                          QString::number(o.seed),
                          QStringLiteral("--threads"),
                          QString::number(o.threads),
                          QStringLiteral("--batch-size"),
                          QString::number(o.batchSize),
                          QStringLiteral("--lr"),
                          number(o.learningRate),
                          QStringLiteral("--momentum"),
                          number(o.momentum),
                          QStringLiteral("--weight-decay"),
                          number(o.weightDecay),
                          QStringLiteral("--kappa"),
                          number(o.kappa),
                          QStringLiteral("--leave-out-doubtful"),
                          number(o.leaveOutDoubtful),
                          QStringLiteral("--epsilon"),
                          number(o.epsilon),
                          QStringLiteral("--selection-type"),
                          selectionTypeName(o.selectionType),
                          QStringLiteral("--greedy"),
                          greedyName(o.greedy),
                          QStringLiteral("--test-every"),
                          QString::number(o.testEvery),
                          QStringLiteral("--precision"),
                          o.bfloat16 ? QStringLiteral("bf16") : QStringLiteral("fp32"),
                          QStringLiteral("--labels"),
                          o.labels};
    if (o.allowLeaks)
        arguments << QStringLiteral("--allow-leaks");
    if (!o.experiment.isEmpty())
        arguments << QStringLiteral("--experiment") << o.experiment;
    if (o.cvFolds > 0)
        arguments << QStringLiteral("--cv-folds") << QString::number(o.cvFolds)
                  << QStringLiteral("--cv-fold") << QString::number(o.cvFold);
    if (!o.initFrom.isEmpty())
        arguments << QStringLiteral("--init-from") << o.initFrom
                  << QStringLiteral("--freeze-epochs") << QString::number(o.freezeEpochs)
                  << QStringLiteral("--body-lr-scale") << number(o.bodyLrScale);
    arguments << QStringLiteral("--gradients") << glisterGradientsName(o)
              << QStringLiteral("--step")
              << (o.meanStep ? QStringLiteral("mean") : QStringLiteral("sum"))
              << QStringLiteral("--gradient-length")
              << (o.unitGradients ? QStringLiteral("unit") : QStringLiteral("raw"));
    if (!o.augment)
        arguments << QStringLiteral("--no-augment");
    if (o.augmentGrey)
        arguments << QStringLiteral("--augment-grey");
    if (!o.channelsLast)
        arguments << QStringLiteral("--contiguous");
    arguments << QStringLiteral("--json");
    return arguments;
}

QByteArray runStartedLine(qint64 runId, int startEpoch) {
    return line(QJsonObject{{"run", runId}, {"start_epoch", startEpoch}});
}

QByteArray progressLine(qint64 done, qint64 total, const QString &stage) {
    return line(QJsonObject{{"progress", done}, {"total", total}, {"stage", stage}});
}

QByteArray epochLine(qint64 runId, const EpochMetrics &m) {
    QJsonObject object{{"run", runId},
                       {"epoch", m.epoch},
                       {"epoch_seconds", m.epochSeconds},
                       {"selection_seconds", m.selectionSeconds},
                       {"subset_size", m.subsetSize},
                       {"learning_rate", m.learningRate}};
    const std::pair<const char *, std::optional<double>> optionals[] = {
        {"train_loss", m.trainLoss},       {"train_accuracy", m.trainAccuracy},
        {"val_loss", m.valLoss},           {"val_accuracy", m.valAccuracy},
        {"test_accuracy", m.testAccuracy}, {"cpu_seconds", m.cpuSeconds}};
    for (const auto &[key, value] : optionals)
        object.insert(QLatin1String(key), value ? QJsonValue(*value) : QJsonValue());
    return line(object);
}

RunEvent parseRunEvent(const QByteArray &text) {
    const QJsonObject json = QJsonDocument::fromJson(text).object();
    RunEvent event;
    event.runId = json.value(QLatin1String("run")).toInteger();
    if (json.contains(QLatin1String("progress"))) {
        event.kind = RunEvent::Kind::Progress;
        event.done = json.value(QLatin1String("progress")).toInteger();
        event.total = json.value(QLatin1String("total")).toInteger();
        event.stage = json.value(QLatin1String("stage")).toString();
    } else if (json.contains(QLatin1String("epoch"))) {
        event.kind = RunEvent::Kind::Epoch;
        EpochMetrics &m = event.metrics;
        m.epoch = json.value(QLatin1String("epoch")).toInt();
        m.trainLoss = optionalField(json, "train_loss");
        m.trainAccuracy = optionalField(json, "train_accuracy");
        m.valLoss = optionalField(json, "val_loss");
        m.valAccuracy = optionalField(json, "val_accuracy");
        m.testAccuracy = optionalField(json, "test_accuracy");
        m.cpuSeconds = optionalField(json, "cpu_seconds");
        m.epochSeconds = json.value(QLatin1String("epoch_seconds")).toDouble();
        m.selectionSeconds = json.value(QLatin1String("selection_seconds")).toDouble();
        m.subsetSize = json.value(QLatin1String("subset_size")).toInteger();
        m.learningRate = json.value(QLatin1String("learning_rate")).toDouble();
    } else if (json.contains(QLatin1String("start_epoch"))) {
        event.kind = RunEvent::Kind::Started;
        event.startEpoch = json.value(QLatin1String("start_epoch")).toInt();
    }
    return event;
}

// Here rather than beside the LibTorch code: the command-line defaults need it, and winnow-cli
// is built without LibTorch.
bool cpuHasBFloat16() {
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (!cpuinfo.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = cpuinfo.readAll();
    return text.contains(" avx512_bf16") || text.contains(" amx_bf16");
}

} // namespace winnow::core
