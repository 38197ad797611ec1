#include "tests/testsupport.h"
#include "ui/datasetmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow::core;
using winnow::ui::DatasetModel;

namespace {

// Items with made-up fingerprints: the model never decodes images.
void addItems(Project &project, int count, std::optional<Split> split, const QString &prefix) {
    const qint64 batch = *project.createBatch(QStringLiteral("folder"), prefix, split);
    const qint64 annotator =
        *project.ensureAnnotator(QStringLiteral("folder"), QStringLiteral("import"));
    std::vector<NewItem> items;
    for (int i = 0; i < count; ++i) {
        NewItem item;
        item.path = QStringLiteral("/data/%1/%2.png").arg(prefix).arg(i);
        item.contentHash = QByteArray::number(i);
        item.width = item.height = 32;
        item.channels = 3;
        if (i % 4 != 3)
            item.label = i % 2 ? QStringLiteral("cat") : QStringLiteral("dog");
        items.push_back(item);
    }
    QVERIFY(project.addItems(batch, split, items, annotator).ok());
}

} // namespace

class DatasetModelTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void passesModelTesterWhileFetchingPages();
    void filtersByClassSplitAndBatch();
    void emptyProjectHasNoRows();
};

void DatasetModelTest::passesModelTesterWhileFetchingPages() {
    QTemporaryDir dir;
    auto project = winnow::test::createProject(dir.path());
    addItems(*project, 2500, Split::Train, QStringLiteral("a"));
    DatasetModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setProject(project.get());
    QCOMPARE(model.totalCount(), qint64(2500));
    QCOMPARE(model.rowCount(), DatasetModel::kPageSize);
    for (int pages = 0; pages < 10 && model.rowCount() < 2500; ++pages) {
        model.fetchMore({});
        QVERIFY(!model.canFetchMore({})); // one page in flight at a time
        QTRY_VERIFY(model.canFetchMore({}) || model.rowCount() == 2500);
    }
    QCOMPARE(model.rowCount(), 2500);
    QVERIFY(!model.canFetchMore({}));
    // Rows arrive in id order without gaps or repeats.
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(model.record(row)->id > model.record(row - 1)->id);
    const QModelIndex first = model.index(0);
    QCOMPARE(first.data(DatasetModel::PathRole).toString(), QStringLiteral("/data/a/0.png"));
    QCOMPARE(first.data(DatasetModel::ClassNameRole).toString(), QStringLiteral("dog"));
    QCOMPARE(first.data(Qt::DisplayRole).toString(), QStringLiteral("0.png"));
    QVERIFY(first.data(Qt::ToolTipRole).toString().contains(QStringLiteral("train")));
    QCOMPARE(model.index(3).data(DatasetModel::ClassIdRole).toLongLong(), qint64(0));
    model.reload();
    QCOMPARE(model.rowCount(), DatasetModel::kPageSize);
}

void DatasetModelTest::filtersByClassSplitAndBatch() {
    QTemporaryDir dir;
    auto project = winnow::test::createProject(dir.path());
    addItems(*project, 40, Split::Train, QStringLiteral("a"));
    addItems(*project, 20, Split::Test, QStringLiteral("b"));
    DatasetModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setProject(project.get());
    QCOMPARE(model.rowCount(), 60);

    ItemFilter filter;
    filter.split = Split::Test;
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 20);
    QCOMPARE(model.totalCount(), qint64(20));

    filter.classId = *project->ensureClass(QStringLiteral("cat"));
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 5); // odd items of the 20, less every fourth (unlabelled)
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.index(row).data(DatasetModel::ClassNameRole).toString(),
                 QStringLiteral("cat"));

    filter = {};
    filter.classId = ItemFilter::kUnlabelled;
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 15);
    QCOMPARE(model.totalCount(), qint64(15));

    filter = {};
    filter.batchId = project->batches()->front().id;
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 40);
}

void DatasetModelTest::emptyProjectHasNoRows() {
    QTemporaryDir dir;
    auto project = winnow::test::createProject(dir.path());
    DatasetModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setProject(project.get());
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.canFetchMore({}));
    model.setProject(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(DatasetModelTest)
#include "datasetmodel_test.moc"
