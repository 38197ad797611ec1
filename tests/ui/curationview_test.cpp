#include "core/curation/curation.h"
#include "core/io/folderimporter.h"
#include "core/io/perceptualhash.h"
#include "core/label/labelsource.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/train/trainer.h"
#include "tests/testsupport.h"
#include "ui/curationview.h"

#include <QListWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;

class CurationViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void previewsClustersAndExcludesWithKeys();
    void copiesWithDifferentLabelsComeFirstAndGetOneLabel();
    void modelDuplicatesAreFoundAndListedAsClusters();
    void flagsOnSingleImagesShowSideBySide();
};

void CurationViewTest::previewsClustersAndExcludesWithKeys() {
    QTemporaryDir dir;
    const cv::Mat a = test::drawImage(64, 64, 3, 1);
    // A near copy that is not pixel-identical: cropped by two pixels and scaled back.
    cv::Mat brighter;
    cv::resize(a(cv::Rect(2, 2, 60, 60)), brighter, a.size());
    brighter.convertTo(brighter, -1, 1.05, 0);
    QVERIFY(test::writeFile(dir.filePath(QStringLiteral("i/a.png")), test::encodeImage(a, ".png")));
    QVERIFY(test::writeFile(dir.filePath(QStringLiteral("i/a-copy.png")),
                            test::encodeImage(a, ".png")));
    QVERIFY(test::writeFile(dir.filePath(QStringLiteral("i/a-bright.jpg")),
                            test::encodeImage(brighter, ".jpg")));
    QVERIFY(test::writeImage(dir.filePath(QStringLiteral("i/other.png")), 64, 64, 3, 40));
    auto project = test::createProject(dir.filePath(QStringLiteral("p")));
    QVERIFY(core::importImageFolder(*project, dir.filePath(QStringLiteral("i")), {}).ok());
    const qint64 curator =
        *project->ensureAnnotator(QStringLiteral("cora"), QStringLiteral("human"));

    ui::CurationView view;
    view.resize(1000, 700);
    view.show();
    view.setProject(project.get(), curator);
    // One cluster of three at the default distance; at distance 0 only the byte-identical pair.
    QCOMPARE(view.clusterCount(), 1);
    QCOMPARE(view.members()->count(), 3);
    const int nearDistance =
        core::hammingDistance(core::perceptualHash(a), core::perceptualHash(brighter));
    QVERIFY(nearDistance > 0 && nearDistance <= core::kDefaultNearDuplicateDistance);
    view.setMaxDistance(0);
    QCOMPARE(view.members()->count(), 2);
    view.setMaxDistance(core::kDefaultNearDuplicateDistance);
    QCOMPARE(view.members()->count(), 3);

    // K keeps the selected image and excludes the others; R restores one.
    view.members()->item(1)->setSelected(true);
    const qint64 kept = view.members()->item(1)->data(Qt::UserRole).toLongLong();
    QTest::keyClick(&view, Qt::Key_K);
    auto excluded = core::exclusions(*project);
    int out = 0;
    for (auto it = excluded->cbegin(); it != excluded->cend(); ++it)
        out += it.value();
    QCOMPARE(out, 2);
    QCOMPARE(excluded->value(kept), false);
    view.members()->clearSelection();
    view.members()->item(0)->setSelected(true);
    QTest::keyClick(&view, Qt::Key_R);
    excluded = core::exclusions(*project);
    out = 0;
    for (auto it = excluded->cbegin(); it != excluded->cend(); ++it)
        out += it.value();
    QCOMPARE(out, 1);

    // Re-splitting from the view keeps the cluster in one split.
    QVERIFY(view.resplit(0.5, 0.0, 0.5, 3));
    {
        core::Statement splits(core::databaseOf(*project),
                               "SELECT COUNT(DISTINCT split) FROM items WHERE path LIKE '%/a%'");
        QVERIFY(splits.step());
        QCOMPARE(splits.int64(0), qint64(1));
    }

    // Refreshing stores the flags; the counts show them.
    QSignalSpy refreshed(&view, &ui::CurationView::flagsRefreshed);
    QSignalSpy failures(&view, &ui::CurationView::failed);
    view.refreshFlags();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 30000);
    QVERIFY2(failures.isEmpty(),
             failures.isEmpty() ? "" : qPrintable(failures.first().first().toString()));
    const auto counts = core::flagCounts(*project);
    QCOMPARE(counts->value(QStringLiteral("near-duplicate")), qint64(3));
}

// Two copies of one picture filed under different classes, beside an ordinary cluster: the
// disagreeing cluster is listed first and flagged; one action gives both the same label, as the
// curator's review, and the disagreement is gone.
void CurationViewTest::copiesWithDifferentLabelsComeFirstAndGetOneLabel() {
    QTemporaryDir dir;
    const QByteArray picture = test::encodeImage(test::drawImage(64, 64, 3, 5), ".png");
    const QByteArray other = test::encodeImage(test::drawImage(64, 64, 3, 77), ".png");
    for (const char *path : {"i/cat/a.png", "i/dog/a-copy.png"})
        QVERIFY(test::writeFile(dir.filePath(QLatin1String(path)), picture));
    for (const char *path : {"i/cat/b.png", "i/cat/b-copy.png"})
        QVERIFY(test::writeFile(dir.filePath(QLatin1String(path)), other));
    auto project = test::createProject(dir.filePath(QStringLiteral("p")));
    core::ImportOptions options;
    options.labelsFromFolders = true;
    QVERIFY(core::importImageFolder(*project, dir.filePath(QStringLiteral("i")), options).ok());
    const qint64 curator =
        *project->ensureAnnotator(QStringLiteral("cora"), QStringLiteral("human"));
    const auto summary = core::flagDuplicates(*project, core::kDefaultNearDuplicateDistance);
    QVERIFY(summary.ok());
    QCOMPARE(summary->conflictClusters, 1);
    QCOMPARE(core::listFlags(*project, core::FlagKind::LabelConflict)->size(), size_t(2));

    ui::CurationView view;
    view.resize(1000, 700);
    view.show();
    view.setProject(project.get(), curator);
    QCOMPARE(view.clusterCount(), 2);
    QVERIFY2(view.groups()->item(0)->text().contains(QStringLiteral("labels disagree: cat, dog")),
             qPrintable(view.groups()->item(0)->text()));
    QVERIFY(!view.groups()->item(1)->text().contains(QStringLiteral("disagree")));
    QCOMPARE(view.members()->count(), 2);

    qint64 dog = 0;
    for (const core::ClassInfo &c : *project->classes())
        if (c.name == QLatin1String("dog"))
            dog = c.id;
    view.labelShownImages(dog);
    const auto labels = core::currentLabels(*project);
    QVERIFY(labels.ok());
    for (int row = 0; row < view.members()->count(); ++row)
        QCOMPARE(labels->value(view.members()->item(row)->data(Qt::UserRole).toLongLong()), dog);
    for (int row = 0; row < view.groups()->count(); ++row)
        QVERIFY(!view.groups()->item(row)->text().contains(QStringLiteral("disagree")));
    QCOMPARE(core::flagDuplicates(*project, core::kDefaultNearDuplicateDistance)->conflictClusters,
             0);
}

// A copy of a training image among the test images; a short run's model embeds every image,
// from the Curate tab, and the copy and its original are listed as one cluster.
void CurationViewTest::modelDuplicatesAreFoundAndListedAsClusters() {
    QTemporaryDir dir;
    auto project = test::createProject(dir.filePath(QStringLiteral("p")));
    QVERIFY(test::importColourSplits(*project, dir.path(),
                                     {QStringLiteral("red"), QStringLiteral("green")}, 12));
    QFile original(dir.filePath(QStringLiteral("train/green/5.png")));
    QVERIFY(original.open(QIODevice::ReadOnly));
    QVERIFY(
        test::writeFile(dir.filePath(QStringLiteral("copies/green/copy.png")), original.readAll()));
    core::ImportOptions testSplit;
    testSplit.split = core::Split::Test;
    QVERIFY(
        core::importImageFolder(*project, dir.filePath(QStringLiteral("copies")), testSplit).ok());
    core::TrainOptions options;
    options.strategy = core::Strategy::Full;
    options.epochs = 1;
    options.width = 4;
    options.batchSize = 8;
    options.threads = 1;
    const auto run = core::trainNewRun(*project, options, {});
    QVERIFY2(run.ok(), qPrintable(run.errorMessage()));

    ui::CurationView view;
    view.resize(1000, 700);
    view.show();
    view.setProject(project.get(),
                    *project->ensureAnnotator(QStringLiteral("cora"), QStringLiteral("human")));
    QSignalSpy done(&view, &ui::CurationView::flagsRefreshed);
    view.findEmbeddingDuplicates(run->runId, 0.9999);
    QVERIFY(done.wait(60000));
    QCOMPARE(view.shownKind(), QStringLiteral("embedding-duplicate"));
    QVERIFY(view.groups()->count() >= 1);
    bool together = false;
    for (int row = 0; row < view.groups()->count() && !together; ++row) {
        view.groups()->setCurrentRow(row);
        QStringList names;
        for (int m = 0; m < view.members()->count(); ++m)
            names << view.members()->item(m)->toolTip();
        together = names.filter(QStringLiteral("copies/green/copy.png")).size() == 1 &&
                   names.filter(QStringLiteral("train/green/5.png")).size() == 1;
    }
    QVERIFY(together);
}

// Dark images are flagged one by one: the list names each, and the images show side by side with
// the chosen one selected; K keeps it and leaves the other flagged images alone.
void CurationViewTest::flagsOnSingleImagesShowSideBySide() {
    QTemporaryDir dir;
    for (int i = 0; i < 12; ++i)
        QVERIFY(test::writeImage(dir.filePath(QStringLiteral("i/%1.png").arg(i)), 32, 32, 3, i));
    for (int i = 0; i < 3; ++i)
        QVERIFY(test::writeFile(
            dir.filePath(QStringLiteral("i/dark%1.png").arg(i)),
            test::encodeImage(cv::Mat(32 + i, 32, CV_8UC3, cv::Scalar::all(i)), ".png")));
    auto project = test::createProject(dir.filePath(QStringLiteral("p")));
    QVERIFY(core::importImageFolder(*project, dir.filePath(QStringLiteral("i")), {}).ok());
    const qint64 curator =
        *project->ensureAnnotator(QStringLiteral("cora"), QStringLiteral("human"));
    ui::CurationView view;
    view.resize(1000, 700);
    view.show();
    view.setProject(project.get(), curator);
    QSignalSpy refreshed(&view, &ui::CurationView::flagsRefreshed);
    view.refreshFlags();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 30000);
    view.showKind(QStringLiteral("dark"));
    auto *groups = view.findChild<QListWidget *>(QStringLiteral("groups"));
    QCOMPARE(groups->count(), 3);
    QCOMPARE(view.members()->count(), 3);
    groups->setCurrentRow(2);
    QCOMPARE(view.members()->count(), 3);
    QCOMPARE(view.members()->selectedItems().size(), qsizetype(1));
    const qint64 chosen = view.members()->selectedItems().first()->data(Qt::UserRole).toLongLong();
    QVERIFY(view.members()->selectedItems().first()->toolTip().contains(QStringLiteral("dark")));
    QTest::keyClick(&view, Qt::Key_E); // exclude the chosen one
    QTest::keyClick(&view, Qt::Key_K); // and keep it again: nothing else is excluded
    const auto excluded = core::exclusions(*project);
    int out = 0;
    for (bool value : *excluded)
        out += value;
    QCOMPARE(out, 0);
    QCOMPARE(excluded->value(chosen, true), false);
}

QTEST_MAIN(CurationViewTest)
#include "curationview_test.moc"
