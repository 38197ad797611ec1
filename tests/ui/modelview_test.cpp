#include "core/consensus/consolidation.h"
#include "core/io/folderimporter.h"
#include "core/label/labelsource.h"
#include "core/loop/loopactions.h"
#include "core/store/answerrepository.h"
#include "core/store/predictionrepository.h"
#include "core/store/runrepository.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/train/crossfit.h"
#include "tests/testsupport.h"
#include "ui/datasetmodel.h"
#include "ui/modelview.h"
#include "ui/reviewview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;
using namespace winnow::core;

// The Model tab and the Review tab's model filter, driven through their widgets.
class ModelViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void appliesAndRevertsAnAutomatedLabelingRound();
    void reviewWalksTheItemsTheModelDisagreesWith();
    void retrainAndRerankTrainsPredictsAndRanksAgain();

private:
    // A run whose val split is the 20 labeled items, with predictions of every item stored as
    // a set of `kind`; item 6 (a cat) is plainly a dog to the model.
    qint64 storePredictions(PredictionKind kind);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Project> m_project;
    std::vector<qint64> m_items; // 40: the first 20 labeled (odd dog, even cat), then unlabeled
    qint64 m_cat = 0, m_dog = 0;
};

void ModelViewTest::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_project = test::createProject(m_dir->filePath(QStringLiteral("p")));
    std::vector<NewItem> items;
    for (int i = 0; i < 40; ++i) {
        const QString path =
            m_dir->filePath(QStringLiteral("img/%1.png").arg(i, 2, 10, QChar(u'0')));
        QVERIFY(test::writeImage(path, 16, 16, 3, i));
        NewItem item;
        item.path = path;
        item.contentHash = QByteArray::number(i);
        item.width = item.height = 16;
        item.channels = 3;
        items.push_back(item);
    }
    const qint64 batch = *m_project->createBatch(
        QStringLiteral("folder"), m_dir->filePath(QStringLiteral("img")), Split::Train);
    QVERIFY(m_project->addItems(batch, Split::Train, items, 0).ok());
    m_items.clear();
    for (const ItemRecord &item : *m_project->items({}, 0, 100))
        m_items.push_back(item.id);
    m_cat = *m_project->ensureClass(QStringLiteral("cat"));
    m_dog = *m_project->ensureClass(QStringLiteral("dog"));
    const qint64 a = *m_project->ensureAnnotator(QStringLiteral("ann"), QStringLiteral("human"));
    const qint64 b = *m_project->ensureAnnotator(QStringLiteral("bea"), QStringLiteral("human"));
    std::vector<NewAnswer> answers;
    for (int i = 0; i < 20; ++i) {
        answers.push_back({m_items[size_t(i)], a, i % 2 ? m_dog : m_cat});
        answers.push_back({m_items[size_t(i)], b, i % 2 ? m_dog : m_cat});
    }
    AnswerRepository(*m_project).append(answers, QStringLiteral("label"));
}

void ModelViewTest::cleanup() {
    m_project.reset();
    m_dir.reset();
}

qint64 ModelViewTest::storePredictions(PredictionKind kind) {
    NewRun run;
    run.strategy = QStringLiteral("full");
    run.epochs = 1;
    run.parameters = QStringLiteral("{}");
    run.snapshotHash = QStringLiteral("h");
    for (int i = 0; i < 20; ++i)
        run.items.push_back({m_items[size_t(i)], i % 2 ? m_dog : m_cat, QStringLiteral("val")});
    run.valItems = 20;
    const qint64 runId = RunRepository(*m_project).create(run);
    std::vector<ItemPrediction> rows;
    for (int i = 0; i < 40; ++i) {
        const qint64 given = i < 20 ? (i % 2 ? m_dog : m_cat) : 0;
        const qint64 predicted = i == 6 ? m_dog : i < 20 ? given : (i % 2 ? m_dog : m_cat);
        const double confidence = i == 6 ? 0.995 : i < 20 ? 0.99 : (i < 30 ? 0.995 : 0.6);
        rows.push_back({m_items[size_t(i)], runId, given, predicted, confidence, true,
                        test::belief(2, predicted == m_cat ? 0 : 1, confidence)});
    }
    PredictionSet set;
    set.kind = kind;
    set.runIds = {runId};
    set.classIds = {m_cat, m_dog};
    return PredictionRepository(*m_project).create(set, rows);
}

void ModelViewTest::appliesAndRevertsAnAutomatedLabelingRound() {
    const qint64 setId = storePredictions(PredictionKind::Run);
    const auto before = currentLabels(*m_project);
    QCOMPARE(before->size(), qsizetype(20));

    ui::ModelView view;
    view.resize(1200, 800);
    view.show();
    view.setProject(m_project.get());
    QCOMPARE(view.setId(), setId);
    auto *confusion = view.findChild<QTableWidget *>(QStringLiteral("confusion"));
    QCOMPARE(confusion->rowCount(), 2);
    QCOMPARE(confusion->item(0, 1)->text(), QStringLiteral("1")); // the cat taken for a dog
    QCOMPARE(confusion->item(1, 1)->text(), QStringLiteral("10"));
    auto *mistakes = view.findChild<QListWidget *>(QStringLiteral("mistakes"));
    QCOMPARE(mistakes->count(), 1);
    QSignalSpy opened(&view, &ui::ModelView::openItem);
    mistakes->setCurrentRow(0);
    QTest::keyClick(mistakes, Qt::Key_Return);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened[0][0].toLongLong(), m_items[6]);

    // 19 of 20 right at 0.99 or more: at 0.75 the sure half of the unlabeled items is labeled.
    view.setTargetAccuracy(0.75);
    auto *plan = view.findChild<QLabel *>(QStringLiteral("autolabelPlan"));
    QVERIFY2(plan->text().contains(QStringLiteral("10 unlabeled images")),
             qPrintable(plan->text()));
    QSignalSpy changed(&view, &ui::ModelView::labelsChanged);
    auto *apply = view.findChild<QPushButton *>(QStringLiteral("applyAutolabel"));
    QVERIFY(apply->isEnabled());
    QTest::mouseClick(apply, Qt::LeftButton);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(currentLabels(*m_project)->size(), qsizetype(30));
    QVERIFY(!apply->isEnabled()); // nothing left to label
    auto *rounds = view.findChild<QTableWidget *>(QStringLiteral("autolabelRounds"));
    QCOMPARE(rounds->rowCount(), 1);
    QCOMPARE(rounds->item(0, 5)->text(), QStringLiteral("10"));
    QCOMPARE(rounds->item(0, 6)->text(), QStringLiteral("live"));

    // The browser shows a machine label as such.
    ui::DatasetModel browser;
    browser.setProject(m_project.get());
    const QModelIndex machine = browser.index(browser.rowOfItem(m_items[21]));
    QCOMPARE(browser.data(machine, ui::DatasetModel::ClassNameRole).toString(),
             QStringLiteral("dog (machine)"));
    QVERIFY(browser.data(machine, ui::DatasetModel::MachineRole).toBool());
    QVERIFY(
        !browser.data(browser.index(browser.rowOfItem(m_items[1])), ui::DatasetModel::MachineRole)
             .toBool());

    rounds->selectRow(0);
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("revertRound")), Qt::LeftButton);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(*currentLabels(*m_project), *before);
    QCOMPARE(rounds->item(0, 6)->text(), QStringLiteral("reverted"));
    QVERIFY(apply->isEnabled()); // the images want labels again
    browser.reload();
    QCOMPARE(
        browser.data(browser.index(browser.rowOfItem(m_items[21])), ui::DatasetModel::ClassNameRole)
            .toString(),
        QString());

    // The queue follows the model's uncertainty, and back.
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("orderByUncertainty")),
                      Qt::LeftButton);
    QCOMPARE(PredictionRepository(*m_project).rankedItems(), qint64(20));
    auto *queueState = view.findChild<QLabel *>(QStringLiteral("queueState"));
    QVERIFY(queueState->text().contains(QStringLiteral("20 images")));
    auto *alRounds = view.findChild<QTableWidget *>(QStringLiteral("activeLearningRounds"));
    QCOMPARE(alRounds->rowCount(), 1);
    QCOMPARE(alRounds->item(0, 2)->text(), QStringLiteral("40")); // two people, 20 images each
    QVERIFY(!view.retrainDue());

    // Annotators answer 12 of the ranked images: past the 10 asked for, the tab offers a retrain.
    QVERIFY(m_project->setSetting(QStringLiteral("loop/retrain_after"), QStringLiteral("10")).ok());
    const qint64 ann = *m_project->ensureAnnotator(QStringLiteral("ann"), QStringLiteral("human"));
    std::vector<NewAnswer> answers;
    for (int i = 20; i < 32; ++i)
        answers.push_back({m_items[size_t(i)], ann, m_cat});
    AnswerRepository(*m_project).append(answers, QStringLiteral("label"));
    view.reload();
    QVERIFY(view.retrainDue());
    QVERIFY(view.findChild<QPushButton *>(QStringLiteral("retrain"))->isEnabled());
    QVERIFY2(queueState->text().contains(QStringLiteral("12 new answers")),
             qPrintable(queueState->text()));
}

void ModelViewTest::reviewWalksTheItemsTheModelDisagreesWith() {
    const qint64 setId = storePredictions(PredictionKind::CrossFit);
    const auto errors = flagLabelErrors(*m_project, setId);
    QVERIFY(errors.ok());
    QCOMPARE(errors->size(), size_t(1));
    QVERIFY(
        consolidateProject(*m_project, *makeConsensusMethod(QStringLiteral("majority")), {}).ok());
    const qint64 reviewer =
        *m_project->ensureAnnotator(QStringLiteral("rita"), QStringLiteral("human"));

    ui::ReviewView view;
    view.resize(1100, 700);
    view.show();
    view.setProject(m_project.get(), reviewer);
    QCOMPARE(view.queueSize(), 20);
    auto *filter = view.findChild<QCheckBox *>(QStringLiteral("modelDisagrees"));
    filter->setChecked(true);
    QCOMPARE(view.queueSize(), 1);
    QCOMPARE(view.currentItemId(), m_items[6]);
    auto *details = view.findChild<QLabel *>(QStringLiteral("reviewDetails"));
    QVERIFY2(details->text().contains(QStringLiteral("model suggests dog")),
             qPrintable(details->text()));
    view.queue()->setFocus();
    QTest::keyClick(view.queue(), Qt::Key_2); // override with the model's dog
    Statement review(databaseOf(*m_project),
                     "SELECT item_id, decision, class_id FROM reviews ORDER BY id");
    QVERIFY(review.step());
    QCOMPARE(review.int64(0), m_items[6]);
    QCOMPARE(review.text(1), QStringLiteral("override"));
    QCOMPARE(review.int64(2), m_dog);
    filter->setChecked(false);
    QCOMPARE(view.queueSize(), 20);
}

// Active learning for real: a run ranks the queue, annotators answer, and Retrain and Re-rank
// trains a new run in a winnow-cli process, predicts with it and ranks the queue by it.
void ModelViewTest::retrainAndRerankTrainsPredictsAndRanksAgain() {
    QTemporaryDir dir;
    auto project = test::createProject(dir.filePath(QStringLiteral("colours")));
    const QStringList classes = {QStringLiteral("red"), QStringLiteral("green"),
                                 QStringLiteral("blue")};
    QVERIFY(
        test::importColourSplits(*project, dir.filePath(QStringLiteral("images")), classes, 12));
    test::writeColourClasses(dir.filePath(QStringLiteral("pool")), classes, 8, 9);
    QVERIFY(
        importImageFolder(*project, dir.filePath(QStringLiteral("pool")), ImportOptions{}).ok());
    TrainOptions options;
    options.epochs = 1;
    options.width = 8;
    options.batchSize = 16;
    options.threads = 1;
    options.augment = false;
    const auto trained = trainNewRun(*project, options, {});
    QVERIFY2(trained.ok(), qPrintable(trained.errorMessage()));
    const auto setId = storeRunPredictions(*project, trained->runId);
    QVERIFY(setId.ok());

    ui::ModelView view;
    view.setCliPath(QStringLiteral(WINNOW_CLI));
    view.resize(1200, 800);
    view.show();
    view.setProject(project.get());
    view.showSet(*setId);
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("orderByUncertainty")),
                      Qt::LeftButton);
    QCOMPARE(PredictionRepository(*project).rankedItems(), qint64(24)); // the pool
    QVERIFY(project->setSetting(QStringLiteral("loop/retrain_after"), QStringLiteral("5")).ok());
    const qint64 ann = *project->ensureAnnotator(QStringLiteral("ann"), QStringLiteral("human"));
    const auto claimed = AnswerRepository(*project).claim(ann, 1000, 60, 1, 7, 6);
    QCOMPARE(claimed.size(), size_t(6));
    const qint64 red = *project->ensureClass(QStringLiteral("red"));
    for (const ClaimedItem &item : claimed)
        AnswerRepository(*project).answer(ann, {item.itemId}, red, 1000, QStringLiteral("label"));
    view.reload();
    QVERIFY(view.retrainDue());

    QSignalSpy finished(&view, &ui::ModelView::workFinished);
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("retrain")), Qt::LeftButton);
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.size(), 1);
    const auto rounds = activeLearningRounds(*project);
    QCOMPARE(rounds->size(), size_t(2));
    QVERIFY(rounds->back().runId > trained->runId);
    QCOMPARE(rounds->back().ranked, qint64(18)); // the pool less the six answered
    QCOMPARE(listRuns(*project)->size(), size_t(2));
    QVERIFY(!view.retrainDue());
}

QTEST_MAIN(ModelViewTest)
#include "modelview_test.moc"
