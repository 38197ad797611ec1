#include "core/io/folderimporter.h"
#include "tests/testsupport.h"
#include "ui/thumbnailworker.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;

// The thumbnail worker answers every request of the project shown, including requests that
// arrive while it still drains the previous project's queue.
class ThumbnailWorkerTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestsForTheNextProjectWaitForItInsteadOfBeingDropped();
    void requestsWithoutAReadableProjectAreAnswered();
};

namespace {

// A project of `count` small images; their items, in order.
std::vector<core::ItemRecord> makeProject(const QString &dir, int count) {
    for (int i = 0; i < count; ++i)
        test::writeImage(QStringLiteral("%1/images/%2.png").arg(dir).arg(i), 16, 16, 3, i);
    auto project = test::createProject(dir + QStringLiteral("/p"));
    if (!core::importImageFolder(*project, dir + QStringLiteral("/images"), {}).ok())
        qFatal("cannot import the fixture images");
    return *project->items({}, 0, count);
}

} // namespace

void ThumbnailWorkerTest::requestsForTheNextProjectWaitForItInsteadOfBeingDropped() {
    QTemporaryDir a, b;
    const auto first = makeProject(a.path(), 2), second = makeProject(b.path(), 3);
    ui::ThumbnailWorker worker;
    QSignalSpy loaded(&worker, &ui::ThumbnailWorker::loaded);
    worker.openProject(a.filePath(QStringLiteral("p")), 1);
    // The view switched to the second project (generation 2) and asked for its thumbnails
    // before the worker, still busy with the first, has opened it.
    for (const core::ItemRecord &item : second)
        worker.enqueue({item.id, item.path, 2}, 100);
    worker.enqueue({first[0].id, first[0].path, 1}, 100);
    worker.drain(); // the first project's request is answered, the second's wait
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(loaded.at(0).at(0).toLongLong(), first[0].id);
    QCOMPARE(worker.queued(), size_t(3));
    worker.openProject(b.filePath(QStringLiteral("p")), 2);
    QTRY_COMPARE(loaded.count(), 4);
    for (int i = 1; i < 4; ++i) {
        QCOMPARE(loaded.at(i).at(1).toULongLong(), quint64(2));
        QVERIFY(!loaded.at(i).at(2).value<QImage>().isNull());
    }
    QCOMPARE(worker.queued(), size_t(0));
}

void ThumbnailWorkerTest::requestsWithoutAReadableProjectAreAnswered() {
    QTemporaryDir dir;
    ui::ThumbnailWorker worker;
    QSignalSpy loaded(&worker, &ui::ThumbnailWorker::loaded);
    worker.openProject(dir.filePath(QStringLiteral("no-project")), 1);
    worker.enqueue({7, QString(), 1}, 100);
    QTRY_COMPARE(loaded.count(), 1);
    QVERIFY(loaded.at(0).at(2).value<QImage>().isNull());
}

QTEST_MAIN(ThumbnailWorkerTest)
#include "thumbnailworker_test.moc"
