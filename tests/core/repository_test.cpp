#include "core/label/labelsource.h"
#include "core/label/simulatedcrowd.h"
#include "core/store/answerrepository.h"
#include "core/store/consolidationrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/reviewrepository.h"
#include "core/store/runrepository.h"
#include "core/store/storeerror.h"
#include "tests/testsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace winnow;
using namespace winnow::core;

// Each repository of core/store on its own, on a fresh project per test.
class RepositoryTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void itemsComeInIdOrPathOrderAndMoveSplitsTogether();
    void answersFillTheQueueUpToTheOverlapAndUndoReclaims();
    void importedAnswersSkipWhatIsAlreadyLive();
    void consolidationsStoreLabelsEstimatesAndOneCurrent();
    void reviewsPinAcceptsAndRaiseTheOverlap();
    void flagsAreReplacedByKindAndExclusionsKeepHistory();
    void runsKeepEpochsSelectionsAndTheirCheckpointedSummary();
    void referenceLabelsScoreAnswersButLabelNothing();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Project> m_project;
    std::vector<qint64> m_items; // in id order; paths z.png, y.png, ... (reverse of id order)
    qint64 m_cat = 0, m_dog = 0;
};

void RepositoryTest::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_project = test::createBackendProject(m_dir->filePath(QStringLiteral("p")));
    std::vector<NewItem> items;
    for (int i = 0; i < 4; ++i) {
        NewItem item;
        item.path = m_dir->filePath(QStringLiteral("img/%1.png").arg(QChar(u'z' - i)));
        item.contentHash = QByteArray::number(i);
        item.perceptualHash = quint64(i) << 8;
        item.width = 10 + i;
        item.height = 20;
        item.channels = 3;
        items.push_back(item);
    }
    const qint64 batch = *m_project->createBatch(
        QStringLiteral("folder"), m_dir->filePath(QStringLiteral("img")), Split::Train);
    QVERIFY(m_project->addItems(batch, Split::Train, items, 0).ok());
    m_items.clear();
    for (const ItemRecord &item : *m_project->items({}, 0, 10))
        m_items.push_back(item.id);
    m_cat = *m_project->ensureClass(QStringLiteral("cat"));
    m_dog = *m_project->ensureClass(QStringLiteral("dog"));
}

void RepositoryTest::cleanup() {
    m_project.reset();
    m_dir.reset();
}

void RepositoryTest::itemsComeInIdOrPathOrderAndMoveSplitsTogether() {
    ItemRepository items(*m_project);
    const auto byId = items.all(ItemRepository::Order::ById);
    const auto byPath = items.all(ItemRepository::Order::ByPath);
    QCOMPARE(byId.size(), size_t(4));
    QCOMPARE(byId.front().id, m_items.front());
    QCOMPARE(byPath.front().id, m_items.back()); // w.png sorts first
    QCOMPARE(byId[1].width, 11);
    QCOMPARE(byId[1].perceptualHash, std::uint64_t(1) << 8);
    QVERIFY(byId[1].path.endsWith(QStringLiteral("img/y.png")));
    QCOMPARE(byId[1].split, QStringLiteral("train"));
    items.setSplits({{m_items[0], Split::Val}, {m_items[1], Split::Test}});
    const auto moved = items.all(ItemRepository::Order::ById);
    QCOMPARE(moved[0].split, QStringLiteral("val"));
    QCOMPARE(moved[1].split, QStringLiteral("test"));
    QCOMPARE(moved[2].split, QStringLiteral("train"));
    const auto origins = items.origins();
    QCOMPARE(origins.size(), size_t(4));
    QCOMPARE(origins[0].importKind, QStringLiteral("folder"));
    QCOMPARE(origins[0].importSource, m_dir->filePath(QStringLiteral("img")));
}

void RepositoryTest::answersFillTheQueueUpToTheOverlapAndUndoReclaims() {
    AnswerRepository answers(*m_project);
    const qint64 a = *m_project->ensureAnnotator(QStringLiteral("a"), QStringLiteral("human"));
    const qint64 b = *m_project->ensureAnnotator(QStringLiteral("b"), QStringLiteral("human"));
    const qint64 now = 1000;
    // One answer wanted per item: a claims two, b sees the other two.
    const auto first = answers.claim(a, now, 60, 1, 7, 2);
    QCOMPARE(first.size(), size_t(2));
    QCOMPARE(answers.countClaims(a, now), qint64(2));
    QCOMPARE(answers.countEligible(b, now, 1), qint64(2));
    const auto second = answers.claim(b, now, 60, 1, 7, 10);
    QCOMPARE(second.size(), size_t(2));
    QCOMPARE(answers.countEligible(b, now, 1), qint64(0));
    // Claims expire.
    QCOMPARE(answers.countEligible(b, now + 61, 1), qint64(4));
    // An answer releases the claim and counts as done.
    answers.answer(a, {first[0].itemId}, m_cat, 1200, QStringLiteral("label"));
    QCOMPARE(answers.countClaims(a, now), qint64(1));
    QCOMPARE(answers.countLabeledSince(a, QStringLiteral("2000-01-01")), qint64(1));
    bool refused = false;
    try {
        answers.answer(a, {first[1].itemId}, 999, -1, QStringLiteral("label"));
    } catch (const StoreError &) {
        refused = true;
    }
    QVERIFY(refused);
    // Undo revokes the newest answer and claims its item again.
    QCOMPARE(answers.undoLast(a, now, 60), std::optional<qint64>(first[0].itemId));
    QCOMPARE(answers.countLabeledSince(a, QStringLiteral("2000-01-01")), qint64(0));
    QCOMPARE(answers.countClaims(a, now), qint64(2));
    QCOMPARE(answers.undoLast(b, now, 60), std::optional<qint64>());
    answers.releaseAll(a);
    QCOMPARE(answers.countClaims(a, now), qint64(0));
}

void RepositoryTest::importedAnswersSkipWhatIsAlreadyLive() {
    AnswerRepository answers(*m_project);
    const qint64 a = *m_project->ensureAnnotator(QStringLiteral("a"), QStringLiteral("human"));
    answers.append({{m_items[0], a, m_cat}}, QStringLiteral("simulated"));
    const qint64 appended = answers.importAnswers(
        {{m_items[0], a, m_cat}, {m_items[1], a, m_dog}, {m_items[1], a, m_dog}},
        QStringLiteral("import"));
    QCOMPARE(appended, qint64(1));
    const auto named = answers.liveAnswersByName();
    QCOMPARE(named.size(), size_t(2));
    QCOMPARE(named[1].itemId, m_items[1]);
    QCOMPARE(named[1].annotator, QStringLiteral("a"));
    QCOMPARE(named[1].className, QStringLiteral("dog"));
    const auto of = answers.answersOf(QStringLiteral("a"), 1);
    QCOMPARE(of.size(), size_t(1));
    QCOMPARE(of[0], std::make_pair(m_items[0], m_cat));
}

void RepositoryTest::consolidationsStoreLabelsEstimatesAndOneCurrent() {
    ConsolidationRepository store(*m_project);
    QCOMPARE(store.classIdsInOrder(), (std::vector<qint64>{m_cat, m_dog}));
    const qint64 a = *m_project->ensureAnnotator(QStringLiteral("a"), QStringLiteral("human"));
    const qint64 b = *m_project->ensureAnnotator(QStringLiteral("b"), QStringLiteral("human"));
    AnswerRepository(*m_project)
        .append({{m_items[0], a, m_dog}, {m_items[0], b, m_cat}, {m_items[1], b, m_dog}},
                QStringLiteral("label"));
    QCOMPARE(store.liveAnswers().size(), size_t(3));
    // Ties go to the earliest answer.
    QCOMPARE(store.mostFrequentAnswers().value(m_items[0]), m_dog);

    NewConsolidation c;
    c.method = QStringLiteral("majority");
    c.parameters = QStringLiteral("{}");
    c.classIds = {m_cat, m_dog};
    c.items = 2;
    c.answers = 3;
    c.labels = {{m_items[0], m_cat, 0.5, 2, {}}, {m_items[1], m_dog, 1.0, 1, {}}};
    const double confusion[4] = {0.9, 0.1, 0.2, 0.8};
    c.estimates = {
        {b, 2, 0.75, 0.5, QByteArray(reinterpret_cast<const char *>(confusion), sizeof confusion)}};
    const qint64 first = store.store(c, QStringLiteral("2026-01-01T00:00:00Z"));
    const qint64 second = store.store(c, QStringLiteral("2026-01-02T00:00:00Z"));
    QCOMPARE(store.list().size(), size_t(2));
    QCOMPARE(store.list().front().id, second);
    QCOMPARE(store.find(first)->classIds, (std::vector<qint64>{m_cat, m_dog}));
    QVERIFY(!store.find(999).has_value());
    QCOMPARE(store.labelOf(first, m_items[1]), std::optional<qint64>(m_dog));
    QCOMPARE(store.labelOf(first, m_items[2]), std::optional<qint64>());
    QCOMPARE(store.estimates(first).front().confusion, (std::vector<double>{0.9, 0.1, 0.2, 0.8}));

    QCOMPARE(store.currentId(), qint64(0));
    QVERIFY(store.currentConsolidationLabels().isEmpty());
    store.markCurrent(first);
    store.markCurrent(second);
    QCOMPARE(store.currentId(), second);
    QVERIFY(!store.find(first)->current && store.find(second)->current);
    QCOMPARE(store.currentConsolidationLabels().value(m_items[0]), m_cat);
    bool refused = false;
    try {
        store.markCurrent(999);
    } catch (const StoreError &) {
        refused = true;
    }
    QVERIFY(refused);
    QCOMPARE(store.currentId(), second); // a refused mark changes nothing
}

void RepositoryTest::reviewsPinAcceptsAndRaiseTheOverlap() {
    const qint64 a = *m_project->ensureAnnotator(QStringLiteral("a"), QStringLiteral("human"));
    AnswerRepository(*m_project)
        .append({{m_items[0], a, m_cat}, {m_items[1], a, m_dog}}, QStringLiteral("label"));
    NewConsolidation c;
    c.method = QStringLiteral("majority");
    c.classIds = {m_cat, m_dog};
    c.labels = {{m_items[0], m_cat, 0.6, 1, {}}, {m_items[1], m_dog, 0.9, 1, {}}};
    ConsolidationRepository consolidations(*m_project);
    const qint64 id = consolidations.store(c, QStringLiteral("2026-01-01T00:00:00Z"));

    ReviewRepository reviews(*m_project);
    QueueQuery all;
    const auto queue = reviews.queue(id, all);
    QCOMPARE(queue.size(), size_t(2));
    QCOMPARE(queue.front().itemId, m_items[0]); // least confident first
    QueueQuery dogs;
    dogs.classId = m_dog;
    QCOMPARE(reviews.queue(id, dogs).size(), size_t(1));
    QCOMPARE(reviews.itemAnswers(m_items[0], id).front().className, QStringLiteral("cat"));

    reviews.record(m_items[0], a, ReviewDecision::Accept, std::nullopt, {}, id, 3);
    reviews.record(m_items[1], a, ReviewDecision::More, std::nullopt, {}, id, 3);
    QCOMPARE(consolidations.pinnedReviewLabels().value(m_items[0]), m_cat);
    QVERIFY(!consolidations.pinnedReviewLabels().contains(m_items[1]));
    const auto labels = reviews.reviewedLabels(id);
    QCOMPARE(labels[0].decision, std::optional(ReviewDecision::Accept));
    QCOMPARE(labels[0].reviewedClass, QStringLiteral("cat"));
    QVERIFY(!labels[1].decision.has_value()); // "more" decides nothing
    QCOMPARE(reviews.queue(id, all).back().decision, QStringLiteral("more"));
    // The item sent back wants one answer more than the project's overlap of three.
    const qint64 b = *m_project->ensureAnnotator(QStringLiteral("b"), QStringLiteral("human"));
    AnswerRepository answers(*m_project);
    QCOMPARE(answers.countEligible(b, 0, 1), qint64(3)); // items 1, 2 and 3
    bool refused = false;
    try {
        reviews.record(m_items[2], a, ReviewDecision::Accept, std::nullopt, {}, id, 3);
    } catch (const StoreError &) {
        refused = true;
    }
    QVERIFY(refused);
}

void RepositoryTest::flagsAreReplacedByKindAndExclusionsKeepHistory() {
    FlagRepository flags(*m_project);
    flags.replace({FlagKind::NearDuplicate, FlagKind::Leak},
                  {{m_items[0], FlagKind::NearDuplicate, 1, 3, QStringLiteral("distance 3")},
                   {m_items[1], FlagKind::NearDuplicate, 1, 0, {}},
                   {m_items[0], FlagKind::Leak, 1, 0, {}}});
    flags.replace({FlagKind::Dark}, {{m_items[2], FlagKind::Dark, 0, 0.05, {}}});
    QCOMPARE(flags.counts().value(QStringLiteral("near-duplicate")), qint64(2));
    QCOMPARE(flags.list(FlagKind::Dark).size(), size_t(1));
    QCOMPARE(flags.list(std::nullopt).size(), size_t(4));
    const auto members = flags.duplicateClusterMembers();
    QCOMPARE(members.size(), size_t(2));
    QCOMPARE(members[0].split, QStringLiteral("train"));
    // Replacing one kind leaves the others.
    flags.replace({FlagKind::NearDuplicate}, {});
    QCOMPARE(flags.list(FlagKind::NearDuplicate).size(), size_t(0));
    QCOMPARE(flags.list(FlagKind::Leak).front().cluster, 1);
    QCOMPARE(flags.unresolvedLeaks(), qint64(1));
    flags.setExcluded({m_items[0]}, true, QStringLiteral("leak"), 0);
    QCOMPARE(flags.unresolvedLeaks(), qint64(0));
    QVERIFY(flags.list(FlagKind::Leak).front().excluded);
    flags.setExcluded({m_items[0]}, false, QStringLiteral("restored"), 0);
    QCOMPARE(flags.exclusions().value(m_items[0]), false);
    QCOMPARE(flags.unresolvedLeaks(), qint64(1));
}

void RepositoryTest::runsKeepEpochsSelectionsAndTheirCheckpointedSummary() {
    RunRepository runs(*m_project);
    NewRun run;
    run.strategy = QStringLiteral("glister");
    run.fraction = 0.5;
    run.epochs = 3;
    run.parameters = QStringLiteral("{\"epochs\":3}");
    run.snapshotHash = QStringLiteral("abc");
    run.trainItems = 2;
    run.items = {{m_items[0], m_cat, QStringLiteral("train")},
                 {m_items[1], m_dog, QStringLiteral("val")}};
    const qint64 id = runs.create(run);
    QCOMPARE(runs.items(id).size(), size_t(2));
    QCOMPARE(runs.items(id)[1].split, QStringLiteral("val"));
    for (int e = 1; e <= 3; ++e) {
        EpochMetrics m;
        m.epoch = e;
        m.epochSeconds = 10;
        m.valAccuracy = 0.1 * e;
        m.testAccuracy = e == 2 ? std::optional(0.42) : std::nullopt;
        runs.recordEpoch(id, m);
    }
    EpochMetrics again;
    again.epoch = 3;
    again.epochSeconds = 5; // a resumed run repeats an epoch: it replaces the stored one
    again.valAccuracy = 0.2;
    runs.recordEpoch(id, again);
    runs.setCompletedEpochs(id, 3);
    auto stored = runs.find(id);
    QVERIFY(stored.has_value());
    QCOMPARE(stored->status, RunStatus::Running);
    QCOMPARE(stored->totalSeconds, 25.0);
    QCOMPARE(stored->bestValAccuracy, std::optional(0.2));
    QCOMPARE(stored->testAccuracy, std::optional(0.42));
    // A checkpoint at epoch 1 drops what came after it.
    runs.setCompletedEpochs(id, 1);
    QCOMPARE(runs.epochs(id).size(), size_t(1));
    QCOMPARE(runs.find(id)->totalSeconds, 10.0);

    runs.recordSelection(id, {0, 1, {m_items[0]}, {2.0f}});
    runs.recordSelection(id, {0, 1, {m_items[1], m_items[0]}, {}}); // a round is replaced
    const auto rounds = runs.selections(id);
    QCOMPARE(rounds.size(), size_t(1));
    QCOMPARE(rounds[0].itemIds, (std::vector<qint64>{m_items[1], m_items[0]}));
    QCOMPARE(rounds[0].weights, (std::vector<float>{1.0f, 1.0f}));

    runs.setStatus(id, RunStatus::Finished, {});
    QCOMPARE(runs.find(id)->status, RunStatus::Finished);
    QVERIFY(!runs.find(id)->finishedAt.isEmpty());
    runs.setStatus(id, RunStatus::Running, {});
    QVERIFY(runs.find(id)->finishedAt.isEmpty());
    QCOMPARE(runs.list().size(), size_t(1));
    QVERIFY(!runs.find(id + 1).has_value());
}

// Reference labels (a gold set, a demo's ground truth) are kept apart from the answers: they score
// each annotator's live answers, and they never label an item, count as an answer or enter a
// consolidation; simulated annotators can answer from them.
void RepositoryTest::referenceLabelsScoreAnswersButLabelNothing() {
    ConsolidationRepository store(*m_project);
    store.setReferenceLabels({{m_items[0], m_cat}, {m_items[1], m_dog}, {m_items[2], m_cat}},
                             QStringLiteral("gold"));
    store.setReferenceLabels({{m_items[2], m_dog}}, QStringLiteral("gold, corrected"));
    QCOMPARE(store.referenceLabels(),
             (std::vector<std::pair<qint64, qint64>>{
                 {m_items[0], m_cat}, {m_items[1], m_dog}, {m_items[2], m_dog}}));
    QCOMPARE(store.referenceLabels(2).size(), size_t(2));
    QVERIFY(store.liveAnswers().empty());
    QVERIFY(currentLabels(*m_project)->isEmpty());
    QCOMPARE(m_project->summary()->answers, qint64(0));

    const qint64 ann = *m_project->ensureAnnotator(QStringLiteral("ann"), QStringLiteral("human"));
    const qint64 bob = *m_project->ensureAnnotator(QStringLiteral("bob"), QStringLiteral("human"));
    AnswerRepository answers(*m_project);
    answers.append({{m_items[0], ann, m_cat},
                    {m_items[1], ann, m_cat},
                    {m_items[2], ann, m_dog},
                    {m_items[3], ann, m_dog}, // no reference: not scored
                    {m_items[0], bob, m_dog}},
                   QStringLiteral("label"));
    const std::vector<ReferenceScore> scores = store.referenceScores();
    QCOMPARE(scores.size(), size_t(2));
    QCOMPARE(scores[0].annotatorId, ann);
    QCOMPARE(scores[0].answers, qint64(3));
    QCOMPARE(scores[0].agreeing, qint64(2));
    QCOMPARE(scores[1].answers, qint64(1));
    QCOMPARE(scores[1].agreeing, qint64(0));
    // Undone answers are not scored.
    QVERIFY(answers.undoLast(bob, 100, 60).has_value());
    QCOMPARE(store.referenceScores().size(), size_t(1));
    QCOMPARE(store.liveAnswers().size(), size_t(4)); // the reference added none

    // Simulated annotators answer from the reference when no annotator is named.
    const auto simulated =
        simulateAnnotators(*m_project, QString(), {{QStringLiteral("perfect"), 1.0}}, 3, 1, 7);
    QVERIFY(simulated.ok());
    QCOMPARE(*simulated, qint64(3));
    for (const ReferenceScore &score : store.referenceScores())
        if (score.annotatorId != ann)
            QCOMPARE(score.agreeing, score.answers);
}

int main(int argc, char **argv) {
    RepositoryTest test;
    return test::runOnBothBackends(test, argc, argv);
}
#include "repository_test.moc"
