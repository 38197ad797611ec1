#include "core/consensus/consolidation.h"
#include "core/curation/curation.h"
#include "core/io/labelexport.h"
#include "core/label/labelingsession.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"
#include "ui/annotatorsview.h"
#include "ui/reviewview.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;

class ReviewViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void walksTheQueueWithKeysAndStoresDecisions();
};

void ReviewViewTest::walksTheQueueWithKeysAndStoresDecisions() {
    QTemporaryDir dir;
    auto project = test::createProject(dir.filePath(QStringLiteral("p")));
    std::vector<core::NewItem> items;
    for (int i = 0; i < 6; ++i) {
        const QString path = dir.filePath(QStringLiteral("img/%1.png").arg(i));
        QVERIFY(test::writeImage(path, 24, 24, 3, i));
        core::NewItem item;
        item.path = path;
        item.contentHash = QByteArray::number(i);
        item.width = item.height = 24;
        item.channels = 3;
        items.push_back(item);
    }
    const qint64 batch = *project->createBatch(QStringLiteral("folder"),
                                               dir.filePath(QStringLiteral("img")), std::nullopt);
    QVERIFY(project->addItems(batch, std::nullopt, items, 0).ok());
    std::vector<qint64> ids;
    for (const auto &item : *project->items({}, 0, 10))
        ids.push_back(item.id);
    const qint64 cat = *project->ensureClass(QStringLiteral("cat"));
    const qint64 dog = *project->ensureClass(QStringLiteral("dog"));
    // Item 0: unanimous cat; items 1-5: split votes of decreasing doubt.
    const qint64 a = *project->ensureAnnotator(QStringLiteral("a"), QStringLiteral("human"));
    const qint64 b = *project->ensureAnnotator(QStringLiteral("b"), QStringLiteral("human"));
    const qint64 c = *project->ensureAnnotator(QStringLiteral("c"), QStringLiteral("human"));
    core::LabelingSession sa(*project, a), sb(*project, b), sc(*project, c);
    QVERIFY(sa.answerMany(ids, cat).ok());
    QVERIFY(sb.answerMany({ids[0], ids[1], ids[2]}, cat).ok());
    QVERIFY(sb.answerMany({ids[3], ids[4], ids[5]}, dog).ok());
    QVERIFY(sc.answerMany({ids[0]}, cat).ok());
    QVERIFY(sc.answerMany({ids[1], ids[2], ids[3], ids[4], ids[5]}, dog).ok());
    // Another method first; the newest consolidation (majority) is the one the view opens on.
    QVERIFY(core::consolidateProject(*project,
                                     *core::makeConsensusMethod(QStringLiteral("dawid-skene")), {})
                .ok());
    const auto info = core::consolidateProject(
        *project, *core::makeConsensusMethod(QStringLiteral("majority")), {});
    QVERIFY(info.ok());
    const qint64 reviewer =
        *project->ensureAnnotator(QStringLiteral("rita"), QStringLiteral("human"));

    // "Methods disagree" and the divergent flags agree with a direct comparison of the two runs.
    int disagreements = 0;
    {
        core::Statement both(core::databaseOf(*project),
                             "SELECT COUNT(*) FROM consolidated_labels m JOIN consolidated_labels "
                             "d ON d.item_id = m.item_id"
                             " WHERE m.consolidation_id = ? AND d.consolidation_id = ? AND "
                             "m.class_id <> d.class_id");
        both.bind(1, info->id).bind(2, info->id - 1);
        QVERIFY(both.step());
        disagreements = int(both.int64(0));
    }
    qInfo("majority and dawid-skene disagree on %d items", disagreements);
    core::ReviewFilter disputed;
    disputed.disagreementOnly = true;
    QCOMPARE(int(core::reviewQueue(*project, info->id, disputed)->size()), disagreements);
    const auto divergent =
        core::flagDivergent(*project, 0.0); // confidence never under 0: disagreement only
    QVERIFY(divergent.ok());
    QCOMPARE(*divergent, qint64(disagreements));
    const auto lowConfidence =
        core::flagDivergent(*project, 0.9); // the 2-of-3 majorities are under 0.9
    QVERIFY(*lowConfidence >= 5);

    ui::ReviewView view;
    view.resize(1100, 700);
    view.show();
    view.setProject(project.get(), reviewer);
    QCOMPARE(view.queueSize(), 6);
    QTableWidget *queue = view.queue();
    queue->setFocus();
    // Least confident first: the unanimous item comes last.
    QCOMPARE(view.consolidationId(), info->id);
    QVERIFY(view.currentItemId() != ids[0]);
    const qint64 first = view.currentItemId();
    QTest::keyClick(queue, Qt::Key_Return); // accept
    const qint64 overridden = view.currentItemId();
    QTest::keyClick(queue, Qt::Key_1); // override with class key 1 (cat)
    const qint64 more = view.currentItemId();
    QTest::keyClick(queue, Qt::Key_M); // send back for more answers

    core::Statement reviews(
        core::databaseOf(*project),
        "SELECT item_id, decision, IFNULL(class_id, 0), reviewer_id FROM reviews ORDER BY id");
    QVERIFY(reviews.step());
    QCOMPARE(reviews.int64(0), first);
    QCOMPARE(reviews.text(1), QStringLiteral("accept"));
    QCOMPARE(reviews.int64(3), reviewer);
    QVERIFY(reviews.step());
    QCOMPARE(reviews.int64(0), overridden);
    QCOMPARE(reviews.text(1), QStringLiteral("override"));
    QCOMPARE(reviews.int64(2), cat);
    QVERIFY(reviews.step());
    QCOMPARE(reviews.int64(0), more);
    QCOMPARE(reviews.text(1), QStringLiteral("more"));
    QVERIFY(!reviews.step());

    // The item sent back wants a fourth answer: it re-enters annotators' queues.
    core::Statement overlap(core::databaseOf(*project),
                            "SELECT wanted FROM item_overlap WHERE item_id = ?");
    overlap.bind(1, more);
    QVERIFY(overlap.step());
    QCOMPARE(overlap.int64(0), qint64(4));
    const qint64 d = *project->ensureAnnotator(QStringLiteral("d"), QStringLiteral("human"));
    core::LabelingSession sd(*project, d);
    const auto queued = sd.claim(10);
    QCOMPARE(queued->size(), size_t(1));
    QCOMPARE(queued->front().itemId, more);

    // The export applies the override.
    const QString exported = dir.filePath(QStringLiteral("labels.csv"));
    QVERIFY(
        core::exportConsolidatedLabels(*project, info->id, exported, core::LabelFormat::Csv).ok());
    QFile file(exported);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.startsWith(QStringLiteral("item,label,confidence,answers,reviewed\n")));
    QVERIFY(text.contains(QStringLiteral("%1.png,cat,1.000000,3,yes").arg(overridden - ids[0])));

    // Marking the reviewed consolidation current is what training follows.
    QCOMPARE(*core::currentConsolidationId(*project), qint64(0));
    QSignalSpy marked(&view, &ui::ReviewView::trainingLabelsChanged);
    view.markCurrent();
    QCOMPARE(marked.count(), 1);
    QCOMPARE(*core::currentConsolidationId(*project), info->id);
    QCOMPARE(view.consolidationId(), info->id);

    // The annotators view lists the four annotators with answers and their estimates.
    ui::AnnotatorsView annotators;
    annotators.setProject(project.get());
    QCOMPARE(annotators.rowCount(), 3);
    Q_UNUSED(dog);
}

QTEST_MAIN(ReviewViewTest)
#include "reviewview_test.moc"
