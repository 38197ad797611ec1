// Training throughput of the width-64 ResNet-18 and the CIFAR-10 fraction sweep (issue: 10,000
// training images, 1,000 validation, the 10,000 test images; glister and random at 10/30/50 %
// beside full data). Prints figures and writes the results table; never fails for slowness.
//
//   training_bench throughput [WIDTH]
//   training_bench sweep ARCHIVE WORKDIR TABLE [--width W] [--epochs E] [--select-every R]
//   training_bench finetune ARCHIVE WORKDIR TABLE: pretrained on the 25,000 CIFAR-10 training
//       images of five classes, fine-tuned on 1,000 of the other five, against scratch

#include "benchsupport.h"
#include "core/io/folderimporter.h"
#include "core/store/project.h"
#include "core/train/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTextStream>
#include <QThread>
#include <cstdio>
#include <optional>

using namespace winnow::core;
using namespace winnow::bench;

namespace {

int throughput(int width) {
    struct Variant {
        const char *name;
        bool channelsLast;
        bool bfloat16;
    };
    const Variant variants[] = {{"float32, contiguous (plain loop)", false, false},
                                {"float32, channels-last", true, false},
                                {"bfloat16 autocast, channels-last", true, true}};
    std::printf("== training throughput: ResNet-18 width %d, 32x32x3, batch 128, %d threads\n",
                width, QThread::idealThreadCount());
    for (const Variant &variant : variants) {
        if (variant.bfloat16 && !cpuHasBFloat16()) {
            std::printf("%-36s skipped: this CPU has no native bfloat16\n", variant.name);
            continue;
        }
        const auto result = measureThroughput(width, 128, 3, 32, width >= 64 ? 4 : 20,
                                              variant.channelsLast, variant.bfloat16, 0);
        if (!result) {
            std::printf("%-36s failed: %s\n", variant.name, qPrintable(result.error().message));
            continue;
        }
        std::printf("%-36s %7.1f images/s  %6.1f GFLOP/s  (%.2f GFLOP forward per image)\n",
                    variant.name, result->imagesPerSecond, result->gflopsPerSecond,
                    result->forwardGflop);
        std::fflush(stdout);
    }
    std::printf("peak memory: %.0f MiB\n", peakMemoryMiB());
    return 0;
}

// Links `count` images per class from `from` into `to`, skipping the first `skip` of each class;
// only `classes` when given.
int linkImages(const QString &source, const QString &to, int skip, int count,
               const QStringList &classes = {}) {
    const QString from = QDir(source).absolutePath(); // links must not be relative
    int linked = 0;
    for (const QString &label :
         QDir(from).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (!classes.isEmpty() && !classes.contains(label))
            continue;
        const QStringList files =
            QDir(from + QLatin1Char('/') + label).entryList(QDir::Files, QDir::Name);
        QDir().mkpath(to + QLatin1Char('/') + label);
        for (int i = skip; i < std::min<int>(skip + count, int(files.size())); ++i)
            linked += QFile::link(QStringLiteral("%1/%2/%3").arg(from, label, files[i]),
                                  QStringLiteral("%1/%2/%3").arg(to, label, files[i]));
    }
    return linked;
}

int sweep(const QStringList &args) {
    const QString archive = args.value(0), work = args.value(1), tablePath = args.value(2);
    TrainOptions base;
    base.width = 16;
    base.epochs = 40;
    base.selectEvery = 10;
    base.bfloat16 = cpuHasBFloat16();
    base.testEvery = 1000; // the test set once, at the end
    // GLISTER as CORDS runs it, as this table has always measured; glister_bench compares it
    // with the default variant.
    base.selectionType = SelectionType::Supervised;
    base.linearLayer = false;
    base.centeredEmbeddings = false;
    base.meanStep = false;
    BenchOptions(args.mid(3)).applyTraining(base);
    const QString cifar = cifar10Folder(archive, work);
    const QString subset = work + QStringLiteral("/cifar10-sweep-images");
    const QString projectDir = work + QStringLiteral("/cifar10-sweep");
    QDir(subset).removeRecursively();
    QDir(projectDir).removeRecursively();
    linkImages(cifar + QStringLiteral("/train"), subset + QStringLiteral("/train"), 0, 1000);
    linkImages(cifar + QStringLiteral("/train"), subset + QStringLiteral("/val"), 1000, 100);
    auto project = linkedProject(projectDir, {{subset + QStringLiteral("/train"), Split::Train},
                                              {subset + QStringLiteral("/val"), Split::Val},
                                              {cifar + QStringLiteral("/test"), Split::Test}});
    if (!project)
        return 1;
    std::printf("== CIFAR-10 sweep: 10,000 train, 1,000 val, 10,000 test; ResNet-18 width %d, %d "
                "epochs, R = %d, batch 128, "
                "%d threads\n",
                base.width, base.epochs, base.selectEvery, QThread::idealThreadCount());
    std::fflush(stdout);

    std::vector<TrainOptions> plan =
        sweepPlan(base, {Strategy::Glister, Strategy::Random}, {0.1, 0.3, 0.5});
    TrainOptions fullFloat32 = base; // checks that bfloat16 autocast costs no accuracy
    fullFloat32.bfloat16 = false;
    if (base.bfloat16)
        plan.push_back(fullFloat32);
    std::vector<RunRecord> runs;
    TrainEvents events;
    events.message = [](const QString &text) {
        std::printf("  %s\n", qPrintable(text));
        std::fflush(stdout);
    };
    events.epochDone = [](const EpochMetrics &m) {
        std::printf("  epoch %2d  %.1f s (selection %.1f s)  val acc %.4f\n", m.epoch,
                    m.epochSeconds, m.selectionSeconds, m.valAccuracy.value_or(0));
        std::fflush(stdout);
    };
    for (const TrainOptions &options : plan) {
        std::printf("-- %s at %.0f %%%s\n", qPrintable(strategyName(options.strategy)),
                    options.fraction * 100,
                    options.bfloat16 ? " (bfloat16 autocast)" : " (float32)");
        const auto outcome = trainNewRun(*project, options, events);
        if (!outcome) {
            std::printf("failed: %s\n", qPrintable(outcome.error().message));
            return 1;
        }
        runs.push_back(*findRun(*project, outcome->runId));
    }
    std::vector<RunRecord> compared(runs.begin(), runs.begin() + 7);
    const QString table = resultsTable(compared, &runs.front());
    std::printf("\n%s", qPrintable(table));
    const double targets[] = {8.0, 2.7, 1.6};
    for (size_t i = 1; i <= 3; ++i)
        std::printf("glister at %.0f %%: speed-up %.2fx (target %.1fx)\n",
                    runs[i].options.fraction * 100, runs[0].totalSeconds / runs[i].totalSeconds,
                    targets[i - 1]);
    QString precision;
    if (runs.size() > 7)
        precision = QStringLiteral("full data in float32 instead of bfloat16 autocast: %1 s, test "
                                   "accuracy %2 (bfloat16: %3 s, %4)\n")
                        .arg(runs[7].totalSeconds, 0, 'f', 1)
                        .arg(runs[7].testAccuracy.value_or(0), 0, 'f', 4)
                        .arg(runs[0].totalSeconds, 0, 'f', 1)
                        .arg(runs[0].testAccuracy.value_or(0), 0, 'f', 4);
    std::printf("%s", qPrintable(precision));
    std::printf("peak memory: %.0f MiB\n", peakMemoryMiB());
    QFile file(tablePath);
    if (file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        QTextStream stream(&file);
        stream << QStringLiteral("CIFAR-10, 10,000 train / 1,000 val / 10,000 test, ResNet-18 "
                                 "width %1, %2 epochs, R = %3, batch 128, "
                                 "SGD 0.05 cosine, %4 threads, %5\n\n")
                      .arg(base.width)
                      .arg(base.epochs)
                      .arg(base.selectEvery)
                      .arg(QThread::idealThreadCount())
                      .arg(base.bfloat16 ? QStringLiteral("bfloat16 autocast")
                                         : QStringLiteral("float32"))
               << table << QLatin1Char('\n') << precision;
    }
    return 0;
}

std::optional<RunRecord> trainAndReport(Project &project, const TrainOptions &options,
                                        const char *name) {
    std::printf("-- %s\n", name);
    std::fflush(stdout);
    TrainEvents events;
    events.message = [](const QString &text) { std::printf("  %s\n", qPrintable(text)); };
    const auto outcome = trainNewRun(project, options, events);
    if (!outcome) {
        std::printf("failed: %s\n", qPrintable(outcome.error().message));
        return std::nullopt;
    }
    const auto run = findRun(project, outcome->runId);
    std::printf("  %d epochs, %.1f s, %.3f CPU h, test accuracy %.4f\n", run->completedEpochs,
                run->totalSeconds, run->cpuSeconds / 3600, run->testAccuracy.value_or(0));
    std::fflush(stdout);
    return *run;
}

// The pretrained-versus-scratch comparison: a network that learnt airplanes, cars, birds, cats
// and deer from 25,000 images, fine-tuned on 1,000 images of dogs, frogs, horses, ships and
// trucks, against the same network trained on those 1,000 from scratch.
int finetune(const QStringList &args) {
    const QString archive = args.value(0), work = args.value(1), tablePath = args.value(2);
    const QString cifar = cifar10Folder(archive, work);
    const QStringList source = {QStringLiteral("airplane"), QStringLiteral("automobile"),
                                QStringLiteral("bird"), QStringLiteral("cat"),
                                QStringLiteral("deer")};
    const QStringList target = {QStringLiteral("dog"), QStringLiteral("frog"),
                                QStringLiteral("horse"), QStringLiteral("ship"),
                                QStringLiteral("truck")};
    const QString images = work + QStringLiteral("/cifar10-finetune-images");
    QDir(images).removeRecursively();
    linkImages(cifar + QStringLiteral("/train"), images + QStringLiteral("/pre-train"), 0, 5000,
               source);
    linkImages(cifar + QStringLiteral("/test"), images + QStringLiteral("/pre-test"), 0, 1000,
               source);
    linkImages(cifar + QStringLiteral("/train"), images + QStringLiteral("/train"), 0, 200, target);
    linkImages(cifar + QStringLiteral("/train"), images + QStringLiteral("/val"), 200, 100, target);
    linkImages(cifar + QStringLiteral("/test"), images + QStringLiteral("/test"), 0, 1000, target);
    const QString preDir = work + QStringLiteral("/cifar10-pretrained");
    auto pre = linkedProject(preDir, {{images + QStringLiteral("/pre-train"), Split::Train},
                                      {images + QStringLiteral("/pre-test"), Split::Test}});
    auto small = linkedProject(work + QStringLiteral("/cifar10-finetune"),
                               {{images + QStringLiteral("/train"), Split::Train},
                                {images + QStringLiteral("/val"), Split::Val},
                                {images + QStringLiteral("/test"), Split::Test}});
    if (!pre || !small)
        return 1;
    TrainOptions base;
    base.width = 16;
    base.bfloat16 = cpuHasBFloat16();
    base.testEvery = 1000;
    std::printf("== fine-tuned against scratch: ResNet-18 width %d, batch 128, %d threads, %s\n",
                base.width, QThread::idealThreadCount(),
                base.bfloat16 ? "bfloat16 autocast" : "float32");
    TrainOptions pretraining = base;
    pretraining.epochs = 15;
    const auto pretrained = trainAndReport(
        *pre, pretraining, "pretraining on 25,000 images of airplane, automobile, bird, cat, deer");
    if (!pretrained)
        return 1;
    TrainOptions scratch = base;
    scratch.epochs = 30;
    TrainOptions tuned = scratch;
    tuned.initFrom = QStringLiteral("%1:%2").arg(preDir).arg(pretrained->id);
    TrainOptions quick = tuned;
    quick.epochs = 10;
    TrainOptions frozen = quick;
    frozen.freezeEpochs = 3;
    frozen.bodyLrScale = 0.3;
    std::vector<RunRecord> runs;
    const std::pair<const TrainOptions *, const char *> plan[] = {
        {&scratch, "from scratch, 30 epochs on 1,000 images of dog, frog, horse, ship, truck"},
        {&tuned, "fine-tuned from the pretrained run, 30 epochs"},
        {&quick, "fine-tuned, 10 epochs"},
        {&frozen, "fine-tuned, 10 epochs, body frozen for 3 and at 0.3 of the learning rate"}};
    for (const auto &[options, name] : plan) {
        const auto run = trainAndReport(*small, *options, name);
        if (!run)
            return 1;
        runs.push_back(*run);
    }
    QString table = QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                        .arg(QStringLiteral("start"), -46)
                        .arg(QStringLiteral("epochs"), 6)
                        .arg(QStringLiteral("total s"), 8)
                        .arg(QStringLiteral("cpu h"), 6)
                        .arg(QStringLiteral("cost"), 8)
                        .arg(QStringLiteral("test acc"), 8);
    const QString starts[] = {QStringLiteral("scratch"), QStringLiteral("pretrained run"),
                              QStringLiteral("pretrained run"),
                              QStringLiteral("pretrained run, body frozen 3 epochs, lr x0.3")};
    for (size_t i = 0; i < runs.size(); ++i)
        table += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                     .arg(starts[i], -46)
                     .arg(runs[i].completedEpochs, 6)
                     .arg(runs[i].totalSeconds, 8, 'f', 1)
                     .arg(runs[i].cpuSeconds / 3600, 6, 'f', 3)
                     .arg(costText(runs[i].cost(kDefaultPricePerCoreHour)), 8)
                     .arg(runs[i].testAccuracy.value_or(0), 8, 'f', 4);
    const QString header =
        QStringLiteral("Fine-tuned against scratch on 1,000 CIFAR-10 training images of dog, frog, "
                       "horse, ship and truck (500 val, 5,000 test); the pretrained run learnt "
                       "the other five classes from 25,000 images in %1 epochs (%2 s, %3 CPU h, "
                       "%4, test accuracy %5). ResNet-18 width %6, batch 128, %7 threads, cost "
                       "at %8 per core-hour.\n\n")
            .arg(pretrained->completedEpochs)
            .arg(pretrained->totalSeconds, 0, 'f', 0)
            .arg(pretrained->cpuSeconds / 3600, 0, 'f', 3)
            .arg(costText(pretrained->cost(kDefaultPricePerCoreHour)))
            .arg(pretrained->testAccuracy.value_or(0), 0, 'f', 4)
            .arg(base.width)
            .arg(QThread::idealThreadCount())
            .arg(costText(kDefaultPricePerCoreHour));
    std::printf("\n%s%s", qPrintable(header), qPrintable(table));
    std::printf("peak memory: %.0f MiB\n", peakMemoryMiB());
    QFile file(tablePath);
    if (file.open(QIODevice::WriteOnly | QIODevice::Text))
        QTextStream(&file) << header << table;
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.value(0) == QLatin1String("throughput"))
        return throughput(args.size() > 1 ? args[1].toInt() : 64);
    if (args.value(0) == QLatin1String("sweep") && args.size() >= 4)
        return sweep(args.mid(1));
    if (args.value(0) == QLatin1String("finetune") && args.size() >= 4)
        return finetune(args.mid(1));
    std::fprintf(stderr, "usage: training_bench throughput | sweep ARCHIVE WORKDIR TABLE [--width "
                         "W] [--epochs E] [--select-every R] | finetune ARCHIVE WORKDIR TABLE\n");
    return 2;
}
