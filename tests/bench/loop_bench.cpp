// The model in the loop on Debian's Fashion-MNIST: label errors found by cross-fitting among
// planted flips, automated labeling at a target accuracy checked against the true labels, and
// active learning by uncertainty against random order.
//
//   loop_bench errors|autolabel|active|all WORKDIR [--epochs E] [--width W] [--seed S] [--reuse]
//
// --reuse: label errors from the cross-fitting a previous run stored, without training again.

#include "benchsupport.h"
#include "core/io/folderimporter.h"
#include "core/io/idximporter.h"
#include "core/label/labelsource.h"
#include "core/loop/loopactions.h"
#include "core/store/answerrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/predictionrepository.h"
#include "core/store/project.h"
#include "core/train/crossfit.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QThread>
#include <QtEndian>
#include <algorithm>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <random>

using namespace winnow::core;
using namespace winnow::bench;

namespace {

const QString kFashion = QStringLiteral("/usr/share/datasets/fashion-mnist");
constexpr int kSide = 28;

struct Idx {
    QByteArray images; // n x 28 x 28, header removed
    QByteArray labels; // n, header removed
    int count() const { return int(labels.size()); }
};

QByteArray gunzip(const QString &path) {
    QProcess gzip;
    gzip.start(QStringLiteral("gzip"), {QStringLiteral("-dc"), path});
    gzip.waitForFinished(-1);
    return gzip.readAllStandardOutput();
}

Idx readFashion(const QString &prefix) {
    return {gunzip(kFashion + QStringLiteral("/%1-images-idx3-ubyte.gz").arg(prefix)).mid(16),
            gunzip(kFashion + QStringLiteral("/%1-labels-idx1-ubyte.gz").arg(prefix)).mid(8)};
}

void writeBytes(const QString &path, const QByteArray &bytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        std::printf("cannot write %s\n", qPrintable(path));
}

QByteArray bigEndian(quint32 value) {
    QByteArray bytes(4, '\0');
    qToBigEndian(value, bytes.data());
    return bytes;
}

// Raw IDX files of records [from, from + count) with the given labels.
void writeIdxPair(const QString &stem, const Idx &idx, int from, int count,
                  const QByteArray &labels) {
    writeBytes(
        stem + QStringLiteral("-images-idx3-ubyte"),
        bigEndian(0x803) + bigEndian(quint32(count)) + bigEndian(kSide) + bigEndian(kSide) +
            idx.images.mid(qsizetype(from) * kSide * kSide, qsizetype(count) * kSide * kSide));
    writeBytes(stem + QStringLiteral("-labels-idx1-ubyte"),
               bigEndian(0x801) + bigEndian(quint32(count)) + labels.mid(from, count));
}

// Records [from, from + count) as PNG files NAME-INDEX.png in `folder`, without labels.
void writePool(const QString &folder, const QString &name, const Idx &idx, int from, int count) {
    QDir().mkpath(folder);
    for (int i = from; i < from + count; ++i) {
        const cv::Mat image(kSide, kSide, CV_8UC1,
                            const_cast<char *>(idx.images.constData()) +
                                qsizetype(i) * kSide * kSide);
        cv::imwrite(QStringLiteral("%1/%2-%3.png").arg(folder, name).arg(i).toStdString(), image);
    }
}

// The true class of an item from its file: NAME-INDEX.png of a pool, or INDEX.png of an idx import
// (from the train file unless its folder names t10k).
struct Truth {
    const Idx *train = nullptr;
    const Idx *test = nullptr;
    QStringList classes;

    QString of(const QString &path) const {
        const QString base = QFileInfo(path).completeBaseName();
        const bool fromTest = base.startsWith(QStringLiteral("t10k")) ||
                              (!base.contains(u'-') && path.contains(QStringLiteral("t10k")));
        const int index = base.section(u'-', -1).toInt();
        const Idx *idx = fromTest ? test : train;
        return classes.value(int(uchar(idx->labels.at(index))));
    }
};

std::unique_ptr<Project> freshProject(const QString &dir) {
    QDir(dir).removeRecursively();
    auto project = Project::create(dir);
    if (!project) {
        std::printf("cannot create %s: %s\n", qPrintable(dir), qPrintable(project.error().message));
        return nullptr;
    }
    return std::move(project).value();
}

bool importPair(Project &project, const QString &stem, Split split) {
    IdxOptions options{split, 0, fashionMnistClassNames()};
    const auto imported = importIdx(project, stem + QStringLiteral("-images-idx3-ubyte"),
                                    stem + QStringLiteral("-labels-idx1-ubyte"), options);
    if (!imported)
        std::printf("import of %s failed: %s\n", qPrintable(stem),
                    qPrintable(imported.error().message));
    return imported.ok();
}

bool importPool(Project &project, const QString &folder) {
    const auto imported = importImageFolder(project, folder, ImportOptions{});
    if (!imported)
        std::printf("import of %s failed: %s\n", qPrintable(folder),
                    qPrintable(imported.error().message));
    return imported.ok();
}

TrainOptions baseOptions(const QStringList &args) {
    TrainOptions o;
    o.epochs = 10;
    o.width = 16;
    o.testEvery = 1000;
    const BenchOptions options(args);
    o.seed = options.number("--seed", 1);
    options.applyTraining(o);
    return o;
}

TrainEvents quietEvents() {
    TrainEvents events;
    events.message = [](const QString &text) {
        if (text.startsWith(QStringLiteral("cross-fitting")) ||
            text.startsWith(QStringLiteral("predicting")))
            std::printf("  %s\n", qPrintable(text));
        std::fflush(stdout);
    };
    return events;
}

QHash<qint64, QString> itemPaths(Project &project) {
    QHash<qint64, QString> paths;
    for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
        paths.insert(item.id, item.path);
    return paths;
}

// 10,000 training images with 10 % of their labels flipped to a random other class, cross-fitted
// with K = 5; confident learning's flags against the flips.
int labelErrors(const QString &work, const TrainOptions &base, const Idx &train, bool reuse) {
    std::printf("== label errors: 10,000 Fashion-MNIST training images, 10 %% of labels flipped, "
                "5-fold cross-fitting (ResNet-18 width %d, %d epochs, seed %d, %d threads)\n",
                base.width, base.epochs, int(base.seed), QThread::idealThreadCount());
    constexpr int kItems = 10000;
    std::mt19937 random(2024);
    QByteArray noisy = train.labels.left(kItems);
    QSet<int> flipped;
    while (flipped.size() < kItems / 10) {
        const int i = int(random() % kItems);
        if (flipped.contains(i))
            continue;
        flipped.insert(i);
        noisy[i] = char((uchar(noisy[i]) + 1 + random() % 9) % 10);
    }
    const QString dir = work + QStringLiteral("/fashion-label-errors");
    std::unique_ptr<Project> project;
    qint64 setId = 0;
    double seconds = -1;
    if (reuse) { // the cross-fitting a previous run of this benchmark stored
        if (auto opened = Project::open(dir)) {
            project = std::move(opened).value();
            if (const auto set = PredictionRepository(*project).latest(PredictionKind::CrossFit))
                setId = set->id;
        }
    }
    if (setId == 0) {
        const QString raw = work + QStringLiteral("/loop-raw");
        QDir().mkpath(raw);
        writeIdxPair(raw + QStringLiteral("/noisy"), train, 0, kItems, noisy);
        project = freshProject(dir);
        if (!project || !importPair(*project, raw + QStringLiteral("/noisy"), Split::Train))
            return 1;
        QElapsedTimer timer;
        timer.start();
        const auto fitted = crossFit(*project, base, 5, quietEvents());
        if (!fitted) {
            std::printf("cross-fitting failed: %s\n", qPrintable(fitted.error().message));
            return 1;
        }
        seconds = double(timer.elapsed()) / 1000;
        setId = fitted->setId;
    }
    if (seconds >= 0)
        std::printf("cross-fitting 10,000 images, K = 5: %.0f s (%.1f min)\n", seconds,
                    seconds / 60);
    else
        std::printf("cross-fitting reused from the previous run (prediction set %lld)\n", setId);
    // How good the folds' models are, against the true labels.
    QHash<qint64, qint64> truthClass;
    {
        QHash<QString, qint64> idOf;
        for (const ClassInfo &c : *project->classes())
            idOf.insert(c.name, c.id);
        const QStringList names = fashionMnistClassNames();
        const auto paths = itemPaths(*project);
        for (auto it = paths.cbegin(); it != paths.cend(); ++it)
            truthClass.insert(it.key(), idOf.value(names.value(int(uchar(train.labels.at(
                                            QFileInfo(it.value()).completeBaseName().toInt()))))));
    }
    qint64 rightModel = 0, total = 0;
    for (const ItemPrediction &p : PredictionRepository(*project).predictions(setId)) {
        if (p.givenClassId == 0)
            continue;
        ++total;
        rightModel += p.classId == truthClass.value(p.itemId);
    }
    std::printf("the folds' models, out of sample: accuracy %.3f against the true labels\n",
                total > 0 ? double(rightModel) / double(total) : 0.0);
    // The item's index in the file is its file name.
    const auto isFlipped = [&](const QString &path) {
        return flipped.contains(QFileInfo(path).completeBaseName().toInt());
    };
    // The confident joint's count first, the default's last: its flags stay in the project.
    for (const LabelErrorCount count :
         {LabelErrorCount::ConfidentJoint, LabelErrorCount::NoiseModel}) {
        const auto errors = flagLabelErrors(*project, setId, count);
        if (!errors) {
            std::printf("label errors failed: %s\n", qPrintable(errors.error().message));
            return 1;
        }
        qint64 right = 0, at500 = 0, at1000 = 0;
        for (size_t i = 0; i < errors->size(); ++i) {
            const bool hit = isFlipped((*errors)[i].path);
            right += hit;
            at500 += hit && i < 500;
            at1000 += hit && i < 1000;
        }
        std::printf("%s: flagged %zu of %d flipped: precision %.3f, recall %.3f, precision at "
                    "500 %.3f, at 1,000 %.3f\n",
                    count == LabelErrorCount::NoiseModel ? "count by the noise model (default)"
                                                         : "count by the confident joint",
                    errors->size(), int(flipped.size()),
                    errors->empty() ? 0.0 : double(right) / double(errors->size()),
                    double(right) / double(flipped.size()),
                    double(at500) / double(std::min<size_t>(500, errors->size())),
                    double(at1000) / double(std::min<size_t>(1000, errors->size())));
    }
    std::printf("peak memory: %.0f MiB\n", peakMemoryMiB());
    std::fflush(stdout);
    return 0;
}

// A run on 10,000 clean training images (10 % carved out as val) labels a pool of 5,000 unlabeled
// images at target accuracies; checked against their true labels.
int autolabel(const QString &work, const TrainOptions &base, const Idx &train, const Truth &truth) {
    std::printf("== automated labeling: a run on 10,000 Fashion-MNIST training images (1,000 of "
                "them val), 5,000 unlabeled images to label\n");
    const QString raw = work + QStringLiteral("/loop-raw");
    QDir().mkpath(raw);
    writeIdxPair(raw + QStringLiteral("/clean"), train, 0, 10000, train.labels);
    QDir(raw + QStringLiteral("/pool")).removeRecursively();
    // The unlabeled images come from the same collection as the labeled ones, as in a labeling
    // job: training images 10,000 to 14,999 (the test file's images are a little harder, which
    // a val split carved from the training images cannot foresee).
    writePool(raw + QStringLiteral("/pool"), QStringLiteral("train"), train, 10000, 5000);
    auto project = freshProject(work + QStringLiteral("/fashion-autolabel"));
    if (!project || !importPair(*project, raw + QStringLiteral("/clean"), Split::Train) ||
        !importPool(*project, raw + QStringLiteral("/pool")))
        return 1;
    QElapsedTimer timer;
    timer.start();
    const auto trained = trainNewRun(*project, base, quietEvents());
    if (!trained) {
        std::printf("training failed: %s\n", qPrintable(trained.error().message));
        return 1;
    }
    const auto setId = storeRunPredictions(*project, trained->runId);
    if (!setId) {
        std::printf("predicting failed: %s\n", qPrintable(setId.error().message));
        return 1;
    }
    std::printf("run %lld and its predictions: %.0f s\n", trained->runId,
                double(timer.elapsed()) / 1000);
    const auto paths = itemPaths(*project);
    for (double target : {0.95, 0.98}) {
        const auto proposal = proposeAutolabel(*project, *setId, target);
        if (!proposal) {
            std::printf("autolabel failed: %s\n", qPrintable(proposal.error().message));
            return 1;
        }
        qint64 right = 0;
        for (size_t i = 0; i < proposal->labels.size(); ++i) {
            const auto at = std::find(proposal->classIds.begin(), proposal->classIds.end(),
                                      proposal->labels[i].classId);
            right += proposal->classNames.value(int(at - proposal->classIds.begin())) ==
                     truth.of(paths.value(proposal->labels[i].itemId));
        }
        const auto n = qint64(proposal->labels.size());
        std::printf("target %.2f: threshold %.4f, val coverage %.3f (estimated accuracy %.4f, "
                    "lower bound %.4f); labels %lld of 5,000 unlabeled (%.1f %%), actual "
                    "accuracy %.4f\n",
                    target, proposal->plan.threshold, proposal->plan.coverage,
                    proposal->plan.accuracy, proposal->plan.lowerBound, n, 100.0 * double(n) / 5000,
                    n > 0 ? double(right) / double(n) : 0.0);
    }
    std::fflush(stdout);
    return 0;
}

// Five rounds of 500 simulated answers from a pool of 9,000, chosen by uncertainty or at random,
// starting from 1,000 labeled images; val accuracy (1,000 test images as val) after each.
int activeLearning(const QString &work, const TrainOptions &base, const Idx &train, const Idx &test,
                   const Truth &truth) {
    std::printf("== active learning: 1,000 labeled, a pool of 9,000, 5 rounds of 500 answers, "
                "val 1,000\n");
    const QString raw = work + QStringLiteral("/loop-raw");
    QDir().mkpath(raw);
    writeIdxPair(raw + QStringLiteral("/seed"), train, 0, 1000, train.labels);
    writeIdxPair(raw + QStringLiteral("/t10k-val"), test, 0, 1000, test.labels);
    QDir(raw + QStringLiteral("/al-pool")).removeRecursively();
    writePool(raw + QStringLiteral("/al-pool"), QStringLiteral("train"), train, 1000, 9000);
    QHash<QString, std::vector<double>> curves;
    for (const QString &order : {QStringLiteral("uncertainty"), QStringLiteral("random")}) {
        auto project = freshProject(work + QStringLiteral("/fashion-active-") + order);
        if (!project || !importPair(*project, raw + QStringLiteral("/seed"), Split::Train) ||
            !importPair(*project, raw + QStringLiteral("/t10k-val"), Split::Val) ||
            !importPool(*project, raw + QStringLiteral("/al-pool")))
            return 1;
        const auto classes = project->classes();
        QHash<QString, qint64> classId;
        for (const ClassInfo &c : *classes)
            classId.insert(c.name, c.id);
        const qint64 human =
            *project->ensureAnnotator(QStringLiteral("sim-human"), QStringLiteral("simulated"));
        const auto paths = itemPaths(*project);
        std::mt19937 random(99);
        for (int round = 0; round <= 5; ++round) {
            const auto trained = trainNewRun(*project, base, {});
            if (!trained) {
                std::printf("training failed: %s\n", qPrintable(trained.error().message));
                return 1;
            }
            const auto run = findRun(*project, trained->runId);
            curves[order].push_back(run->bestValAccuracy.value_or(0));
            std::printf("%-11s round %d: %lld labeled, val accuracy %.4f\n", qPrintable(order),
                        round, run->trainItems, run->bestValAccuracy.value_or(0));
            std::fflush(stdout);
            if (round == 5)
                break;
            std::vector<qint64> next;
            if (order == QLatin1String("uncertainty")) {
                const auto setId = storeRunPredictions(*project, trained->runId);
                const auto queue = setId ? uncertaintyQueue(*project, *setId)
                                         : Result<std::vector<qint64>>(setId.error());
                if (!queue) {
                    std::printf("queue failed: %s\n", qPrintable(queue.error().message));
                    return 1;
                }
                next = *queue;
            } else {
                const auto labels = currentLabels(*project);
                for (auto it = paths.cbegin(); it != paths.cend(); ++it)
                    if (!labels->contains(it.key()))
                        next.push_back(it.key());
                std::sort(next.begin(), next.end());
                std::shuffle(next.begin(), next.end(), random);
            }
            next.resize(std::min<size_t>(500, next.size()));
            std::vector<NewAnswer> answers;
            for (qint64 item : next)
                answers.push_back({item, human, classId.value(truth.of(paths.value(item)))});
            AnswerRepository(*project).append(answers, QStringLiteral("simulated"));
        }
    }
    std::printf("\nround  labeled  val acc (uncertainty)  val acc (random)\n");
    for (int round = 0; round <= 5; ++round)
        std::printf("%5d  %7d  %21.4f  %16.4f\n", round, 1000 + 500 * round,
                    curves[QStringLiteral("uncertainty")][size_t(round)],
                    curves[QStringLiteral("random")][size_t(round)]);
    std::fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    const QString mode = args.value(0), work = args.value(1);
    if (work.isEmpty() || !QStringList{QStringLiteral("errors"), QStringLiteral("autolabel"),
                                       QStringLiteral("active"), QStringLiteral("all")}
                               .contains(mode)) {
        std::fprintf(stderr, "usage: loop_bench errors|autolabel|active|all WORKDIR [--epochs E] "
                             "[--width W]\n");
        return 2;
    }
    if (!QDir(kFashion).exists()) {
        std::printf("Fashion-MNIST not found at %s: loop benchmarks skipped\n",
                    qPrintable(kFashion));
        return 0;
    }
    const Idx train = readFashion(QStringLiteral("train")),
              test = readFashion(QStringLiteral("t10k"));
    const Truth truth{&train, &test, fashionMnistClassNames()};
    const TrainOptions base = baseOptions(args);
    int failed = 0;
    if (mode == QLatin1String("errors") || mode == QLatin1String("all"))
        failed += labelErrors(work, base, train, BenchOptions(args).has("--reuse"));
    if (mode == QLatin1String("autolabel") || mode == QLatin1String("all"))
        failed += autolabel(work, base, train, truth);
    if (mode == QLatin1String("active") || mode == QLatin1String("all"))
        failed += activeLearning(work, base, train, test, truth);
    return failed;
}
