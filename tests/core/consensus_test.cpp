#include "core/consensus/consensus.h"

#include <QTest>
#include <cmath>
#include <random>

using namespace winnow::core;

namespace {

// A simulated crowd with known truth: each worker answers from its own confusion matrix.
struct Crowd {
    AnswerTable table;
    std::vector<int> truth;
    std::vector<double> trueAccuracy; // empirical, over the worker's answers
};

struct WorkerModel {
    enum Kind { Diagonal, Uniform, Constant, Adversarial } kind = Diagonal;
    double accuracy = 0.8;
};

Crowd simulate(int items, int classes, const std::vector<WorkerModel> &workers, int answersPerItem,
               const std::vector<double> &prior, std::uint32_t seed, int fixedAnswers = -1) {
    std::mt19937 rng(seed);
    std::discrete_distribution<int> classOf(prior.begin(), prior.end());
    std::uniform_real_distribution<double> unit(0, 1);
    std::uniform_int_distribution<int> anyClass(0, classes - 1);
    std::uniform_int_distribution<int> anyWorker(0, int(workers.size()) - 1);
    Crowd crowd;
    crowd.truth.resize(size_t(items));
    std::vector<double> right(workers.size(), 0), seen(workers.size(), 0);
    AnswerTableBuilder builder;
    for (int i = 0; i < items; ++i) {
        const int truth = classOf(rng);
        crowd.truth[size_t(i)] = truth;
        const int n = fixedAnswers > 0 ? fixedAnswers : answersPerItem;
        std::vector<int> chosen;
        while (int(chosen.size()) < std::min(n, int(workers.size()))) {
            const int w = anyWorker(rng);
            if (std::find(chosen.begin(), chosen.end(), w) == chosen.end())
                chosen.push_back(w);
        }
        for (int w : chosen) {
            const WorkerModel &m = workers[size_t(w)];
            int label = truth;
            switch (m.kind) {
            case WorkerModel::Diagonal:
                if (unit(rng) > m.accuracy)
                    do
                        label = anyClass(rng);
                    while (label == truth && classes > 1);
                break;
            case WorkerModel::Uniform:
                label = anyClass(rng);
                break;
            case WorkerModel::Constant:
                label = 0;
                break;
            case WorkerModel::Adversarial:
                label = (truth + 1) % classes;
                break;
            }
            builder.add(i, w, label);
            seen[size_t(w)] += 1;
            right[size_t(w)] += label == truth;
        }
    }
    crowd.table = builder.build(items, int(workers.size()), classes);
    for (size_t w = 0; w < workers.size(); ++w)
        crowd.trueAccuracy.push_back(seen[w] > 0 ? right[w] / seen[w] : 0);
    return crowd;
}

double accuracy(const ConsensusResult &r, const Crowd &c) {
    int right = 0, counted = 0;
    for (size_t i = 0; i < c.truth.size(); ++i) {
        if (r.label[i] < 0)
            continue;
        ++counted;
        right += r.label[i] == c.truth[i];
    }
    return counted ? double(right) / counted : 0;
}

// Expected calibration error over ten confidence bins.
double calibrationError(const ConsensusResult &r, const Crowd &c) {
    double total[10] = {}, correct[10] = {}, confidence[10] = {};
    for (size_t i = 0; i < c.truth.size(); ++i) {
        const int bin = std::min(9, int(r.confidence[i] * 10));
        total[bin] += 1;
        correct[bin] += r.label[i] == c.truth[i];
        confidence[bin] += r.confidence[i];
    }
    double ece = 0;
    for (int b = 0; b < 10; ++b)
        if (total[b] > 0)
            ece += total[b] / double(c.truth.size()) *
                   std::abs(correct[b] / total[b] - confidence[b] / total[b]);
    return ece;
}

void checkSane(const ConsensusResult &r, const AnswerTable &t) {
    QCOMPARE(r.label.size(), size_t(t.items));
    for (int i = 0; i < t.items; ++i) {
        const float conf = r.confidence[size_t(i)];
        QVERIFY2(std::isfinite(conf) && conf >= 0 && conf <= 1.0001f,
                 qPrintable(QString::number(conf)));
        QVERIFY(r.label[size_t(i)] >= (t.answersOf(i) > 0 ? 0 : -1) &&
                r.label[size_t(i)] < t.classes);
        double sum = 0;
        for (int k = 0; k < t.classes; ++k) {
            const float p = r.posterior[size_t(i) * size_t(t.classes) + size_t(k)];
            QVERIFY(std::isfinite(p) && p >= 0);
            sum += p;
        }
        QVERIFY(std::abs(sum - 1) < 1e-3);
    }
    for (const WorkerEstimate &w : r.workers) {
        QVERIFY(std::isfinite(w.accuracy) && w.accuracy >= 0 && w.accuracy <= 1);
        QVERIFY(std::isfinite(w.agreement));
        for (double v : w.confusion)
            QVERIFY(std::isfinite(v) && v >= 0);
    }
}

std::vector<WorkerModel> mixedCrowd() {
    std::vector<WorkerModel> workers;
    for (int w = 0; w < 6; ++w)
        workers.push_back({WorkerModel::Diagonal, 0.92});
    for (int w = 0; w < 10; ++w)
        workers.push_back({WorkerModel::Diagonal, 0.6});
    for (int w = 0; w < 4; ++w)
        workers.push_back({WorkerModel::Uniform, 0});
    return workers;
}

} // namespace

class ConsensusTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emMethodsBeatMajorityWhenQualityDiffers_data();
    void emMethodsBeatMajorityWhenQualityDiffers();
    void estimatedAccuraciesAreCloseToTheTruth();
    void confidenceIsCalibrated();
    void awkwardCrowdsStaySensible_data();
    void awkwardCrowdsStaySensible();
    void resultsAreDeterministic();
    void majorityTieGoesToTheMoreReliableVoters();
    void majorityTiesWithoutEvidenceDoNotFavourTheFirstClass();
    void unknownMethodIsRejected();
    void rareClassGivenUnanimouslyIsKept_data();
    void rareClassGivenUnanimouslyIsKept();
    void noLabelIsInventedOnSimulatedCrowds_data();
    void noLabelIsInventedOnSimulatedCrowds();
};

void ConsensusTest::emMethodsBeatMajorityWhenQualityDiffers_data() {
    QTest::addColumn<QString>("method");
    for (const char *m : {"dawid-skene", "ground-truth", "one-coin", "mace"})
        QTest::newRow(m) << QString::fromLatin1(m);
}

void ConsensusTest::emMethodsBeatMajorityWhenQualityDiffers() {
    QFETCH(QString, method);
    const Crowd crowd = simulate(3000, 4, mixedCrowd(), 5, {0.25, 0.25, 0.25, 0.25}, 7);
    const ConsensusResult majority =
        makeConsensusMethod(QStringLiteral("majority"))->run(crowd.table, {});
    const ConsensusResult em = makeConsensusMethod(method)->run(crowd.table, {});
    checkSane(em, crowd.table);
    const double m = accuracy(majority, crowd), e = accuracy(em, crowd);
    qInfo("%s: majority %.3f, %s %.3f", qPrintable(method), m, qPrintable(method), e);
    QVERIFY2(e > m + 0.02, qPrintable(QStringLiteral("%1 vs majority %2").arg(e).arg(m)));
}

void ConsensusTest::estimatedAccuraciesAreCloseToTheTruth() {
    const Crowd crowd = simulate(3000, 4, mixedCrowd(), 5, {0.25, 0.25, 0.25, 0.25}, 11);
    for (const char *name : {"dawid-skene", "ground-truth"}) {
        const ConsensusResult r = makeConsensusMethod(QLatin1String(name))->run(crowd.table, {});
        for (size_t w = 0; w < r.workers.size(); ++w) {
            const double error = std::abs(r.workers[w].accuracy - crowd.trueAccuracy[w]);
            QVERIFY2(error < 0.05, qPrintable(QStringLiteral("%1 worker %2: estimated %3, true %4")
                                                  .arg(QLatin1String(name))
                                                  .arg(w)
                                                  .arg(r.workers[w].accuracy)
                                                  .arg(crowd.trueAccuracy[w])));
            // The matrix says the same: its prior-weighted diagonal is the accuracy.
            double diagonal = 0;
            for (int k = 0; k < 4; ++k)
                diagonal += r.classPrior[size_t(k)] * r.workers[w].confusion[size_t(k * 4 + k)];
            QVERIFY(std::abs(diagonal - crowd.trueAccuracy[w]) < 0.08);
        }
    }
}

void ConsensusTest::confidenceIsCalibrated() {
    // Fewer answers per item so that confidences spread over the whole range.
    const Crowd crowd = simulate(6000, 4, mixedCrowd(), 3, {0.4, 0.3, 0.2, 0.1}, 13);
    for (const char *name : {"dawid-skene", "ground-truth"}) {
        const ConsensusResult r = makeConsensusMethod(QLatin1String(name))->run(crowd.table, {});
        const double ece = calibrationError(r, crowd);
        qInfo("%s: expected calibration error %.4f, accuracy %.3f", name, ece, accuracy(r, crowd));
        QVERIFY2(ece < 0.05, qPrintable(QString::number(ece)));
    }
}

void ConsensusTest::awkwardCrowdsStaySensible_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("crowd");
    for (const char *m : {"majority", "dawid-skene", "ground-truth", "one-coin", "mace"})
        for (const char *c : {"few answers each", "spammers", "always the same class",
                              "adversarial", "heavy imbalance", "one answer per item",
                              "class nobody chose", "many annotators", "a thousand answers each"})
            QTest::newRow(
                qPrintable(QStringLiteral("%1, %2").arg(QLatin1String(m), QLatin1String(c))))
                << QString::fromLatin1(m) << QString::fromLatin1(c);
}

void ConsensusTest::awkwardCrowdsStaySensible() {
    QFETCH(QString, method);
    QFETCH(QString, crowd);
    std::vector<WorkerModel> workers = mixedCrowd();
    std::vector<double> prior = {0.25, 0.25, 0.25, 0.25};
    int items = 2000, perItem = 5, fixed = -1;
    double minimum = 0.85; // accuracy that a sensible method keeps on this crowd
    if (crowd == QLatin1String("few answers each")) {
        workers.assign(3000, {WorkerModel::Diagonal, 0.75}); // about three answers each
        perItem = 4;
        minimum = 0.8;
    } else if (crowd == QLatin1String("spammers")) {
        for (int w = 0; w < 10; ++w)
            workers.push_back({WorkerModel::Uniform, 0});
        minimum = 0.75;
    } else if (crowd == QLatin1String("always the same class")) {
        for (int w = 0; w < 6; ++w)
            workers.push_back({WorkerModel::Constant, 0});
        minimum = 0.7;
    } else if (crowd == QLatin1String("adversarial")) {
        for (int w = 0; w < 3; ++w)
            workers.push_back({WorkerModel::Adversarial, 0});
        minimum = 0.75;
    } else if (crowd == QLatin1String("heavy imbalance")) {
        prior = {0.94, 0.02, 0.02, 0.02};
        minimum = 0.9;
    } else if (crowd == QLatin1String("one answer per item")) {
        fixed = 1;
        minimum = 0.5;
    } else if (crowd == QLatin1String("class nobody chose")) {
        prior = {0.5, 0.5, 0, 0}; // classes 2 and 3 exist but are never true...
        workers.assign(10, {WorkerModel::Diagonal, 1.0}); // ...and nobody answers them
        minimum = 0.99;
    } else if (crowd == QLatin1String("many annotators")) {
        workers.assign(20000, {WorkerModel::Diagonal, 0.8});
        items = 4000;
        minimum = 0.85;
    } else if (crowd == QLatin1String("a thousand answers each")) {
        // Products of 1,000 probabilities would underflow without rescaling.
        workers.assign(1200, {WorkerModel::Diagonal, 0.6});
        items = 200;
        perItem = 1000;
        minimum = 0.99;
    }
    const Crowd c = simulate(items, 4, workers, perItem, prior, 23, fixed);
    const ConsensusResult r = makeConsensusMethod(method)->run(c.table, {});
    checkSane(r, c.table);
    QVERIFY(std::isfinite(r.logLikelihood));
    const double acc = accuracy(r, c);
    QVERIFY2(acc >= minimum, qPrintable(QStringLiteral("accuracy %1 < %2").arg(acc).arg(minimum)));
    // No collapse: every class that is truly present is predicted for some items.
    std::vector<int> predicted(4, 0), present(4, 0);
    for (size_t i = 0; i < c.truth.size(); ++i) {
        ++present[size_t(c.truth[i])];
        if (r.label[i] >= 0)
            ++predicted[size_t(r.label[i])];
    }
    if (fixed != 1) {
        for (int k = 0; k < 4; ++k)
            if (present[size_t(k)] >= 20)
                QVERIFY2(predicted[size_t(k)] >= present[size_t(k)] / 3,
                         qPrintable(QStringLiteral("class %1: predicted %2 of %3")
                                        .arg(k)
                                        .arg(predicted[size_t(k)])
                                        .arg(present[size_t(k)])));
    }
}

void ConsensusTest::resultsAreDeterministic() {
    // Enough items that two threads share the work.
    const Crowd crowd = simulate(6000, 5, mixedCrowd(), 3, {0.2, 0.2, 0.2, 0.2, 0.2}, 5);
    for (const QString &name : consensusMethodNames()) {
        ConsensusOptions one, two;
        one.threads = 1;
        two.threads = 2;
        const ConsensusResult a = makeConsensusMethod(name)->run(crowd.table, one);
        const ConsensusResult b = makeConsensusMethod(name)->run(crowd.table, two);
        QCOMPARE(a.label, b.label);
        for (size_t i = 0; i < a.confidence.size(); ++i)
            QVERIFY(std::abs(a.confidence[i] - b.confidence[i]) < 1e-5);
    }
}

void ConsensusTest::majorityTieGoesToTheMoreReliableVoters() {
    // Worker 0 agrees with the majority on ten items, worker 1 never does; on the last item
    // they disagree alone and worker 0's class wins, whichever class index it has.
    for (int good : {0, 1}) {
        AnswerTableBuilder builder;
        for (int i = 0; i < 10; ++i) {
            builder.add(i, 0, 2);
            builder.add(i, 2, 2);
            builder.add(i, 1, 3);
        }
        builder.add(10, 0, good);
        builder.add(10, 1, 1 - good);
        const AnswerTable table = builder.build(11, 3, 4);
        const ConsensusResult r = makeConsensusMethod(QStringLiteral("majority"))->run(table, {});
        QCOMPARE(r.label[10], good);
        QCOMPARE(r.confidence[10], 0.5f);
    }
}

void ConsensusTest::majorityTiesWithoutEvidenceDoNotFavourTheFirstClass() {
    // Two unknown workers disagree on every item: the seeded hash decides, evenly.
    AnswerTableBuilder builder;
    for (int i = 0; i < 400; ++i) {
        builder.add(i, 2 * i, 0);
        builder.add(i, 2 * i + 1, 1);
    }
    const AnswerTable table = builder.build(400, 800, 2);
    ConsensusOptions options;
    const ConsensusResult r = makeConsensusMethod(QStringLiteral("majority"))->run(table, options);
    const auto zeros = std::count(r.label.begin(), r.label.end(), 0);
    QVERIFY2(zeros > 150 && zeros < 250, qPrintable(QString::number(zeros)));
    options.seed = 99;
    const ConsensusResult other =
        makeConsensusMethod(QStringLiteral("majority"))->run(table, options);
    QVERIFY(other.label != r.label); // the seed matters
}

void ConsensusTest::unknownMethodIsRejected() {
    QVERIFY(makeConsensusMethod(QStringLiteral("glad-ish")) == nullptr);
    QCOMPARE(consensusMethodNames().size(), 5);
}

void ConsensusTest::rareClassGivenUnanimouslyIsKept_data() {
    QTest::addColumn<QString>("method");
    for (const QString &name : consensusMethodNames())
        QTest::newRow(qPrintable(name)) << name;
}

// Two items answered x by both of two annotators, among fifty answered bird by two others:
// the rare class stays, whatever the class prior says.
void ConsensusTest::rareClassGivenUnanimouslyIsKept() {
    QFETCH(QString, method);
    for (int classes : {2, 3}) {
        AnswerTableBuilder builder;
        for (int i = 0; i < 2; ++i) {
            builder.add(i, 0, 1);
            builder.add(i, 1, 1);
        }
        for (int i = 2; i < 52; ++i) {
            builder.add(i, 2, 0);
            builder.add(i, 3, 0);
        }
        const AnswerTable table = builder.build(52, 4, classes);
        const ConsensusResult r = makeConsensusMethod(method)->run(table, {});
        checkSane(r, table);
        QCOMPARE(r.label[0], 1);
        QCOMPARE(r.label[1], 1);
        QCOMPARE(r.label[2], 0);
    }
}

void ConsensusTest::noLabelIsInventedOnSimulatedCrowds_data() {
    QTest::addColumn<QString>("method");
    for (const QString &name : consensusMethodNames())
        QTest::newRow(qPrintable(name)) << name;
}

// On crowds of better-than-chance annotators with rare classes, every label is one an answer gave.
void ConsensusTest::noLabelIsInventedOnSimulatedCrowds() {
    QFETCH(QString, method);
    for (std::uint32_t seed : {3u, 5u, 7u}) {
        std::vector<WorkerModel> workers;
        for (int w = 0; w < 12; ++w)
            workers.push_back({WorkerModel::Diagonal, 0.55 + 0.03 * w});
        const Crowd c = simulate(1500, 5, workers, 2, {0.9, 0.04, 0.03, 0.02, 0.01}, seed);
        const ConsensusResult r = makeConsensusMethod(method)->run(c.table, {});
        checkSane(r, c.table);
        int invented = 0;
        for (int i = 0; i < c.table.items; ++i) {
            bool given = false;
            for (std::int64_t a = c.table.offsets[size_t(i)]; a < c.table.offsets[size_t(i) + 1];
                 ++a)
                given = given || c.table.label[size_t(a)] == r.label[size_t(i)];
            invented += given ? 0 : 1;
        }
        QVERIFY2(invented == 0,
                 qPrintable(QStringLiteral("seed %1: %2 items got a label no answer gave")
                                .arg(seed)
                                .arg(invented)));
    }
}

QTEST_APPLESS_MAIN(ConsensusTest)
#include "consensus_test.moc"
