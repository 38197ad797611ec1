#include "core/consensus/consensus.h"
#include "core/consensus/consolidation.h"
#include "core/label/labelsource.h"
#include "core/loop/loopactions.h"
#include "core/loop/modelloop.h"
#include "core/store/answerrepository.h"
#include "core/store/consolidationrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/predictionrepository.h"
#include "core/store/reviewrepository.h"
#include "core/store/runrepository.h"
#include "core/store/storeerror.h"
#include "tests/testsupport.h"

#include <QTemporaryDir>
#include <QTest>
#include <random>

using namespace winnow;
using namespace winnow::core;

using test::belief;

// The model in the loop: confident learning, the autolabel threshold, the uncertainty order, and
// stored predictions and machine labels on each backend.
class ModelLoopTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void confidentLearningFindsPlantedLabelErrors();
    void noiseModelCountsPlantedLabelErrors();
    void noiseModelFlagsLittleAmongCleanLabels();
    void lowerBoundIsWilsonsOneSided();
    void autolabelThresholdHoldsItsTargetOnFreshItems();
    void uncertaintyOrderTakesEachPredictedClassInTurn();
    void predictionSetsKeepEveryProbability();
    void autolabelRoundLabelsSkipsTheQueueAndRevertsExactly();
    void labelErrorsFromStoredPredictionsBecomeFlags();
    void rankedItemsComeFirstInTheLabelingQueue();

private:
    // A run on the project: the first 20 items are its val split with human labels.
    qint64 addRun();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Project> m_project;
    std::vector<qint64> m_items; // 40, in id order
    qint64 m_cat = 0, m_dog = 0, m_human = 0;
};

void ModelLoopTest::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_project = test::createBackendProject(m_dir->filePath(QStringLiteral("p")));
    std::vector<NewItem> items;
    for (int i = 0; i < 40; ++i) {
        NewItem item;
        item.path = m_dir->filePath(QStringLiteral("img/%1.png").arg(i, 2, 10, QChar(u'0')));
        item.contentHash = QByteArray::number(i);
        item.width = item.height = 8;
        item.channels = 1;
        items.push_back(item);
    }
    const qint64 batch = *m_project->createBatch(
        QStringLiteral("folder"), m_dir->filePath(QStringLiteral("img")), Split::Train);
    QVERIFY(m_project->addItems(batch, Split::Train, items, 0).ok());
    m_items.clear();
    for (const ItemRecord &item : *m_project->items({}, 0, 100))
        m_items.push_back(item.id);
    std::sort(m_items.begin(), m_items.end());
    m_cat = *m_project->ensureClass(QStringLiteral("cat"));
    m_dog = *m_project->ensureClass(QStringLiteral("dog"));
    m_human = *m_project->ensureAnnotator(QStringLiteral("ann"), QStringLiteral("human"));
    std::vector<NewAnswer> answers;
    for (int i = 0; i < 20; ++i)
        answers.push_back({m_items[size_t(i)], m_human, i % 2 ? m_dog : m_cat});
    AnswerRepository(*m_project).append(answers, QStringLiteral("label"));
}

void ModelLoopTest::cleanup() {
    m_project.reset();
    m_dir.reset();
}

qint64 ModelLoopTest::addRun() {
    NewRun run;
    run.strategy = QStringLiteral("full");
    run.epochs = 1;
    run.parameters = QStringLiteral("{}");
    run.snapshotHash = QStringLiteral("h");
    for (int i = 0; i < 20; ++i)
        run.items.push_back({m_items[size_t(i)], i % 2 ? m_dog : m_cat, QStringLiteral("val")});
    run.valItems = 20;
    return RunRepository(*m_project).create(run);
}

namespace {

constexpr int kPlantedClasses = 5;

// 3,000 items and a model's beliefs about them; one in ten labels is flipped to a random other
// class when `flipRate` is 0.1. Uncalibrated: most items the model knows well (the truth gets
// 0.55-0.95), one in twenty it confuses with a neighbour class. Calibrated: the truth is drawn
// from the model's belief (0.95-1.0 for 85 % of the items, 0.5-0.95 for the rest), so that
// the model is right as often as it says.
struct PlantedCrowd {
    std::vector<int> truth, given;
    std::vector<std::vector<float>> clean; // the model's belief in the true classes

    PlantedCrowd(double flipRate, bool calibrated) {
        std::mt19937 random(7);
        std::uniform_real_distribution<double> unit(0, 1);
        for (int n = 0; n < 3000; ++n) {
            int t = int(random() % kPlantedClasses);
            if (calibrated) {
                const double sure =
                    unit(random) < 0.85 ? 0.95 + 0.05 * unit(random) : 0.5 + 0.45 * unit(random);
                clean.push_back(belief(kPlantedClasses, t, sure));
                t = std::discrete_distribution<int>(clean.back().begin(),
                                                    clean.back().end())(random);
            } else {
                const bool hard = unit(random) < 0.05;
                clean.push_back(hard ? belief(kPlantedClasses, (t + 1) % kPlantedClasses,
                                              0.45 + 0.2 * unit(random))
                                     : belief(kPlantedClasses, t, 0.55 + 0.4 * unit(random)));
            }
            const bool flip = unit(random) < flipRate;
            truth.push_back(t);
            given.push_back(flip ? (t + 1 + int(random() % (kPlantedClasses - 1))) % kPlantedClasses
                                 : t);
        }
    }
    qint64 planted() const {
        qint64 n = 0;
        for (size_t i = 0; i < truth.size(); ++i)
            n += truth[i] != given[i];
        return n;
    }
    // Items with the model's probabilities `p(i)`, ids from 1.
    template <typename Probabilities> std::vector<ScoredItem> items(Probabilities p) const {
        std::vector<ScoredItem> scored;
        for (size_t i = 0; i < truth.size(); ++i)
            scored.push_back({qint64(i) + 1, given[i], p(i)});
        return scored;
    }
};

// The predictions of a model that learnt from labels of which `noise` were flipped to a random
// other class: it gives each other class noise / (classes - 1) of its belief, as models trained
// on noisy labels do (on Fashion-MNIST with 10 % flipped, the self-confidence of flipped items
// gathers around 0.011).
std::vector<float> trainedOnNoise(const std::vector<float> &clean, double noise) {
    const double spread = noise / (clean.size() - 1);
    std::vector<float> p(clean.size());
    for (size_t i = 0; i < clean.size(); ++i)
        p[i] = float((1 - noise) * clean[i] + spread * (1 - clean[i]));
    return p;
}

// Precision and recall of `errors` against the crowd's flips; every flag suggests another class,
// likeliest error first.
std::pair<double, double> checked(const std::vector<LabelErrorCandidate> &errors,
                                  const PlantedCrowd &crowd) {
    qint64 right = 0;
    for (size_t i = 0; i < errors.size(); ++i) {
        const LabelErrorCandidate &e = errors[i];
        const auto n = size_t(e.itemId - 1);
        right += crowd.truth[n] != crowd.given[n];
        if (e.suggested == e.given || (i > 0 && errors[i - 1].score < e.score))
            return {-1, -1};
    }
    return {errors.empty() ? 0 : double(right) / double(errors.size()),
            crowd.planted() > 0 ? double(right) / double(crowd.planted()) : 0};
}

} // namespace

void ModelLoopTest::confidentLearningFindsPlantedLabelErrors() {
    const PlantedCrowd crowd(0.10, false);
    const auto items = crowd.items([&](size_t i) { return crowd.clean[i]; });
    const auto errors = findLabelErrors(items, kPlantedClasses, LabelErrorCount::ConfidentJoint);
    const auto [precision, recall] = checked(errors, crowd);
    QVERIFY2(precision >= 0.85, qPrintable(QString::number(precision)));
    QVERIFY2(recall >= 0.80, qPrintable(QString::number(recall)));
    // The noise model believes these under-confident predictions: a flip hides in the doubt
    // they spread over every class (the truth gets 0.55-0.95 and is always right), so it finds
    // nothing (the confident joint flags 257). The README says so.
    const auto believed = findLabelErrors(items, kPlantedClasses);
    QVERIFY2(believed.size() < errors.size() / 4, qPrintable(QString::number(believed.size())));
}

void ModelLoopTest::noiseModelCountsPlantedLabelErrors() {
    const PlantedCrowd crowd(0.10, true);
    const auto items = crowd.items([&](size_t i) { return trainedOnNoise(crowd.clean[i], 0.10); });
    const LabelNoise noise = estimateLabelNoise(items, kPlantedClasses);
    const auto planted = double(crowd.planted());
    // It errs on the side of fewer: a flip the model is only 95 % sure of is, by the noise model
    // itself, three times in ten a true label (here it expects 231 of 303).
    QVERIFY2(noise.expectedErrors > 0.7 * planted && noise.expectedErrors < 1.1 * planted,
             qPrintable(
                 QStringLiteral("%1 expected, %2 planted").arg(noise.expectedErrors).arg(planted)));
    QCOMPARE(noise.transition.size(), size_t(kPlantedClasses * kPlantedClasses));
    for (int j = 0; j < kPlantedClasses; ++j) { // each true class's labels: about 90 % its own
        double column = 0;
        for (int i = 0; i < kPlantedClasses; ++i)
            column += noise.transition[size_t(i * kPlantedClasses + j)];
        QVERIFY(std::abs(column - 1) < 1e-9);
        QVERIFY2(std::abs(noise.transition[size_t(j * kPlantedClasses + j)] - 0.9) < 0.07,
                 qPrintable(QString::number(noise.transition[size_t(j * kPlantedClasses + j)])));
    }
    const auto errors = findLabelErrors(items, kPlantedClasses);
    const auto [precision, recall] = checked(errors, crowd);
    QVERIFY2(precision >= 0.8 && recall >= 0.6,
             qPrintable(QStringLiteral("precision %1, recall %2").arg(precision).arg(recall)));
    // The confident joint takes the model's confusions for noise: it flags more (381 here), less
    // precisely (0.75).
    const auto joint = findLabelErrors(items, kPlantedClasses, LabelErrorCount::ConfidentJoint);
    QVERIFY(joint.size() > errors.size());
    QVERIFY2(checked(joint, crowd).first + 0.05 < precision,
             qPrintable(QString::number(checked(joint, crowd).first)));
}

void ModelLoopTest::noiseModelFlagsLittleAmongCleanLabels() {
    const PlantedCrowd crowd(0.0, true);
    QCOMPARE(crowd.planted(), qint64(0));
    const auto items = crowd.items([&](size_t i) { return crowd.clean[i]; });
    const LabelNoise noise = estimateLabelNoise(items, kPlantedClasses);
    const auto errors = findLabelErrors(items, kPlantedClasses);
    const auto joint = findLabelErrors(items, kPlantedClasses, LabelErrorCount::ConfidentJoint);
    // Where the model's belief and the true label part (the model is calibrated), it flags 15,
    // the confident joint 61.
    QVERIFY2(noise.expectedErrors < 30 && errors.size() < 30 && joint.size() > 2 * errors.size(),
             qPrintable(QStringLiteral("%1 expected, %2 flagged, the confident joint %3")
                            .arg(noise.expectedErrors)
                            .arg(errors.size())
                            .arg(joint.size())));
    // One class and no items are no trouble.
    QVERIFY(findLabelErrors({{1, 0, {1.0f}}}, 1).empty());
    QVERIFY(findLabelErrors({}, kPlantedClasses).empty());
    QCOMPARE(estimateLabelNoise({}, kPlantedClasses).expectedErrors, 0.0);
}

void ModelLoopTest::lowerBoundIsWilsonsOneSided() {
    QVERIFY(std::abs(accuracyLowerBound(95, 100) - 0.9008) < 1e-3);
    QVERIFY(std::abs(accuracyLowerBound(18, 18) - 0.8693) < 1e-3);
    QCOMPARE(accuracyLowerBound(0, 0), 0.0);
    QVERIFY(accuracyLowerBound(950, 1000) > accuracyLowerBound(95, 100));
}

void ModelLoopTest::autolabelThresholdHoldsItsTargetOnFreshItems() {
    // A calibrated model: right with the probability it states.
    std::mt19937 random(11);
    std::uniform_real_distribution<double> confidence(0.5, 1.0), unit(0, 1);
    const auto sample = [&](int n, std::vector<double> &c, std::vector<bool> &right) {
        for (int i = 0; i < n; ++i) {
            c.push_back(confidence(random));
            right.push_back(unit(random) < c.back());
        }
    };
    std::vector<double> heldOut;
    std::vector<bool> heldOutRight;
    sample(10000, heldOut, heldOutRight);
    for (double target : {0.95, 0.98}) {
        const AutolabelPlan plan = planAutolabel(heldOut, heldOutRight, target);
        QVERIFY(plan.reachable);
        QVERIFY(plan.lowerBound >= target);
        QVERIFY(plan.coverage > 0.01 && plan.coverage < 0.9);
        QVERIFY(!plan.curve.empty());
        std::vector<double> fresh;
        std::vector<bool> freshRight;
        sample(50000, fresh, freshRight);
        qint64 taken = 0, right = 0;
        for (size_t i = 0; i < fresh.size(); ++i)
            if (fresh[i] >= plan.threshold) {
                ++taken;
                right += freshRight[i] ? 1 : 0;
            }
        const double accuracy = double(right) / double(taken);
        QVERIFY2(accuracy >= target, qPrintable(QStringLiteral("%1 at threshold %2 for %3")
                                                    .arg(accuracy)
                                                    .arg(plan.threshold)
                                                    .arg(target)));
    }
    // Out of reach: a coin.
    const AutolabelPlan coin =
        planAutolabel({0.5, 0.5, 0.5, 0.5}, {true, false, true, false}, 0.95);
    QVERIFY(!coin.reachable);
}

void ModelLoopTest::uncertaintyOrderTakesEachPredictedClassInTurn() {
    std::vector<ScoredItem> items;
    for (int i = 0; i < 10; ++i) // class 0: all nearly tied
        items.push_back({i + 1, -1, {0.51f - 0.001f * float(i), 0.49f + 0.001f * float(i), 0}});
    for (int i = 0; i < 3; ++i) // class 2: sure
        items.push_back({100 + i, -1, {0.05f, 0.05f, 0.9f - 0.1f * float(i)}});
    const auto order = uncertaintyOrder(items);
    QCOMPARE(order.size(), size_t(13));
    QCOMPARE(order[0], qint64(10));  // the least margin of all
    QCOMPARE(order[1], qint64(102)); // then the least sure of the other class
    QCOMPARE(order[2], qint64(9));
    QCOMPARE(order[3], qint64(101));
}

void ModelLoopTest::predictionSetsKeepEveryProbability() {
    const qint64 run = addRun();
    PredictionRepository store(*m_project);
    PredictionSet set;
    set.kind = PredictionKind::CrossFit;
    set.runIds = {run};
    set.classIds = {m_cat, m_dog};
    set.labelSource = QStringLiteral("reviews:answers");
    const qint64 id =
        store.create(set, {{m_items[0], run, m_cat, m_dog, 0.875, true, {0.125f, 0.875f}},
                           {m_items[30], run, 0, m_cat, 0.625, true, {0.625f, 0.375f}}});
    const auto found = store.find(id);
    QVERIFY(found);
    QCOMPARE(found->items, qint64(2));
    QCOMPARE(found->classIds, (std::vector<qint64>{m_cat, m_dog}));
    QCOMPARE(store.latest(PredictionKind::CrossFit, run)->id, id);
    QVERIFY(!store.latest(PredictionKind::Run));
    const auto rows = store.predictions(id);
    QCOMPARE(rows.size(), size_t(2));
    QCOMPARE(rows[0].probabilities, (std::vector<float>{0.125f, 0.875f}));
    QCOMPARE(rows[0].givenClassId, m_cat);
    QCOMPARE(rows[1].givenClassId, qint64(0));
    QCOMPARE(rows[1].confidence, 0.625);
    // A vector of the wrong length is refused, and nothing of that set is stored.
    QVERIFY_THROWS_EXCEPTION(StoreError,
                             store.create(set, {{m_items[1], run, 0, m_cat, 1, true, {1.0f}}}));
    QCOMPARE(store.list().size(), size_t(1));
}

void ModelLoopTest::autolabelRoundLabelsSkipsTheQueueAndRevertsExactly() {
    const qint64 run = addRun();
    // Val items: 18 right at 0.99, two wrong at 0.6. Unlabeled: ten sure, ten unsure.
    std::vector<ItemPrediction> rows;
    for (int i = 0; i < 40; ++i) {
        const qint64 given = i < 20 ? (i % 2 ? m_dog : m_cat) : 0;
        const bool wrong = i == 3 || i == 4;
        const double confidence = i < 20 ? (wrong ? 0.6 : 0.99) : (i < 30 ? 0.995 : 0.55);
        const qint64 predicted =
            i < 20 ? (wrong ? (given == m_cat ? m_dog : m_cat) : given) : (i % 2 ? m_dog : m_cat);
        const int index = predicted == m_cat ? 0 : 1;
        rows.push_back({m_items[size_t(i)], run, given, predicted, confidence, true,
                        belief(2, index, confidence)});
    }
    PredictionSet set;
    set.runIds = {run};
    set.classIds = {m_cat, m_dog};
    const qint64 setId = PredictionRepository(*m_project).create(set, rows);

    AnswerRepository answers(*m_project);
    const qint64 other =
        *m_project->ensureAnnotator(QStringLiteral("other"), QStringLiteral("human"));
    const auto labelsBefore = currentLabels(*m_project);
    QVERIFY(labelsBefore.ok());
    QCOMPARE(labelsBefore->size(), qsizetype(20));
    const qint64 eligibleBefore = answers.countEligible(other, 1000, 1);
    const qint64 unfinishedBefore = answers.countUnfinished(1);
    const auto annotatorsBefore = m_project->annotators();

    const auto proposal = proposeAutolabel(*m_project, setId, 0.8);
    QVERIFY2(proposal.ok(), qPrintable(proposal.ok() ? QString() : proposal.error().message));
    QVERIFY(proposal->plan.reachable);
    QCOMPARE(proposal->plan.threshold, 0.99);
    QCOMPARE(proposal->plan.heldOut, qint64(20));
    QCOMPARE(proposal->labels.size(), size_t(10)); // the sure unlabeled ones
    const auto round = applyAutolabel(*m_project, *proposal, m_human);
    QVERIFY(round.ok());

    const auto labelled = currentLabels(*m_project);
    QCOMPARE(labelled->size(), qsizetype(30));
    QCOMPARE(labelled->value(m_items[21]), m_dog);
    QCOMPARE(answers.countEligible(other, 1000, 1), eligibleBefore - 10);
    QCOMPARE(answers.countUnfinished(1), unfinishedBefore - 10);
    // Machine labels are not answers: no annotator, no answer, no consolidation input.
    QCOMPARE(m_project->annotators()->size(), annotatorsBefore->size());
    QCOMPARE(answers.liveAnswersByName().size(), size_t(20));
    QCOMPARE(ConsolidationRepository(*m_project).mostFrequentAnswers().size(), qsizetype(20));
    // A consolidation run now sees the people's answers alone, and so does its export.
    const auto consolidated =
        consolidateProject(*m_project, *makeConsensusMethod(QStringLiteral("majority")), {});
    QVERIFY(consolidated.ok());
    QCOMPARE(consolidated->items, qint64(20));
    QCOMPARE(ConsolidationRepository(*m_project).consolidationLabels(consolidated->id).size(),
             qsizetype(20));
    // Labeled items are not proposed again.
    QCOMPARE(proposeAutolabel(*m_project, setId, 0.8)->labels.size(), size_t(0));

    QVERIFY(*revertAutolabel(*m_project, *round));
    QCOMPARE(*currentLabels(*m_project), *labelsBefore);
    QCOMPARE(answers.countEligible(other, 1000, 1), eligibleBefore);
    QCOMPARE(answers.countUnfinished(1), unfinishedBefore);
    QVERIFY(!*revertAutolabel(*m_project, *round)); // once
    const auto rounds = PredictionRepository(*m_project).autolabelRounds();
    QCOMPARE(rounds.size(), size_t(1));
    QVERIFY(!rounds[0].revertedAt.isEmpty());
    QCOMPARE(rounds[0].labeled, qint64(10)); // the record stays
    QCOMPARE(rounds[0].threshold, 0.99);
}

void ModelLoopTest::labelErrorsFromStoredPredictionsBecomeFlags() {
    const qint64 run = addRun();
    std::vector<ItemPrediction> rows;
    for (int i = 0; i < 20; ++i) {
        const qint64 given = i % 2 ? m_dog : m_cat;
        // Items 6 and 8 (cats) are plainly dogs to the model, 8 the plainer.
        const qint64 predicted = i == 6 || i == 8 ? m_dog : given;
        const double confidence = i == 6 ? 0.97 : i == 8 ? 0.99 : 0.9;
        rows.push_back({m_items[size_t(i)], run, given, predicted, confidence, true,
                        belief(2, predicted == m_cat ? 0 : 1, confidence)});
    }
    PredictionSet set;
    set.kind = PredictionKind::CrossFit;
    set.runIds = {run};
    set.classIds = {m_cat, m_dog};
    const qint64 setId = PredictionRepository(*m_project).create(set, rows);
    const auto errors = flagLabelErrors(*m_project, setId);
    QVERIFY(errors.ok());
    QCOMPARE(errors->size(), size_t(2));
    QCOMPARE(errors->front().itemId, m_items[8]); // the likeliest first
    QCOMPARE(errors->back().itemId, m_items[6]);
    QCOMPARE(errors->back().given, QStringLiteral("cat"));
    QCOMPARE(errors->back().suggested, QStringLiteral("dog"));
    const auto flags = FlagRepository(*m_project).list(FlagKind::LabelError);
    QCOMPARE(flags.size(), size_t(2));
    QVERIFY(std::any_of(flags.begin(), flags.end(), [](const auto &flag) {
        return flag.detail == QLatin1String("model suggests dog (labeled cat; 97 %)");
    }));
    // The review queue filtered to the model's disagreements puts the likeliest error first,
    // though both labels are equally confident.
    const auto consolidation =
        consolidateProject(*m_project, *makeConsensusMethod(QStringLiteral("majority")), {});
    QVERIFY(consolidation.ok());
    QueueQuery query;
    query.modelDisagreesOnly = true;
    const auto queue = ReviewRepository(*m_project).queue(consolidation->id, query);
    QCOMPARE(queue.size(), size_t(2));
    QCOMPARE(queue[0].itemId, m_items[8]);
    QCOMPARE(queue[1].itemId, m_items[6]);
}

void ModelLoopTest::rankedItemsComeFirstInTheLabelingQueue() {
    const qint64 run = addRun();
    std::vector<ItemPrediction> rows;
    for (int i = 20; i < 40; ++i) // unlabeled; item 22 the least certain, then 37
        rows.push_back({m_items[size_t(i)], run, 0, m_cat, 0.9, true,
                        belief(2, 0,
                               i == 22   ? 0.51
                               : i == 37 ? 0.55
                                         : 0.9)});
    PredictionSet set;
    set.runIds = {run};
    set.classIds = {m_cat, m_dog};
    const qint64 setId = PredictionRepository(*m_project).create(set, rows);
    QCOMPARE(*orderQueueByUncertainty(*m_project, setId), qint64(20));
    QCOMPARE(PredictionRepository(*m_project).rankedItems(), qint64(20));
    AnswerRepository answers(*m_project);
    const qint64 other =
        *m_project->ensureAnnotator(QStringLiteral("other"), QStringLiteral("human"));
    const auto claimed = answers.claim(other, 1000, 60, 1, 7, 20);
    QCOMPARE(claimed.size(), size_t(20));
    QCOMPARE(claimed[0].itemId, m_items[22]);
    QCOMPARE(claimed[1].itemId, m_items[37]);
    answers.releaseAll(other);
    QVERIFY(clearQueueOrder(*m_project).ok());
    QCOMPARE(PredictionRepository(*m_project).rankedItems(), qint64(0));
    const auto shuffled = answers.claim(other, 1000, 60, 1, 7, 20);
    QCOMPARE(shuffled.size(), size_t(20));
    QVERIFY(!std::equal(
        claimed.begin(), claimed.end(), shuffled.begin(),
        [](const ClaimedItem &a, const ClaimedItem &b) { return a.itemId == b.itemId; }));
}

int main(int argc, char **argv) {
    ModelLoopTest test;
    return test::runOnBothBackends(test, argc, argv);
}
#include "modelloop_test.moc"
