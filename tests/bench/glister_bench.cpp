// Subset selection with error bars (issue: GLISTER against Random-Online on clean and on noisy
// labels). CIFAR-10: 10,000 training images (the first 1,000 of each class), 1,000 validation
// images (the next 100 of each class), the 10,000 test images. Two settings: clean labels, and
// 30 % of the training labels moved to a random other class (validation and test clean). Every
// configuration runs at every fraction with every seed; the table gives the mean and standard
// deviation of the test accuracy, and for subsets the share of mislabeled items in the rounds
// chosen after round 0. It also times the greedy alone, per pick. Never fails for slowness.
//
//   glister_bench ARCHIVE WORKDIR TABLE [--settings clean,noisy] [--configs NAME,...]
//       [--fractions 0.1,0.3,0.5] [--seeds N] [--first-seed S] [--epochs E] [--select-every R]
//       [--noise P] [--reuse 1]

#include "benchsupport.h"
#include "core/io/folderimporter.h"
#include "core/store/consolidationrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/train/glister.h"
#include "core/train/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>
#include <QThread>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

using namespace winnow::core;
using namespace winnow::bench;

namespace {

// A configuration: the strategy and, for GLISTER, every knob that differs between CORDS's
// variant and Winnow's (`defaults` takes TrainOptions' own, whatever they are).
struct Config {
    const char *name;
    const char *description;
    Strategy strategy;
    SelectionType selection;
    const char *gradients; // bias, weights or centered
    bool meanStep;
    double epsilon;
    double kappa;
    bool defaults;
    // Leave out items whose consolidated label is below this confidence or flagged as a likely
    // label error (0: none).
    double leaveOutDoubtful;
    bool unitGradients = false; // every image's gradient scaled to length 1
};

constexpr auto kSupervised = SelectionType::Supervised, kPerClass = SelectionType::PerClass;

const Config kConfigs[] = {
    {"full", "all training images every epoch", Strategy::Full, kSupervised, "bias", false, 0.01, 0,
     true, 0},
    {"random", "Random-Online: a fresh uniform subset every R epochs", Strategy::Random,
     kSupervised, "bias", false, 0.01, 0, true, 0},
    {"random-warm", "Random-Online after a kappa 0.5 warm start", Strategy::Random, kSupervised,
     "bias", false, 0.01, 0.5, true, 0},
    {"glister-cords", "GLISTER as CORDS runs it: Supervised, bias gradients, sum step, eps 0.01",
     Strategy::Glister, kSupervised, "bias", false, 0.01, 0, false, 0},
    {"glister-default", "GLISTER with Winnow's defaults (what --strategy glister runs)",
     Strategy::Glister, kSupervised, "bias", false, 0.01, 0, true, 0},
    {"glister-linear", "CORDS's, with bias and weight gradients", Strategy::Glister, kSupervised,
     "weights", false, 0.01, 0, false, 0},
    {"glister-centered", "CORDS's, with weight gradients of centred embeddings", Strategy::Glister,
     kSupervised, "centered", false, 0.01, 0, false, 0},
    {"glister-mean-step", "CORDS's, with the virtual step on the mean", Strategy::Glister,
     kSupervised, "bias", true, 0.01, 0, false, 0},
    {"glister-centered-mean-step", "centred weight gradients, the step on the mean",
     Strategy::Glister, kSupervised, "centered", true, 0.01, 0, false, 0},
    {"glister-perclass-centered", "PerClass, centred weight gradients", Strategy::Glister,
     kPerClass, "centered", false, 0.01, 0, false, 0},
    {"glister-perclass-centered-mean-step", "PerClass, centred weight gradients, the mean step",
     Strategy::Glister, kPerClass, "centered", true, 0.01, 0, false, 0},
    {"glister-perclass-centered-mean-step-eps50",
     "PerClass, centred weight gradients, the mean step, eps 0.5 (Winnow's default)",
     Strategy::Glister, kPerClass, "centered", true, 0.5, 0, false, 0},
    {"glister-default-leave-out",
     "the default, leaving out training images flagged as likely label errors", Strategy::Glister,
     kSupervised, "bias", false, 0.01, 0, true, 0.5},
    {"random-leave-out", "Random-Online, leaving out images flagged as likely label errors",
     Strategy::Random, kSupervised, "bias", false, 0.01, 0, true, 0.5},
    {"glister-unit", "the default with gradients of unit length (--gradient-length unit)",
     Strategy::Glister, kSupervised, "bias", false, 0.01, 0, true, 0, true},
};

TrainOptions configured(const Config &config, TrainOptions o) {
    o.strategy = config.strategy;
    if (config.strategy == Strategy::Full)
        o.fraction = 1;
    o.kappa = config.kappa;
    o.leaveOutDoubtful = config.leaveOutDoubtful;
    o.unitGradients = config.unitGradients;
    if (config.defaults)
        return o;
    o.selectionType = config.selection;
    setGlisterGradients(o, QLatin1String(config.gradients));
    o.meanStep = config.meanStep;
    o.epsilon = config.epsilon;
    return o;
}

const Config *configNamed(const QString &name) {
    for (const Config &config : kConfigs)
        if (name == QLatin1String(config.name))
            return &config;
    return nullptr;
}

// Links images into `to`/<class>/, named <true class>__<file>. With `noise` > 0 that share of
// them (exactly, seeded) goes into a random other class's folder instead.
void linkImages(const QString &source, const QString &to, int skip, int count, double noise) {
    const QString from = QDir(source).absolutePath();
    const QStringList classes = QDir(from).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::vector<std::pair<int, QString>> images; // true class, file
    for (int c = 0; c < int(classes.size()); ++c) {
        const QStringList files =
            QDir(from + QLatin1Char('/') + classes[c]).entryList(QDir::Files, QDir::Name);
        for (int i = skip; i < std::min<int>(skip + count, int(files.size())); ++i)
            images.emplace_back(c, files[i]);
    }
    std::mt19937_64 random(20261201);
    std::vector<size_t> order(images.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    std::set<size_t> flipped(order.begin(), order.begin() + std::ptrdiff_t(noise * order.size()));
    std::uniform_int_distribution<int> other(1, int(classes.size()) - 1);
    for (size_t i = 0; i < images.size(); ++i) {
        const auto &[c, file] = images[i];
        const int given = flipped.count(i) ? (c + other(random)) % int(classes.size()) : c;
        QDir().mkpath(to + QLatin1Char('/') + classes[given]);
        QFile::link(QStringLiteral("%1/%2/%3").arg(from, classes[c], file),
                    QStringLiteral("%1/%2/%3__%4").arg(to, classes[given], classes[c], file));
    }
}

// The items whose folder (the label) is not the class their file name carries. The true
// classes are stored as the project's reference labels, so the subset view can show how many
// mislabeled items each round kept.
std::set<qint64> mislabeledItems(Project &project) {
    std::set<qint64> mislabeled;
    QHash<QString, qint64> classIds;
    for (const ClassInfo &record : *project.classes())
        classIds.insert(record.name, record.id);
    std::vector<std::pair<qint64, qint64>> reference;
    for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById)) {
        const QFileInfo info(item.path);
        if (!info.fileName().contains(QLatin1String("__")))
            continue; // a test image
        const QString trueClass = info.fileName().section(QStringLiteral("__"), 0, 0);
        reference.emplace_back(item.id, classIds.value(trueClass));
        if (trueClass != info.dir().dirName())
            mislabeled.insert(item.id);
    }
    ConsolidationRepository(project).setReferenceLabels(reference, QStringLiteral("file names"));
    return mislabeled;
}

std::unique_ptr<Project> benchProject(const QString &cifar, const QString &work,
                                      const QString &setting, double noise, bool reuse) {
    const QString images = work + QStringLiteral("/glister-%1-images").arg(setting);
    const QString dir = work + QStringLiteral("/glister-%1").arg(setting);
    if (reuse && QFile::exists(dir + QStringLiteral("/project.winnow"))) {
        auto existing = Project::open(dir);
        if (existing)
            return std::move(existing).value();
    }
    QDir(images).removeRecursively();
    QDir(dir).removeRecursively();
    linkImages(cifar + QStringLiteral("/train"), images + QStringLiteral("/train"), 0, 1000, noise);
    linkImages(cifar + QStringLiteral("/train"), images + QStringLiteral("/val"), 1000, 100, 0);
    return linkedProject(dir, {{images + QStringLiteral("/train"), Split::Train},
                               {images + QStringLiteral("/val"), Split::Val},
                               {cifar + QStringLiteral("/test"), Split::Test}});
}

struct Outcome {
    double accuracy = 0, seconds = 0, selectionSeconds = 0;
    double mislabeledShare = -1; // over the rounds after round 0; -1: not a subset run
};

struct Summary {
    std::vector<double> accuracies, seconds, shares;
};

double mean(const std::vector<double> &values) {
    double sum = 0;
    for (double v : values)
        sum += v;
    return values.empty() ? 0 : sum / double(values.size());
}

double deviation(const std::vector<double> &values) {
    if (values.size() < 2)
        return 0;
    const double m = mean(values);
    double sum = 0;
    for (double v : values)
        sum += (v - m) * (v - m);
    return std::sqrt(sum / double(values.size() - 1));
}

std::optional<Outcome> runOnce(Project &project, const TrainOptions &options,
                               const std::set<qint64> &mislabeled) {
    TrainEvents events;
    events.message = [](const QString &text) {
        if (text.contains(QLatin1String("selection round")))
            std::printf("    %s\n", qPrintable(text));
    };
    const auto trained = trainNewRun(project, options, events);
    if (!trained) {
        std::printf("failed: %s\n", qPrintable(trained.error().message));
        return std::nullopt;
    }
    const auto run = findRun(project, trained->runId);
    Outcome outcome;
    outcome.accuracy = run->testAccuracy.value_or(0);
    outcome.seconds = run->totalSeconds;
    if (options.strategy == Strategy::Full)
        return outcome;
    qint64 chosen = 0, wrong = 0;
    for (const SelectionRound &round : *runSelections(project, trained->runId)) {
        if (round.round == 0)
            continue;
        chosen += qint64(round.itemIds.size());
        for (qint64 id : round.itemIds)
            wrong += qint64(mislabeled.count(id));
        std::printf("    round %d: %.3f mislabeled\n", round.round,
                    double(std::count_if(round.itemIds.begin(), round.itemIds.end(),
                                         [&](qint64 id) { return mislabeled.count(id) > 0; })) /
                        double(std::max<size_t>(1, round.itemIds.size())));
    }
    outcome.mislabeledShare = chosen > 0 ? double(wrong) / double(chosen) : -1;
    return outcome;
}

// The greedy alone on random data of the benchmark's shape (N = 10,000 training points,
// M = 1,000 validation points, C = 10 classes, 128-wide embeddings, as width 16 gives), per pick:
// CORDS's bias-only greedy over all points, and the default's: per class (1,000 points, 100
// validation points, a tenth of the budget each) with the weight gradients of the embeddings.
void timeGreedy() {
    const std::int64_t n = 10000, m = 1000, c = 10, d = 128;
    torch::manual_seed(1);
    const torch::Tensor trainLogits = torch::randn({n, c}), valLogits = torch::randn({m, c});
    const torch::Tensor trainEmbeddings = torch::rand({n, d}), valEmbeddings = torch::rand({m, d});
    const torch::Tensor trainLabels = torch::randint(c, {n}, torch::kLong);
    const torch::Tensor valLabels = torch::randint(c, {m}, torch::kLong);
    const torch::Tensor gradients =
        glister::lastLayerGradients(trainLogits, trainLabels, trainEmbeddings, false);
    for (const double fraction : {0.1, 0.3}) {
        glister::Options options;
        options.budget = std::int64_t(fraction * n);
        QElapsedTimer timer;
        timer.start();
        glister::greedy(gradients, valLogits, valEmbeddings, valLabels, options);
        std::printf("greedy, bias gradients over all %lld points (CORDS) at %.0f %%: %.4f ms per "
                    "pick\n",
                    static_cast<long long>(n), fraction * 100,
                    double(timer.nsecsElapsed()) / 1e6 / double(options.budget));
        // Each class's similarities to its validation points are taken once per selection and
        // counted here, so the figure per pick is an upper bound.
        const auto perClassMs = [&](std::int64_t budget) {
            glister::Options perClass;
            perClass.budget = budget;
            perClass.linearLayer = true;
            perClass.meanStep = true;
            perClass.epsilon = 0.5;
            QElapsedTimer clock;
            clock.start();
            for (std::int64_t k = 0; k < c; ++k) {
                const torch::Tensor rows = torch::arange(k * n / c, (k + 1) * n / c);
                const torch::Tensor valRows = torch::arange(k * m / c, (k + 1) * m / c);
                glister::embeddingGreedy(
                    gradients.index_select(0, rows), trainEmbeddings.index_select(0, rows),
                    valLogits.index_select(0, valRows), valEmbeddings.index_select(0, valRows),
                    valLabels.index_select(0, valRows), perClass);
            }
            return double(clock.nsecsElapsed()) / 1e6;
        };
        const std::int64_t budget = options.budget / c;
        perClassMs(budget); // warms up the allocator and the matrix library's threads
        const double whole = perClassMs(budget);
        std::printf("greedy, centred weight gradients per class (the default) at %.0f %%: %.0f ms "
                    "for %lld picks, %.4f ms per pick with the one-off similarities included\n",
                    fraction * 100, whole, static_cast<long long>(budget * c),
                    whole / double(budget * c));
    }
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.size() < 3) {
        std::printf("usage: glister_bench ARCHIVE WORKDIR TABLE [--settings clean,noisy] "
                    "[--configs NAME,...] [--fractions 0.1,0.3,0.5] [--seeds N] [--epochs E] "
                    "[--select-every R] [--noise P]\n");
        return 2;
    }
    const QString archive = args[0], work = args[1], tablePath = args[2];
    const BenchOptions given(args.mid(3));
    const QStringList settings =
        given.text("--settings", QStringLiteral("clean,noisy")).split(QLatin1Char(','));
    const QStringList configs =
        given.text("--configs", QStringLiteral("full,random,glister-cords,glister-default"))
            .split(QLatin1Char(','));
    std::vector<double> fractions;
    for (const QString &f :
         given.text("--fractions", QStringLiteral("0.1,0.3,0.5")).split(QLatin1Char(',')))
        fractions.push_back(f.toDouble());
    // Seeds firstSeed .. firstSeed + seeds - 1.
    const int seeds = given.number("--seeds", 3), firstSeed = given.number("--first-seed", 1);
    // --reuse 1: keep the projects of an earlier run (and their runs).
    const bool reuse = given.text("--reuse", {}) == QLatin1String("1");
    const double noise = given.real("--noise", 0.3);
    TrainOptions base;
    base.width = 16;
    base.epochs = 40;
    base.selectEvery = 10;
    base.bfloat16 = cpuHasBFloat16();
    base.testEvery = 1000; // the test set once, at the end
    given.applyTraining(base);
    for (const QString &name : configs)
        if (!configNamed(name)) {
            std::printf("unknown configuration '%s'\n", qPrintable(name));
            return 2;
        }
    timeGreedy();
    const QString cifar = cifar10Folder(archive, work);
    QString table =
        QStringLiteral("CIFAR-10, 10,000 train / 1,000 val / 10,000 test, ResNet-18 width %1, %2 "
                       "epochs, R = %3, batch 128, SGD 0.05 cosine, %4 threads, seeds %5; "
                       "noisy: %6 % of the training labels moved to a random other class\n\n")
            .arg(base.width)
            .arg(base.epochs)
            .arg(base.selectEvery)
            .arg(QThread::idealThreadCount())
            .arg(QStringLiteral("%1-%2").arg(firstSeed).arg(firstSeed + seeds - 1))
            .arg(noise * 100, 0, 'f', 0);
    table += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                 .arg(QStringLiteral("labels"), -6)
                 .arg(QStringLiteral("configuration"), -26)
                 .arg(QStringLiteral("fraction"), 8)
                 .arg(QStringLiteral("test accuracy"), 15)
                 .arg(QStringLiteral("s/run"), 7)
                 .arg(QStringLiteral("mislabeled in subsets"), 21);
    for (const QString &setting : settings) {
        const bool noisy = setting == QLatin1String("noisy");
        auto project = benchProject(cifar, work, setting, noisy ? noise : 0, reuse);
        if (!project)
            return 1;
        const std::set<qint64> mislabeled = mislabeledItems(*project);
        std::printf("== %s labels: %zu of 10,000 training labels wrong\n", qPrintable(setting),
                    mislabeled.size());
        std::fflush(stdout);
        for (const QString &name : configs) {
            const Config &config = *configNamed(name);
            if (config.leaveOutDoubtful > 0 &&
                FlagRepository(*project).list(FlagKind::LabelError).empty()) {
                std::printf("-- %s skipped: the project has no label-error flags (run winnow-cli "
                            "label-errors on it first, then this with --reuse 1)\n",
                            config.name);
                continue;
            }
            const bool full = name == QLatin1String("full");
            for (const double fraction : full ? std::vector<double>{1.0} : fractions) {
                Summary summary;
                for (int seed = firstSeed; seed < firstSeed + seeds; ++seed) {
                    TrainOptions options = base;
                    options.fraction = fraction;
                    options.seed = std::uint64_t(seed);
                    options = configured(config, options);
                    std::printf("-- %s %s at %.0f %%, seed %d\n", qPrintable(setting), config.name,
                                fraction * 100, seed);
                    std::fflush(stdout);
                    const auto outcome = runOnce(*project, options, mislabeled);
                    if (!outcome)
                        return 1;
                    std::printf("   test accuracy %.4f in %.0f s%s\n", outcome->accuracy,
                                outcome->seconds,
                                outcome->mislabeledShare >= 0
                                    ? qPrintable(QStringLiteral(", %1 mislabeled in its subsets")
                                                     .arg(outcome->mislabeledShare, 0, 'f', 3))
                                    : "");
                    std::fflush(stdout);
                    summary.accuracies.push_back(outcome->accuracy);
                    summary.seconds.push_back(outcome->seconds);
                    if (outcome->mislabeledShare >= 0)
                        summary.shares.push_back(outcome->mislabeledShare);
                }
                table += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                             .arg(setting, -6)
                             .arg(QLatin1String(config.name), -26)
                             .arg(fraction, 8, 'f', 1)
                             .arg(QStringLiteral("%1 +- %2")
                                      .arg(mean(summary.accuracies), 0, 'f', 3)
                                      .arg(deviation(summary.accuracies), 0, 'f', 3),
                                  15)
                             .arg(mean(summary.seconds), 7, 'f', 0)
                             .arg(summary.shares.empty() || !noisy
                                      ? QStringLiteral("-")
                                      : QString::number(mean(summary.shares), 'f', 3),
                                  21);
            }
        }
    }
    table += QStringLiteral("\nconfigurations:\n");
    for (const QString &name : configs)
        table += QStringLiteral("  %1  %2\n")
                     .arg(name, -26)
                     .arg(QLatin1String(configNamed(name)->description));
    std::printf("\n%s", qPrintable(table));
    std::printf("peak memory: %.0f MiB\n", peakMemoryMiB());
    QFile file(tablePath);
    if (file.open(QIODevice::WriteOnly | QIODevice::Text))
        QTextStream(&file) << table;
    return 0;
}
