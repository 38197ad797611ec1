#include "../testsupport.h"
#include "core/consensus/consolidation.h"
#include "core/curation/curation.h"
#include "core/io/folderimporter.h"
#include "core/label/labelingsession.h"
#include "core/loop/loopactions.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/runrepository.h"
#include "core/train/crossfit.h"
#include "core/train/modelexport.h"
#include "core/train/runprotocol.h"
#include "core/train/subsetreport.h"
#include "core/train/trainer.h"
#include "core/train/trainingset.h"
#include "core/train/tuning.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <map>
#include <opencv2/core.hpp>
#include <set>

using namespace winnow::core;
using namespace winnow::test;

namespace {

void importSplit(Project &project, const QString &folder, Split split) {
    ImportOptions options;
    options.split = split;
    options.labelsFromFolders = true;
    const auto summary = importImageFolder(project, folder, options);
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
}

TrainOptions smallOptions(Strategy strategy, double fraction, int epochs) {
    TrainOptions o;
    o.strategy = strategy;
    o.fraction = fraction;
    o.epochs = epochs;
    o.width = 8;
    o.batchSize = 16;
    o.selectEvery = 2;
    o.threads = 1;
    o.seed = 7;
    return o;
}

} // namespace

class TrainingTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Project> m_project;
    const QStringList m_classes = {QStringLiteral("red"), QStringLiteral("green"),
                                   QStringLiteral("blue")};

private Q_SLOTS:
    void initTestCase() {
        writeColourClasses(m_dir.filePath(QStringLiteral("train")), m_classes, 40, 1);
        writeColourClasses(m_dir.filePath(QStringLiteral("test")), m_classes, 10, 2);
        m_project = createProject(m_dir.filePath(QStringLiteral("project")));
        importSplit(*m_project, m_dir.filePath(QStringLiteral("train")), Split::Train);
        importSplit(*m_project, m_dir.filePath(QStringLiteral("test")), Split::Test);
    }

    void snapshotCarvesStratifiedValidation() {
        const auto snapshot = takeLabelSnapshot(*m_project, 0.1, 3);
        QVERIFY2(snapshot.ok(), qPrintable(snapshot.errorMessage()));
        QCOMPARE(snapshot->classIds.size(), size_t(3));
        QVERIFY(snapshot->valFromTrain);
        QCOMPARE(snapshot->count(Split::Val), qint64(12)); // 4 of each class's 40
        QCOMPARE(snapshot->count(Split::Train), qint64(108));
        QCOMPARE(snapshot->count(Split::Test), qint64(30));
        const auto again = takeLabelSnapshot(*m_project, 0.1, 3);
        QCOMPARE(again->hash, snapshot->hash);
        const auto otherSeed = takeLabelSnapshot(*m_project, 0.1, 4);
        QVERIFY(otherSeed->hash != snapshot->hash);
    }

    void cacheIsReusedAndRebuiltWhenItemsChange() {
        const auto snapshot = takeLabelSnapshot(*m_project);
        const auto cache = ensureTensorCache(*m_project, *snapshot);
        QVERIFY2(cache.ok(), qPrintable(cache.errorMessage()));
        QCOMPARE(cache->geometry.channels, 3);
        QCOMPARE(cache->geometry.height, kColourSide);
        QCOMPARE(cache->rows, qint64(150));
        QCOMPARE(QFileInfo(cache->path).size(),
                 cache->dataOffset + 150 * 3 * kColourSide * kColourSide);
        QCOMPARE(ensureTensorCache(*m_project, *snapshot)->path, cache->path);

        LabelSnapshot fewer = *snapshot;
        fewer.items.pop_back();
        const auto rebuilt = ensureTensorCache(*m_project, fewer);
        QVERIFY(rebuilt.ok());
        QVERIFY(rebuilt->path != cache->path);
        QCOMPARE(rebuilt->rows, qint64(149));
    }

    void fullRunLearns() {
        std::vector<EpochMetrics> seen;
        TrainEvents events;
        events.epochDone = [&](const EpochMetrics &m) { seen.push_back(m); };
        const auto outcome = trainNewRun(*m_project, smallOptions(Strategy::Full, 1, 6), events);
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        QVERIFY(!outcome->cancelled);
        QCOMPARE(seen.size(), size_t(6));
        const auto run = findRun(*m_project, outcome->runId);
        QCOMPARE(run->status, RunStatus::Finished);
        QCOMPARE(run->completedEpochs, 6);
        QVERIFY(run->testAccuracy.has_value());
        QVERIFY2(*run->testAccuracy >= 0.8,
                 qPrintable(QString::number(*run->testAccuracy))); // chance is 0.33
        const auto epochs = runEpochs(*m_project, outcome->runId);
        QCOMPARE(epochs->size(), size_t(6));
        QCOMPARE(epochs->front().subsetSize, qint64(108));
        QCOMPARE(epochs->front().learningRate, 0.05);
        QVERIFY(epochs->back().learningRate < 0.01); // cosine
        QVERIFY(epochs->back().trainLoss < epochs->front().trainLoss);
        QVERIFY(runSelections(*m_project, outcome->runId)->empty());
    }

    // One epoch from the weights of the run above starts where that run ended: its loss is far
    // below one epoch from scratch on the same data. The head is kept (same classes), a frozen
    // body does not move, and a source that is not there is refused.
    void runsStartFromAnotherRunsWeights() {
        const qint64 source = listRuns(*m_project)->back().id;
        TrainOptions scratch = smallOptions(Strategy::Full, 1, 1);
        const auto fromScratch = trainNewRun(*m_project, scratch, {});
        QVERIFY2(fromScratch.ok(), qPrintable(fromScratch.errorMessage()));
        TrainOptions tuned = scratch;
        tuned.initFrom = QString::number(source);
        QStringList messages;
        TrainEvents events;
        events.message = [&](const QString &text) { messages << text; };
        const auto fineTuned = trainNewRun(*m_project, tuned, events);
        QVERIFY2(fineTuned.ok(), qPrintable(fineTuned.errorMessage()));
        const double scratchLoss = *runEpochs(*m_project, fromScratch->runId)->front().trainLoss;
        const double tunedLoss = *runEpochs(*m_project, fineTuned->runId)->front().trainLoss;
        QVERIFY2(tunedLoss < scratchLoss * 0.7,
                 qPrintable(QStringLiteral("%1 vs %2").arg(tunedLoss).arg(scratchLoss)));
        QVERIFY2(messages.join(u'\n').contains(QStringLiteral("starting from %1").arg(source)),
                 qPrintable(messages.join(u'\n')));
        QCOMPARE(findRun(*m_project, fineTuned->runId)->options.initFrom, QString::number(source));

        // With the body frozen for the only epoch, only the head's weights change.
        tuned.freezeEpochs = 1;
        tuned.bodyLrScale = 0.1;
        const auto frozen = trainNewRun(*m_project, tuned, {});
        QVERIFY2(frozen.ok(), qPrintable(frozen.errorMessage()));
        const auto before = checkpointWeights(*m_project, source);
        const auto after = checkpointWeights(*m_project, frozen->runId);
        QCOMPARE(after->size(), before->size());
        qint64 changed = 0;
        for (size_t i = 0; i < before->size(); ++i)
            changed += (*before)[i] != (*after)[i];
        QVERIFY(changed > 0);
        // The head and the batch-norm statistics: a small share of the weights.
        QVERIFY2(changed < qint64(before->size()) / 50,
                 qPrintable(QStringLiteral("%1 of %2").arg(changed).arg(before->size())));

        tuned.freezeEpochs = 0;
        tuned.initFrom = QStringLiteral("999");
        QVERIFY(!trainNewRun(*m_project, tuned, {}).ok());
        tuned.initFrom = m_dir.filePath(QStringLiteral("no-such-weights.pt"));
        QVERIFY(!trainNewRun(*m_project, tuned, {}).ok());
    }

    // The exported TorchScript module predicts exactly what its run does, and a run can start
    // from it (every tensor found again under its own name).
    void exportedModelPredictsAsItsRun() {
        const qint64 runId = listRuns(*m_project)->front().id;
        const QString path = m_dir.filePath(QStringLiteral("model.pt"));
        const auto exported = exportModel(*m_project, runId, path);
        QVERIFY2(exported.ok(), qPrintable(exported.errorMessage().right(1500)));
        QCOMPARE(exported->classNames.size(), qsizetype(3));
        QCOMPARE(exported->channels, 3);
        const auto fromRun = predictWithRun(*m_project, runId);
        const auto fromModel = predictWithModel(*m_project, path);
        QVERIFY2(fromRun.ok() && fromModel.ok(),
                 qPrintable(fromRun.errorMessage() + fromModel.errorMessage()));
        QCOMPARE(fromModel->size(), size_t(150));
        QCOMPARE(fromModel->size(), fromRun->size());
        int right = 0;
        for (size_t i = 0; i < fromRun->size(); ++i) {
            const Prediction &a = (*fromRun)[i], &b = (*fromModel)[i];
            QCOMPARE(b.itemId, a.itemId);
            QCOMPARE(b.className, a.className);
            QVERIFY2(std::abs(b.confidence - a.confidence) < 1e-4,
                     qPrintable(QStringLiteral("%1 vs %2").arg(b.confidence).arg(a.confidence)));
            right += b.path.contains(QLatin1Char('/') + b.className + QLatin1Char('/'));
        }
        QVERIFY2(right >= 120, qPrintable(QString::number(right))); // a trained model

        TrainOptions tuned = smallOptions(Strategy::Full, 1, 1);
        tuned.initFrom = path;
        QStringList messages;
        TrainEvents events;
        events.message = [&](const QString &text) { messages << text; };
        QVERIFY(trainNewRun(*m_project, tuned, events).ok());
        const QString said = messages.join(u'\n');
        QVERIFY2(said.contains(QStringLiteral("weight tensors taken")) &&
                     !said.contains(QStringLiteral("newly initialised")),
                 qPrintable(said));
        QVERIFY(
            !predictWithModel(*m_project, m_dir.filePath(QStringLiteral("train/red/0.png"))).ok());
    }

    // Of two learning rates, one far too small, tuning picks the other and tags its run.
    void tuningFindsTheBetterLearningRate() {
        TuneOptions options;
        options.base = smallOptions(Strategy::Full, 1, 4);
        options.learningRate.choices = {1e-6, 0.05};
        options.weightDecay.choices = {5e-4};
        options.momentum.choices = {0.9};
        options.batchSize.choices = {16};
        options.trials = 2;
        std::vector<TuneTrial> heard;
        const auto tuned =
            tune(*m_project, options, {}, [&](const TuneTrial &t) { heard.push_back(t); });
        QVERIFY2(tuned.ok(), qPrintable(tuned.errorMessage()));
        QCOMPARE(heard.size(), size_t(2));
        QVERIFY(heard[0].options.learningRate != heard[1].options.learningRate);
        QVERIFY(tuned->best.has_value());
        QCOMPARE(tuned->best->options.learningRate, 0.05);
        const auto best = findRun(*m_project, tuned->best->runId);
        QCOMPARE(best->tags, QStringList{QStringLiteral("best")});
        QVERIFY(best->experiment.startsWith(QStringLiteral("tune ")));
        QVERIFY(best->notes.contains(QStringLiteral("val_accuracy.max")));
        options.metric = QStringLiteral("nonsense");
        QVERIFY(!tune(*m_project, options, {}).ok());
        QCOMPARE(TuneDimension::parse(QStringLiteral("0.01:0.3"), true)->high, 0.3);
        QVERIFY(!TuneDimension::parse(QStringLiteral("0:0.3"), true)); // no log of zero
        QCOMPARE(TuneDimension::parse(QStringLiteral("64,128"), false)->choices.size(), size_t(2));
        QVERIFY(!TuneDimension::parse(QStringLiteral("fast"), false));
    }

    // Autocast caches its bfloat16 copies of the weights; without clearing that cache after every
    // step the network trains against its initial weights and learns far worse.
    void bfloat16RunLearnsToo() {
        if (!cpuHasBFloat16())
            QSKIP("this CPU has no native bfloat16");
        TrainOptions options = smallOptions(Strategy::Full, 1, 6);
        options.bfloat16 = true;
        const auto outcome = trainNewRun(*m_project, options, {});
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        const auto run = findRun(*m_project, outcome->runId);
        QVERIFY2(*run->testAccuracy >= 0.8, qPrintable(QString::number(*run->testAccuracy)));
    }

    void cancelAndResumeGiveTheSameWeights() {
        const TrainOptions options = smallOptions(Strategy::Glister, 0.5, 4);
        const auto straight = trainNewRun(*m_project, options, {});
        QVERIFY2(straight.ok(), qPrintable(straight.errorMessage()));

        CancelToken cancel;
        TrainEvents events;
        events.cancel = &cancel;
        events.progress = [&](qint64 done, qint64, const QString &stage) {
            if (stage.startsWith(QLatin1String("epoch 4 of")) && done == 2)
                cancel.cancel();
        };
        const auto interrupted = trainNewRun(*m_project, options, events);
        QVERIFY2(interrupted.ok(), qPrintable(interrupted.errorMessage()));
        QVERIFY(interrupted->cancelled);
        const auto stopped = findRun(*m_project, interrupted->runId);
        QCOMPARE(stopped->status, RunStatus::Cancelled);
        QCOMPARE(stopped->completedEpochs, 3);

        int resumedFrom = -1;
        TrainEvents resumeEvents;
        resumeEvents.started = [&](qint64, int start) { resumedFrom = start; };
        const auto resumed = resumeRun(*m_project, interrupted->runId, resumeEvents);
        QVERIFY2(resumed.ok(), qPrintable(resumed.errorMessage()));
        QVERIFY(!resumed->cancelled);
        QCOMPARE(resumedFrom, 3);
        QCOMPARE(findRun(*m_project, interrupted->runId)->status, RunStatus::Finished);

        const auto a = checkpointWeights(*m_project, straight->runId);
        const auto b = checkpointWeights(*m_project, interrupted->runId);
        QVERIFY2(a.ok() && b.ok(), qPrintable(a.errorMessage() + b.errorMessage()));
        QVERIFY(a->size() > 1000);
        QVERIFY(*a == *b);

        // Same selections: round 0 (random) and round 1 (GLISTER at epoch index 2).
        const auto selectionsA = runSelections(*m_project, straight->runId);
        const auto selectionsB = runSelections(*m_project, interrupted->runId);
        QCOMPARE(selectionsA->size(), size_t(2));
        QCOMPARE(selectionsA->at(1).epoch, 3);
        QCOMPARE(selectionsA->at(1).itemIds.size(), size_t(54));
        QCOMPARE(selectionsA->at(1).itemIds, selectionsB->at(1).itemIds);
        QCOMPARE(findRun(*m_project, straight->runId)->testAccuracy,
                 findRun(*m_project, interrupted->runId)->testAccuracy);
    }

    void selectionTypesAndGreedies_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("greedy");
        QTest::addColumn<bool>("linear");
        QTest::newRow("supervised naive linear")
            << int(SelectionType::Supervised) << int(GreedyKind::Naive) << true;
        QTest::newRow("per class stochastic")
            << int(SelectionType::PerClass) << int(GreedyKind::Stochastic) << false;
        QTest::newRow("per batch naive")
            << int(SelectionType::PerBatch) << int(GreedyKind::Naive) << false;
    }

    void selectionTypesAndGreedies() {
        QFETCH(int, type);
        QFETCH(int, greedy);
        QFETCH(bool, linear);
        TrainOptions options = smallOptions(Strategy::Glister, 0.3, 3);
        options.selectionType = SelectionType(type);
        options.greedy = GreedyKind(greedy);
        setGlisterGradients(options, linear ? QStringLiteral("weights") : QStringLiteral("bias"));
        const auto outcome = trainNewRun(*m_project, options, {});
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        const auto rounds = runSelections(*m_project, outcome->runId);
        QCOMPARE(rounds->size(), size_t(2));
        const size_t picked = rounds->at(1).itemIds.size();
        if (options.selectionType == SelectionType::Supervised)
            QCOMPARE(picked, size_t(32)); // int(108 * 0.3)
        else if (options.selectionType == SelectionType::PerClass)
            QCOMPARE(picked, size_t(33)); // ceil(32 * 36 / 108) = 11 per class
        else // ceil(32 / 16) = 2 of the sequential batches: 16 each, the last one 12
            QVERIFY2(picked == 32 || picked == 28, qPrintable(QString::number(picked)));
        std::vector<qint64> unique = rounds->at(1).itemIds;
        std::sort(unique.begin(), unique.end());
        QVERIFY(std::adjacent_find(unique.begin(), unique.end()) == unique.end());
        QCOMPARE(runEpochs(*m_project, outcome->runId)->at(2).subsetSize, qint64(picked));
    }

    // Units are cut from a seeded permutation, not from the class-by-class import order: a
    // round's two units of 16 hold all three classes, and the run learns them.
    void perBatchPicksWholeMixedBatchesAndLearns() {
        TrainOptions options = smallOptions(Strategy::Glister, 0.3, 6);
        options.selectionType = SelectionType::PerBatch;
        options.greedy = GreedyKind::Naive; // 7 units: too few for the stochastic sample
        const auto outcome = trainNewRun(*m_project, options, {});
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        const auto snapshot = runSnapshot(*m_project, outcome->runId);
        std::map<qint64, int> labelOf;
        for (const SnapshotItem &item : snapshot->items)
            labelOf[item.itemId] = item.label;
        const auto rounds = runSelections(*m_project, outcome->runId);
        QCOMPARE(rounds->size(), size_t(3)); // random, then GLISTER at epoch indices 2 and 4
        for (size_t r = 1; r < rounds->size(); ++r) {
            const std::vector<qint64> &ids = rounds->at(r).itemIds;
            QVERIFY2(ids.size() == 32 || ids.size() == 28, qPrintable(QString::number(ids.size())));
            std::set<int> classes;
            for (qint64 id : ids)
                classes.insert(labelOf.at(id));
            QCOMPARE(classes.size(), size_t(3));
        }
        QVERIFY2(*findRun(*m_project, outcome->runId)->testAccuracy > 0.6,
                 qPrintable(QString::number(*findRun(*m_project, outcome->runId)->testAccuracy)));
    }

    // Items flagged as likely label errors never enter a subset with --leave-out-doubtful, and
    // the subset report counts them as a group the rounds keep none of.
    void leavingOutDoubtfulLabelsKeepsThemOutOfSubsets() {
        const auto snapshot = takeLabelSnapshot(*m_project);
        std::vector<NewFlag> flags;
        std::set<qint64> flagged;
        for (const SnapshotItem &item : snapshot->items)
            if (item.split == Split::Train && flags.size() < 20) {
                flags.push_back({item.itemId, FlagKind::LabelError, 0, 0.9, QStringLiteral("red")});
                flagged.insert(item.itemId);
            }
        FlagRepository(*m_project).replace({FlagKind::LabelError}, flags);
        TrainOptions options = smallOptions(Strategy::Random, 0.3, 5);
        options.leaveOutDoubtful = 0.5;
        const auto outcome = trainNewRun(*m_project, options, {});
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        const auto report = subsetReport(*m_project, outcome->runId);
        QVERIFY2(report.ok(), qPrintable(report.errorMessage()));
        QCOMPARE(report->rounds.size(), size_t(3));
        QCOMPARE(report->countedRounds, 2);
        qint64 flaggedInRun = 0;
        for (const SubsetItem &item : report->items)
            flaggedInRun += item.flags.contains(QStringLiteral("label-error")) ? 1 : 0;
        for (const SelectionRound &round : report->rounds) {
            for (qint64 id : round.itemIds)
                QVERIFY(!flagged.count(id));
            const auto shares = report->groupShares(round);
            const auto errors =
                std::find_if(shares.begin(), shares.end(), [](const GroupShare &share) {
                    return share.group == QStringLiteral("likely label errors");
                });
            QVERIFY(errors != shares.end());
            QCOMPARE(errors->inSet, flaggedInRun); // some flagged items went to the run's val
            QCOMPARE(errors->kept, qint64(0));
            QCOMPARE(errors->keptShare, 0.0);
        }
        // Never-chosen includes every flagged training item; the CSV lists the run's items.
        for (const SubsetItem *item : report->neverChosen())
            flaggedInRun -= item->flags.isEmpty() ? 0 : 1;
        QCOMPARE(flaggedInRun, qint64(0));
        const QStringList rows = subsetCsv(*report, 1).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size() - 1, int(report->rounds[1].itemIds.size()));
        FlagRepository(*m_project).replace({FlagKind::LabelError}, {});
    }

    // With a third of the training labels moved to another class (validation clean), the
    // default GLISTER's rounds hold fewer mislabeled images than the set; CORDS's hold more.
    void glisterKeepsMislabeledImagesOut() {
        QTemporaryDir dir;
        const QStringList classes = {QStringLiteral("red"), QStringLiteral("green"),
                                     QStringLiteral("blue")};
        const QString images = dir.filePath(QStringLiteral("images"));
        writeColourClasses(images + QStringLiteral("/train"), classes, 60, 1);
        writeColourClasses(images + QStringLiteral("/val"), classes, 20, 2);
        writeColourClasses(images + QStringLiteral("/test"), classes, 20, 3);
        // 20 of each class's 60 training images go to the next class's folder.
        for (int c = 0; c < 3; ++c)
            for (int i = 0; i < 20; ++i)
                QVERIFY(QFile::rename(
                    QStringLiteral("%1/train/%2/%3.png").arg(images, classes[c]).arg(i),
                    QStringLiteral("%1/train/%2/moved-%3.png")
                        .arg(images, classes[(c + 1) % 3])
                        .arg(c * 100 + i)));
        auto project = createProject(dir.filePath(QStringLiteral("p")));
        importSplit(*project, images + QStringLiteral("/train"), Split::Train);
        importSplit(*project, images + QStringLiteral("/val"), Split::Val);
        importSplit(*project, images + QStringLiteral("/test"), Split::Test);
        std::set<qint64> mislabeled;
        for (const ItemFacts &item : ItemRepository(*project).all(ItemRepository::Order::ById))
            if (item.path.contains(QStringLiteral("/moved-")))
                mislabeled.insert(item.id);
        QCOMPARE(mislabeled.size(), size_t(60));
        TrainOptions options = smallOptions(Strategy::Glister, 0.3, 8);
        options.selectEvery = 3;
        std::vector<qint64> lastRound; // of the latest run
        const auto share = [&](const TrainOptions &o) {
            const auto outcome = trainNewRun(*project, o, {});
            if (!outcome)
                return -1.0;
            lastRound = runSelections(*project, outcome->runId)->back().itemIds;
            qint64 chosen = 0, wrong = 0;
            for (const SelectionRound &round : *runSelections(*project, outcome->runId))
                if (round.round > 0)
                    for (qint64 id : round.itemIds) {
                        ++chosen;
                        wrong += qint64(mislabeled.count(id));
                    }
            return chosen ? double(wrong) / double(chosen) : -1.0;
        };
        const double robust = share(options);
        QVERIFY2(robust >= 0 && robust < 0.25, qPrintable(QString::number(robust)));
        const std::vector<qint64> robustRound = lastRound;
        TrainOptions unit = options; // gradients of unit length choose other images, as cleanly
        unit.unitGradients = true;
        const double unitShare = share(unit);
        QVERIFY2(unitShare >= 0 && unitShare < 0.25, qPrintable(QString::number(unitShare)));
        QVERIFY(lastRound != robustRound);
        options.selectionType = SelectionType::Supervised;
        setGlisterGradients(options, QStringLiteral("bias"));
        options.meanStep = false;
        options.epsilon = 0.01;
        const double cords = share(options);
        qInfo("mislabeled share of the GLISTER rounds: %.3f (unit gradients %.3f, CORDS's "
              "variant %.3f; the set 0.333)",
              robust, unitShare, cords);
        QVERIFY2(cords > robust, qPrintable(QStringLiteral("%1 %2").arg(cords).arg(robust)));
    }

    // GLISTER's defaults are the robust variant; --cords gives CORDS's own, and a run's
    // arguments read back to the same options.
    void glisterDefaultsAndCordsParseAndRoundTrip() {
        const auto parse = [](const QStringList &arguments) {
            QCommandLineParser parser;
            parser.addOptions(trainCommandLineOptions());
            parser.parse(QStringList{QStringLiteral("train"), QStringLiteral("--fraction"),
                                     QStringLiteral("0.3")} +
                         arguments);
            return trainOptionsFromCommandLine(parser);
        };
        const auto robust = parse({QStringLiteral("--strategy"), QStringLiteral("glister")});
        QVERIFY2(robust.ok(), qPrintable(robust.errorMessage()));
        QCOMPARE(robust->selectionType, SelectionType::PerClass);
        QCOMPARE(glisterGradientsName(*robust), QStringLiteral("centered"));
        QVERIFY(robust->meanStep);
        const auto cords = parse(
            {QStringLiteral("--strategy"), QStringLiteral("glister"), QStringLiteral("--cords")});
        QCOMPARE(cords->selectionType, SelectionType::Supervised);
        QCOMPARE(glisterGradientsName(*cords), QStringLiteral("bias"));
        QVERIFY(!cords->meanStep);
        QCOMPARE(cords->epsilon, 0.01);
        QCOMPARE(robust->epsilon, 0.5);
        const auto linear = parse({QStringLiteral("--strategy"), QStringLiteral("glister"),
                                   QStringLiteral("--cords"), QStringLiteral("--linear-layer")});
        QCOMPARE(glisterGradientsName(*linear), QStringLiteral("weights"));
        QVERIFY(!parse({QStringLiteral("--gradients"), QStringLiteral("loss")}).ok());
        QVERIFY(!parse({QStringLiteral("--step"), QStringLiteral("half")}).ok());
        QVERIFY(!robust->unitGradients && !cords->unitGradients);
        const auto unit = parse({QStringLiteral("--strategy"), QStringLiteral("glister"),
                                 QStringLiteral("--gradient-length"), QStringLiteral("unit")});
        QVERIFY2(unit.ok(), qPrintable(unit.errorMessage()));
        QVERIFY(unit->unitGradients);
        QVERIFY(!parse({QStringLiteral("--gradient-length"), QStringLiteral("long")}).ok());
        const auto grey = parse({QStringLiteral("--augment-grey")});
        QVERIFY(grey->augmentGrey && !robust->augmentGrey);
        for (const TrainOptions &options : {*robust, *cords, *linear, *grey, *unit}) {
            const auto again = parse(trainArguments(options));
            QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
            QCOMPARE(again->toJson(), options.toJson());
        }
    }

    void warmStartTrainsOnFullDataFirst() {
        TrainOptions options = smallOptions(Strategy::Random, 0.5, 6);
        options.kappa = 0.5; // select after epoch index 3, warm-up ceil(3 * 0.5) = 2 full epochs
        const auto outcome = trainNewRun(*m_project, options, {});
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        const auto epochs = *runEpochs(*m_project, outcome->runId);
        QCOMPARE(epochs.size(), size_t(6));
        QCOMPARE(epochs[0].subsetSize, qint64(108));
        QCOMPARE(epochs[1].subsetSize, qint64(108));
        QCOMPARE(epochs[2].subsetSize, qint64(54)); // index 2 = warm-up: the random subset
        QVERIFY(epochs[2].valAccuracy.has_value());
    }

    void emptyOrSingleClassTrainingSetsFailClearly() {
        QTemporaryDir dir;
        writeColourClasses(dir.filePath(QStringLiteral("one")), {QStringLiteral("red")}, 5, 3);
        auto testOnly = createProject(dir.filePath(QStringLiteral("test-only")));
        importSplit(*testOnly, dir.filePath(QStringLiteral("one")), Split::Test);
        const auto empty = trainNewRun(*testOnly, smallOptions(Strategy::Full, 1, 1), {});
        QVERIFY(!empty.ok());
        QVERIFY2(empty.errorMessage().contains(QLatin1String("training set is empty")),
                 qPrintable(empty.errorMessage()));
        QVERIFY(listRuns(*testOnly)->empty());

        auto single = createProject(dir.filePath(QStringLiteral("single")));
        importSplit(*single, dir.filePath(QStringLiteral("one")), Split::Train);
        const auto one = trainNewRun(*single, smallOptions(Strategy::Full, 1, 1), {});
        QVERIFY(!one.ok());
        QVERIFY2(one.errorMessage().contains(QLatin1String("single class ('red')")),
                 qPrintable(one.errorMessage()));

        TrainOptions impossible = smallOptions(Strategy::Glister, 1, 1);
        QVERIFY(!trainNewRun(*m_project, impossible, {}).ok());
    }

    // Runs last: it adds items to the project.
    void embeddingDuplicatesFindACopy() {
        qint64 fullRun = 0;
        for (const RunRecord &run : *listRuns(*m_project))
            if (run.options.strategy == Strategy::Full && run.status == RunStatus::Finished)
                fullRun = run.id;
        QVERIFY(fullRun > 0);
        const QString original = m_dir.filePath(QStringLiteral("train/green/7.png"));
        QFile source(original);
        QVERIFY(source.open(QIODevice::ReadOnly));
        QVERIFY(
            writeFile(m_dir.filePath(QStringLiteral("copies/green/copy.png")), source.readAll()));
        importSplit(*m_project, m_dir.filePath(QStringLiteral("copies")), Split::Test);

        const auto found = flagEmbeddingDuplicates(*m_project, fullRun, 0.9999);
        QVERIFY2(found.ok(), qPrintable(found.errorMessage()));
        QCOMPARE(found->items, qint64(151));
        QVERIFY(found->clusters >= 1);
        const auto flags = listFlags(*m_project, FlagKind::EmbeddingDuplicate);
        int copyCluster = -1, originalCluster = -2;
        for (const FlagRow &flag : *flags) {
            if (flag.path.endsWith(QLatin1String("copies/green/copy.png")))
                copyCluster = int(flag.cluster);
            if (flag.path.endsWith(QLatin1String("train/green/7.png")))
                originalCluster = int(flag.cluster);
        }
        QCOMPARE(copyCluster, originalCluster);
        QVERIFY(!flagEmbeddingDuplicates(*m_project, 999, 0.9).ok()); // no such run
    }

    void excludedItemsAreLeftOut() {
        const auto before = takeLabelSnapshot(*m_project);
        const qint64 victim = before->items.front().itemId;
        QVERIFY(setExcluded(*m_project, {victim}, true, QStringLiteral("test"), 0).ok());
        const auto after = takeLabelSnapshot(*m_project);
        QCOMPARE(after->excluded, qint64(1));
        QCOMPARE(after->items.size(), before->items.size() - 1);
        QVERIFY(after->hash != before->hash);
        QVERIFY(setExcluded(*m_project, {victim}, false, QStringLiteral("test"), 0).ok());
    }

    // A run trains on the labels chosen for it and records them: a consolidation made (and even
    // marked current) after the choice changes nothing for that choice.
    void labelSourceIsRecordedAndHonoured() {
        const auto majority = makeConsensusMethod(QStringLiteral("majority"));
        const auto first = consolidateProject(*m_project, *majority, {});
        QVERIFY2(first.ok(), qPrintable(first.errorMessage()));
        QVERIFY(markConsolidationCurrent(*m_project, first->id).ok());
        const auto chosen = fixedLabelSource(*m_project, QStringLiteral("current"));
        QVERIFY2(chosen.ok(), qPrintable(chosen.errorMessage()));
        QCOMPARE(chosen->spec(), QStringLiteral("reviews:%1").arg(first->id));
        QCOMPARE(
            fixedLabelSource(*m_project, QStringLiteral("consolidation:majority"))->consolidationId,
            first->id);
        QVERIFY(!parseLabelSource(*m_project, QStringLiteral("consolidation:999")).ok());
        QVERIFY(!parseLabelSource(*m_project, QStringLiteral("consolidation:dawid-skene")).ok());
        QVERIFY(!parseLabelSource(*m_project, QStringLiteral("the good ones")).ok());
        QCOMPARE(fixedLabelSource(*m_project, QStringLiteral("consolidation:current"))->spec(),
                 QStringLiteral("consolidation:%1").arg(first->id));

        TrainOptions options = smallOptions(Strategy::Full, 1, 1);
        options.labels = chosen->spec();
        const auto before = trainNewRun(*m_project, options, {});
        QVERIFY2(before.ok(), qPrintable(before.errorMessage()));

        // Two annotators now call a red training image green; majority vote runs again and is
        // marked current.
        const auto snapshot = takeLabelSnapshot(*m_project, 0.1, options.seed, *chosen);
        const qint64 red = snapshot->classIds[size_t(snapshot->classNames.indexOf(m_classes[0]))];
        const qint64 green = snapshot->classIds[size_t(snapshot->classNames.indexOf(m_classes[1]))];
        const auto victim = std::find_if(
            snapshot->items.begin(), snapshot->items.end(), [&](const SnapshotItem &item) {
                return item.split == Split::Train && snapshot->classIds[size_t(item.label)] == red;
            });
        QVERIFY(victim != snapshot->items.end());
        for (const QString &name : {QStringLiteral("ann"), QStringLiteral("bob")}) {
            const auto annotator = m_project->ensureAnnotator(name, QStringLiteral("human"));
            QVERIFY(
                LabelingSession(*m_project, *annotator).answerMany({victim->itemId}, green).ok());
        }
        const auto second = consolidateProject(*m_project, *majority, {});
        QVERIFY(markConsolidationCurrent(*m_project, second->id).ok());
        QCOMPARE(labelsOf(*m_project, {LabelSource::Kind::Consolidation, second->id})
                     ->value(victim->itemId),
                 green);
        QCOMPARE(labelsOf(*m_project, *chosen)->value(victim->itemId), red);
        QCOMPARE(labelsOf(*m_project, {LabelSource::Kind::Import, 0})->value(victim->itemId), red);

        const auto after = trainNewRun(*m_project, options, {});
        QVERIFY2(after.ok(), qPrintable(after.errorMessage()));
        const auto earlier = findRun(*m_project, before->runId),
                   later = findRun(*m_project, after->runId);
        QCOMPARE(later->options.labels, chosen->spec());
        QCOMPARE(later->snapshotHash, earlier->snapshotHash);
        QCOMPARE(RunRepository(*m_project).items(after->runId).size(),
                 RunRepository(*m_project).items(before->runId).size());

        options.labels = QStringLiteral("current"); // now the second consolidation
        const auto current = trainNewRun(*m_project, options, {});
        QVERIFY2(current.ok(), qPrintable(current.errorMessage()));
        const auto record = findRun(*m_project, current->runId);
        QCOMPARE(record->options.labels, QStringLiteral("reviews:%1").arg(second->id));
        QVERIFY(record->snapshotHash != earlier->snapshotHash);
        QVERIFY(record->cpuSeconds > 0);
        QVERIFY(runEpochs(*m_project, current->runId)->front().cpuSeconds.value_or(0) > 0);
    }

    // Near copies across train and test stop a run unless it is told to go on; then it records
    // that it was allowed.
    // Red images filed as green are found by cross-fitting; the folds' models label the
    // unlabeled images at the accuracy asked for, and the round reverts.
    void crossFittingFindsPlantedErrorsAndLabelsTheRest() {
        QTemporaryDir dir;
        const QString train = dir.filePath(QStringLiteral("train"));
        writeColourClasses(train, m_classes, 30, 5);
        for (int i = 0; i < 5; ++i) // red images in the green folder
            QVERIFY(QFile::rename(train + QStringLiteral("/red/%1.png").arg(i),
                                  train + QStringLiteral("/green/planted%1.png").arg(i)));
        writeColourClasses(dir.filePath(QStringLiteral("unlabeled")), m_classes, 10, 6);
        auto project = createProject(dir.filePath(QStringLiteral("project")));
        importSplit(*project, train, Split::Train);
        ImportOptions unlabeled;
        QVERIFY(
            importImageFolder(*project, dir.filePath(QStringLiteral("unlabeled")), unlabeled).ok());

        QStringList messages;
        TrainEvents events;
        events.message = [&](const QString &text) { messages << text; };
        const auto fitted = crossFit(*project, smallOptions(Strategy::Full, 1, 8), 3, events);
        QVERIFY2(fitted.ok(), qPrintable(fitted.errorMessage()));
        QCOMPARE(fitted->runIds.size(), size_t(3));
        QVERIFY(messages.join(u'\n').contains(QStringLiteral("fold 3 of 3")));
        for (const qint64 runId : fitted->runIds) { // the folds augment grey images too
            const auto run = RunRepository(*project).find(runId);
            QVERIFY(run);
            const auto options =
                TrainOptions::fromJson(QJsonDocument::fromJson(run->parameters.toUtf8()).object());
            QVERIFY(options.ok() && options->augmentGrey);
        }
        const auto set = PredictionRepository(*project).find(fitted->setId);
        QCOMPARE(set->kind, PredictionKind::CrossFit);
        QCOMPARE(set->items, qint64(120)); // 90 labeled out of sample, 30 unlabeled by the mean
        for (const ItemPrediction &p : PredictionRepository(*project).predictions(set->id)) {
            QVERIFY(p.heldOut);
            // Each labeled item by the one run that validated on it.
            if (p.givenClassId > 0) {
                const auto items = RunRepository(*project).items(p.runId);
                QVERIFY(std::any_of(items.begin(), items.end(), [&](const RunItem &r) {
                    return r.itemId == p.itemId && r.split == QLatin1String("val");
                }));
            }
        }

        const auto errors = flagLabelErrors(*project, fitted->setId);
        QVERIFY(errors.ok());
        int planted = 0;
        for (const LabelErrorRow &e : *errors)
            planted += e.path.contains(QStringLiteral("planted"));
        // A small model half learns the planted labels (they are 5 of 35 red images), so
        // confident learning finds the surest of them, and nothing else.
        QVERIFY2(planted >= 2 && int(errors->size()) - planted <= 1,
                 qPrintable(
                     QStringLiteral("%1 planted of %2 flagged").arg(planted).arg(errors->size())));

        const auto proposal = proposeAutolabel(*project, fitted->setId, 0.9);
        QVERIFY(proposal.ok());
        QVERIFY(proposal->plan.reachable);
        QVERIFY(!proposal->labels.empty());
        int right = 0;
        for (size_t i = 0; i < proposal->labels.size(); ++i) {
            const auto at = std::find(proposal->classIds.begin(), proposal->classIds.end(),
                                      proposal->labels[i].classId);
            const QString name = proposal->classNames.value(int(at - proposal->classIds.begin()));
            right +=
                proposal->paths.value(int(i)).contains(QLatin1Char('/') + name + QLatin1Char('/'));
        }
        QVERIFY(double(right) / double(proposal->labels.size()) >= 0.9);
        const auto before = currentLabels(*project);
        const auto round = applyAutolabel(*project, *proposal, 0);
        QVERIFY(round.ok());
        QCOMPARE(currentLabels(*project)->size(),
                 before->size() + qsizetype(proposal->labels.size()));
        QVERIFY(*revertAutolabel(*project, *round));
        QCOMPARE(*currentLabels(*project), *before);

        // A run's own predictions cover every item.
        const auto stored = storeRunPredictions(*project, fitted->runIds.front());
        QVERIFY(stored.ok());
        QCOMPARE(PredictionRepository(*project).find(*stored)->items, qint64(120));
    }

    void leakGateRefusesUnlessAllowed() {
        const QString leak = m_dir.filePath(QStringLiteral("leak/red"));
        QVERIFY(QDir().mkpath(leak));
        QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("train/red/0.png")),
                            leak + QStringLiteral("/copy.png")));
        importSplit(*m_project, m_dir.filePath(QStringLiteral("leak")), Split::Test);
        QVERIFY(flagDuplicates(*m_project, 8).ok());
        const qint64 leaks = *unresolvedLeaks(*m_project);
        QVERIFY(leaks >= 2); // the copy and its original, at least

        TrainOptions options = smallOptions(Strategy::Full, 1, 1);
        const auto refused = trainNewRun(*m_project, options, {});
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("%1 items").arg(leaks)) &&
                     refused.errorMessage().contains(QStringLiteral("--allow-leaks")),
                 qPrintable(refused.errorMessage()));
        const qint64 runsBefore = qint64(listRuns(*m_project)->size());

        options.allowLeaks = true;
        const auto allowed = trainNewRun(*m_project, options, {});
        QVERIFY2(allowed.ok(), qPrintable(allowed.errorMessage()));
        QCOMPARE(qint64(listRuns(*m_project)->size()), runsBefore + 1);
        const auto run = findRun(*m_project, allowed->runId);
        QVERIFY(run->options.allowLeaks);
        QVERIFY2(run->warnings.contains(QStringLiteral("allowed")), qPrintable(run->warnings));
    }
};

QTEST_GUILESS_MAIN(TrainingTest)
#include "training_test.moc"
