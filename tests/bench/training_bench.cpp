// Training throughput of the width-64 ResNet-18 and the CIFAR-10 fraction sweep (issue: 10,000
// training images, 1,000 validation, the 10,000 test images; glister and random at 10/30/50 %
// beside full data). Prints figures and writes the results table; never fails for slowness.
//
//   training_bench throughput [WIDTH]
//   training_bench sweep ARCHIVE WORKDIR TABLE [--width W] [--epochs E] [--select-every R]

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

// Links `count` images per class from `from` into `to`, skipping the first `skip` of each class.
int linkImages(const QString &source, const QString &to, int skip, int count) {
    const QString from = QDir(source).absolutePath(); // links must not be relative
    int linked = 0;
    for (const QString &label :
         QDir(from).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
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
    for (int i = 3; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--width"))
            base.width = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--epochs"))
            base.epochs = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--select-every"))
            base.selectEvery = args[i + 1].toInt();
    }
    const QString cifar = cifar10Folder(archive, work);
    const QString subset = work + QStringLiteral("/cifar10-sweep-images");
    const QString projectDir = work + QStringLiteral("/cifar10-sweep");
    QDir(subset).removeRecursively();
    QDir(projectDir).removeRecursively();
    linkImages(cifar + QStringLiteral("/train"), subset + QStringLiteral("/train"), 0, 1000);
    linkImages(cifar + QStringLiteral("/train"), subset + QStringLiteral("/val"), 1000, 100);
    auto project = Project::create(projectDir);
    if (!project) {
        std::printf("cannot create %s: %s\n", qPrintable(projectDir),
                    qPrintable(project.error().message));
        return 1;
    }
    const std::pair<QString, Split> parts[] = {{subset + QStringLiteral("/train"), Split::Train},
                                               {subset + QStringLiteral("/val"), Split::Val},
                                               {cifar + QStringLiteral("/test"), Split::Test}};
    for (const auto &[folder, split] : parts) {
        ImportOptions options;
        options.split = split;
        options.labelsFromFolders = true;
        const auto imported = importImageFolder(**project, folder, options);
        if (!imported) {
            std::printf("import of %s failed: %s\n", qPrintable(folder),
                        qPrintable(imported.error().message));
            return 1;
        }
    }
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
        const auto outcome = trainNewRun(**project, options, events);
        if (!outcome) {
            std::printf("failed: %s\n", qPrintable(outcome.error().message));
            return 1;
        }
        runs.push_back(*findRun(**project, outcome->runId));
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

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.value(0) == QLatin1String("throughput"))
        return throughput(args.size() > 1 ? args[1].toInt() : 64);
    if (args.value(0) == QLatin1String("sweep") && args.size() >= 4)
        return sweep(args.mid(1));
    std::fprintf(stderr, "usage: training_bench throughput | sweep ARCHIVE WORKDIR TABLE [--width "
                         "W] [--epochs E] [--select-every R]\n");
    return 2;
}
