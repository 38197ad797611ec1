#include "core/label/labelingsession.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"
#include "ui/imageview.h"
#include "ui/labelingview.h"
#include "ui/mainwindow.h"

#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <set>

using namespace winnow;

namespace {

struct Fixture {
    QTemporaryDir dir;
    std::unique_ptr<core::Project> project;
    std::vector<qint64> items;
    std::vector<qint64> classes;
};

// Twelve real images, three classes, two answers wanted; carol has already answered four.
void makeFixture(Fixture &f) {
    f.project = test::createProject(f.dir.filePath(QStringLiteral("project")));
    std::vector<core::NewItem> items;
    for (int i = 0; i < 12; ++i) {
        const QString path = f.dir.filePath(QStringLiteral("img/%1.png").arg(i));
        QVERIFY(test::writeImage(path, 64, 48, 3, i));
        core::NewItem item;
        item.path = path;
        item.contentHash = QByteArray::number(i);
        item.width = 64;
        item.height = 48;
        item.channels = 3;
        items.push_back(item);
    }
    const qint64 batch = *f.project->createBatch(
        QStringLiteral("folder"), f.dir.filePath(QStringLiteral("img")), std::nullopt);
    QVERIFY(f.project->addItems(batch, std::nullopt, items, 0).ok());
    for (const auto &item : *f.project->items({}, 0, 100))
        f.items.push_back(item.id);
    for (const char *name : {"cat", "dog", "bird"})
        f.classes.push_back(*f.project->ensureClass(QLatin1String(name)));
    QVERIFY(core::LabelingSession::setAnswersWanted(*f.project, 2).ok());
    const qint64 carol =
        *f.project->ensureAnnotator(QStringLiteral("carol"), QStringLiteral("human"));
    core::LabelingSession session(*f.project, carol);
    const auto answered =
        session.answerMany({f.items[0], f.items[1], f.items[2], f.items[3]}, f.classes[1]);
    QVERIFY2(answered.ok(), qPrintable(answered.errorMessage()));
}

std::multiset<std::pair<qint64, qint64>> liveAnswers(core::Project &project, qint64 annotator) {
    std::multiset<std::pair<qint64, qint64>> result;
    core::Statement query(
        core::databaseOf(project),
        "SELECT a.item_id, a.class_id FROM answers a WHERE a.annotator_id = ? AND a.revokes IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM answers u WHERE u.revokes = a.id)");
    query.bind(1, annotator);
    while (query.step())
        result.insert({query.int64(0), query.int64(1)});
    return result;
}

} // namespace

class LabelingViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labelsWithKeysUndoesAndFillsOtherQueues();
    void nearlyDoneImagesComeFirstAndNothingIsShownTwice();
    void mainWindowOpensLabelingWithCtrlL();
    void answerGivenDuringAServerOutageIsSavedAfterItComesBack();
};

void LabelingViewTest::labelsWithKeysUndoesAndFillsOtherQueues() {
    Fixture f;
    makeFixture(f);
    const qint64 alice =
        *f.project->ensureAnnotator(QStringLiteral("alice"), QStringLiteral("human"));

    ui::LabelingView view;
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.start(f.project.get(), alice);
    QSignalSpy saved(&view, &ui::LabelingView::answerSaved);

    std::multiset<std::pair<qint64, qint64>> expected;
    auto press = [&](Qt::Key key, qint64 classId) {
        const qint64 item = view.currentItemId();
        QVERIFY(item != 0);
        QTRY_VERIFY(!view.imageView()->image().isNull()); // the image is on screen
        QTest::keyClick(&view, key);
        QVERIFY(view.currentItemId() != item);
        expected.insert({item, classId});
    };
    press(Qt::Key_1, f.classes[0]);
    press(Qt::Key_2, f.classes[1]);
    press(Qt::Key_3, f.classes[2]);
    press(Qt::Key_1, f.classes[0]);
    press(Qt::Key_1, f.classes[0]);
    QCOMPARE(saved.count(), 5);
    QVERIFY(view.lastSavedText().contains(QStringLiteral("Saved")));

    // Backspace undoes the last answer and returns to its image; a new answer replaces it.
    const qint64 lastItem = saved.last().at(0).toLongLong();
    QTest::keyClick(&view, Qt::Key_Backspace);
    QCOMPARE(view.currentItemId(), lastItem);
    expected.erase(expected.find({lastItem, f.classes[0]}));
    press(Qt::Key_2, f.classes[1]);
    // Ctrl+Z undoes too; Space skips.
    const qint64 again = view.currentItemId();
    QTest::keyClick(&view, Qt::Key_Z, Qt::ControlModifier);
    expected.erase(expected.find({lastItem, f.classes[1]}));
    QCOMPARE(view.currentItemId(), lastItem);
    QVERIFY(again != lastItem);
    press(Qt::Key_3, f.classes[2]);
    QTest::keyClick(&view, Qt::Key_Space);
    QCOMPARE(view.stats().doneToday, qint64(5));

    // The database holds exactly those answers, and one undo row per undo.
    QCOMPARE(liveAnswers(*f.project, alice), expected);
    core::Statement undos(
        core::databaseOf(*f.project),
        "SELECT COUNT(*) FROM answers WHERE annotator_id = ? AND revokes IS NOT NULL");
    undos.bind(1, alice);
    undos.step();
    QCOMPARE(undos.int64(0), qint64(2));
    view.stop();

    // Alice answered carol's four first (nearly done); those reached two answers and leave
    // every queue; alice's other images still need one more and go to bob.
    std::set<qint64> full, half;
    for (const auto &[item, cls] : expected) {
        if (item == f.items[0] || item == f.items[1] || item == f.items[2] || item == f.items[3])
            full.insert(item);
        else
            half.insert(item);
    }
    QCOMPARE(full.size(), size_t(4));
    QCOMPARE(half.size(), size_t(1));
    const qint64 bob = *f.project->ensureAnnotator(QStringLiteral("bob"), QStringLiteral("human"));
    core::LabelingSession bobs(*f.project, bob);
    const auto queue = bobs.claim(100);
    QVERIFY(queue.ok());
    std::set<qint64> bobItems;
    for (const core::QueueEntry &entry : *queue)
        bobItems.insert(entry.itemId);
    for (qint64 item : half)
        QVERIFY(bobItems.count(item));
    for (qint64 item : full)
        QVERIFY(!bobItems.count(item));
    QCOMPARE(queue->front().answersSoFar, 1); // nearly done first
    QCOMPARE(bobItems.size(), size_t(8));     // 12 images less the 4 that are done
}

void LabelingViewTest::nearlyDoneImagesComeFirstAndNothingIsShownTwice() {
    Fixture f;
    makeFixture(f);
    const qint64 dave =
        *f.project->ensureAnnotator(QStringLiteral("dave"), QStringLiteral("human"));
    ui::LabelingView view;
    view.resize(800, 600);
    view.show();
    view.start(f.project.get(), dave);
    std::set<qint64> seen;
    for (int i = 0; i < 12; ++i) {
        const qint64 item = view.currentItemId();
        if (item == 0)
            break;
        QVERIFY(seen.insert(item).second);
        if (i < 4) // carol's four come first
            QVERIFY(item == f.items[0] || item == f.items[1] || item == f.items[2] ||
                    item == f.items[3]);
        QTest::keyClick(&view, Qt::Key_1);
    }
    QCOMPARE(seen.size(), size_t(12));
    QCOMPARE(view.currentItemId(), qint64(0)); // queue empty
    QCOMPARE(view.stats().leftInQueue, qint64(0));
}

void LabelingViewTest::mainWindowOpensLabelingWithCtrlL() {
    Fixture f;
    makeFixture(f);
    const QString dir = f.project->directory();
    f.project.reset();
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.openProject(dir).ok());
    QVERIFY(window.setAnnotator(QStringLiteral("erin")).ok());
    QVERIFY(window.windowTitle().contains(QStringLiteral("erin")));
    QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
    QCOMPARE(window.tabs()->currentIndex(), 1);
    QTRY_VERIFY(window.labelingView()->currentItemId() != 0);
    QTest::keyClick(window.labelingView(), Qt::Key_2);
    QCOMPARE(window.labelingView()->stats().doneToday, qint64(1));
}

// The server of a team project stops while Dana labels: her answer shows as not saved yet, she
// goes on, and once the server is back both answers are saved, once each.
void LabelingViewTest::answerGivenDuringAServerOutageIsSavedAfterItComesBack() {
    QTemporaryDir dir;
    test::PostgresServer &server = test::testServer();
    auto project = test::createProject(server.createDatabase());
    std::vector<core::NewItem> items;
    for (int i = 0; i < 6; ++i) {
        core::NewItem item;
        item.path = dir.filePath(QStringLiteral("%1.png").arg(i));
        QVERIFY(test::writeImage(item.path, 32, 32, 3, i));
        item.contentHash = QByteArray::number(i);
        item.width = item.height = 32;
        item.channels = 3;
        items.push_back(item);
    }
    const qint64 batch = *project->createBatch(QStringLiteral("folder"), dir.path(), std::nullopt);
    QVERIFY(project->addItems(batch, std::nullopt, items, 0).ok());
    const qint64 cat = *project->ensureClass(QStringLiteral("cat"));
    const qint64 dog = *project->ensureClass(QStringLiteral("dog"));
    const qint64 dana = *project->ensureAnnotator(QStringLiteral("dana"), QStringLiteral("human"));

    ui::LabelingView view;
    view.resize(800, 600);
    view.show();
    view.start(project.get(), dana);
    const qint64 first = view.currentItemId();
    QVERIFY(first > 0);
    view.answerCurrent(cat);
    QVERIFY2(view.lastSavedText().contains(QStringLiteral("Saved")),
             qPrintable(view.lastSavedText()));

    QVERIFY(server.stop());
    const qint64 second = view.currentItemId();
    QVERIFY(second > 0 && second != first);
    view.answerCurrent(dog);
    QVERIFY2(view.unsavedAnswers() == 1, qPrintable(view.lastSavedText()));
    QVERIFY2(view.lastSavedText().contains(QStringLiteral("Not saved yet")),
             qPrintable(view.lastSavedText()));
    QVERIFY(view.currentItemId() != second); // she goes on with the images already claimed
    QTest::qWait(2500); // a retry while the server is still down changes nothing
    QCOMPARE(view.unsavedAnswers(), 1);

    QVERIFY(server.restart());
    QTRY_COMPARE_WITH_TIMEOUT(view.unsavedAnswers(), 0, 20000);
    QVERIFY2(view.lastSavedText().contains(QStringLiteral("server is back")),
             qPrintable(view.lastSavedText()));
    const auto answers = liveAnswers(*project, dana);
    QCOMPARE(answers.size(), size_t(2));
    QVERIFY(answers.count({first, cat}) == 1);
    QVERIFY(answers.count({second, dog}) == 1);
    view.stop();
}

QTEST_MAIN(LabelingViewTest)
#include "labelingview_test.moc"
