#include "core/curation/curation.h"
#include "core/io/datasetexport.h"
#include "core/io/folderimporter.h"
#include "core/label/labelsource.h"
#include "core/store/runrepository.h"
#include "tests/testsupport.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;
using namespace winnow::core;

// Exports people load: the ImageFolder tree loads back to the same labels and splits, the CSV
// and manifests name every labeled image, subsets come out with the labels their run trained
// on, and nothing is written outside the target folder, on each backend.
class ExportTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void safeNamesReadBackAsTheClassName_data();
    void safeNamesReadBackAsTheClassName();
    void imageFolderLoadsBackToTheSameLabelsAndSplits_data();
    void imageFolderLoadsBackToTheSameLabelsAndSplits();
    void csvAndManifestsNameEveryLabeledImage();
    void subsetComesOutWithTheLabelsItsRunTrainedOn();
    void refusesAFolderThatHoldsFilesAndLeavesItAlone();
    void cancelledExportLeavesTheFolderEmpty();

private:
    // "split|label|file name" of every labeled, not excluded item, sorted.
    static QStringList labeledItems(Project &project);
    static QStringList filesUnder(const QString &folder);
    DatasetExportSummary exportTo(ExportFormat format, const QString &folder,
                                  std::optional<SubsetRef> subset = std::nullopt);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Project> m_project;
    qint64 m_excluded = 0;
};

void ExportTest::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_project = test::createBackendProject(m_dir->filePath(QStringLiteral("p")));
    QVERIFY(test::importColourSplits(*m_project, m_dir->filePath(QStringLiteral("images")),
                                     {QStringLiteral("red"), QStringLiteral("green")}, 6));
    // Class names are data: a slash, a way up and a percent sign become safe folder names.
    const auto classes = m_project->classes();
    QVERIFY(classes.ok());
    QVERIFY(m_project->renameClass(classes->at(0).id, QStringLiteral("T-shirt/top")).ok());
    QVERIFY(m_project->renameClass(classes->at(1).id, QStringLiteral("../100%")).ok());
    // One image a curator excluded, one that nobody labeled.
    const auto items = m_project->items({}, 0, 1);
    QVERIFY(items.ok());
    m_excluded = items->front().id;
    QVERIFY(setExcluded(*m_project, {m_excluded}, true, QStringLiteral("blurred"), 0).ok());
    QVERIFY(test::writeImage(m_dir->filePath(QStringLiteral("loose/unlabeled.png")), 16, 16, 3, 9));
    QVERIFY(importImageFolder(*m_project, m_dir->filePath(QStringLiteral("loose")), {}).ok());
}

void ExportTest::cleanup() {
    m_project.reset();
    m_dir.reset();
}

QStringList ExportTest::labeledItems(Project &project) {
    const auto labels = currentLabels(project);
    const auto excluded = exclusions(project);
    const auto classes = project.classes();
    const auto items = project.items({}, 0, 1000);
    if (!labels || !excluded || !classes || !items)
        return {QStringLiteral("cannot read the project")};
    QHash<qint64, QString> names;
    for (const ClassInfo &c : *classes)
        names.insert(c.id, c.name);
    QStringList rows;
    for (const ItemRecord &item : *items)
        if (labels->contains(item.id) && !excluded->value(item.id))
            rows << QStringLiteral("%1|%2|%3")
                        .arg(splitName(item.split), names.value(labels->value(item.id)),
                             QFileInfo(item.path).fileName());
    rows.sort();
    return rows;
}

QStringList ExportTest::filesUnder(const QString &folder) {
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::System | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(folder).relativeFilePath(it.next());
    files.sort();
    return files;
}

DatasetExportSummary ExportTest::exportTo(ExportFormat format, const QString &folder,
                                          std::optional<SubsetRef> subset) {
    DatasetExportOptions options;
    options.format = format;
    options.folder = folder;
    options.copyImages = true;
    options.subset = subset;
    const auto summary = exportDataset(*m_project, options);
    if (!summary)
        qWarning("%s", qPrintable(summary.error().message));
    return summary ? *summary : DatasetExportSummary{};
}

void ExportTest::safeNamesReadBackAsTheClassName_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("safe");
    QTest::newRow("plain") << QStringLiteral("Ankle boot") << QStringLiteral("Ankle boot");
    QTest::newRow("slash") << QStringLiteral("T-shirt/top") << QStringLiteral("T-shirt%2Ftop");
    QTest::newRow("up") << QStringLiteral("..") << QStringLiteral("%2E.");
    QTest::newRow("hidden") << QStringLiteral(".cache") << QStringLiteral("%2Ecache");
    QTest::newRow("percent") << QStringLiteral("100%") << QStringLiteral("100%25");
    QTest::newRow("control") << QStringLiteral("a\nb\\c") << QStringLiteral("a%0Ab%5Cc");
}

void ExportTest::safeNamesReadBackAsTheClassName() {
    QFETCH(QString, name);
    QFETCH(QString, safe);
    QCOMPARE(safeFileName(name), safe);
    QCOMPARE(classNameOfFolder(safeFileName(name)), name);
}

void ExportTest::imageFolderLoadsBackToTheSameLabelsAndSplits_data() {
    QTest::addColumn<bool>("copies");
    QTest::newRow("copies") << true;
    QTest::newRow("symbolic links") << false;
}

void ExportTest::imageFolderLoadsBackToTheSameLabelsAndSplits() {
    QFETCH(bool, copies);
    const QString out = m_dir->filePath(QStringLiteral("out/tree"));
    DatasetExportOptions options;
    options.folder = out;
    options.copyImages = copies;
    const auto summary = exportDataset(*m_project, options);
    QVERIFY2(summary.ok(), summary ? "" : qPrintable(summary.error().message));
    QCOMPARE(summary->written, qint64(6 + 2 + 2) * 2 - 1);
    QCOMPARE(summary->excluded, qint64(1));
    QCOMPARE(summary->unlabeled, qint64(1));
    QVERIFY(summary->issues.empty());
    QCOMPARE(summary->files,
             (QStringList{QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("val")}));
    // Nothing beside the tree, nothing left of the staging folder.
    QCOMPARE(QDir(m_dir->filePath(QStringLiteral("out")))
                 .entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("tree")});
    QVERIFY(filesUnder(out).contains(QStringLiteral("train/T-shirt%2Ftop/2.png")));
    QVERIFY(filesUnder(out).contains(QStringLiteral("val/%2E.%2F100%25/0.png")));
    QCOMPARE(QFileInfo(out + QStringLiteral("/train/T-shirt%2Ftop/1.png")).isSymLink(), !copies);

    auto again = test::createBackendProject(m_dir->filePath(QStringLiteral("again")));
    for (const Split split : {Split::Train, Split::Val, Split::Test}) {
        ImportOptions back{split, true};
        back.followLinksOutside = !copies;
        const auto imported = importImageFolder(*again, out + u'/' + splitName(split), back);
        QVERIFY2(imported.ok(), imported ? "" : qPrintable(imported.error().message));
        QVERIFY(imported->issues.empty());
    }
    QCOMPARE(labeledItems(*again), labeledItems(*m_project));
}

void ExportTest::csvAndManifestsNameEveryLabeledImage() {
    const QString csvFolder = m_dir->filePath(QStringLiteral("csv"));
    QCOMPARE(exportTo(ExportFormat::Csv, csvFolder).written, qint64(19));
    QFile csv(csvFolder + QStringLiteral("/labels.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 20);
    QCOMPARE(lines[0], QStringLiteral("path,label,split,confidence"));
    for (const QString &line : lines.mid(1)) {
        const QStringList fields = line.split(u',');
        QCOMPARE(fields.size(), 4);
        QVERIFY2(QFileInfo(fields[0]).isAbsolute() && QFileInfo(fields[0]).isFile(),
                 qPrintable(line));
        QVERIFY(fields[1] == QLatin1String("T-shirt/top") || fields[1] == QLatin1String("../100%"));
        QCOMPARE(fields[3], QStringLiteral("1.000000")); // one answer each: all agree
    }

    const QString manifests = m_dir->filePath(QStringLiteral("manifests"));
    QCOMPARE(exportTo(ExportFormat::Manifest, manifests).written, qint64(19));
    QCOMPARE(QDir(manifests).entryList(QDir::Files),
             (QStringList{QStringLiteral("test.manifest"), QStringLiteral("train.manifest"),
                          QStringLiteral("val.manifest")}));
    QFile train(manifests + QStringLiteral("/train.manifest"));
    QVERIFY(train.open(QIODevice::ReadOnly));
    int lineCount = 0;
    while (!train.atEnd()) {
        const QJsonObject line = QJsonDocument::fromJson(train.readLine()).object();
        QVERIFY(QFileInfo(line.value(QStringLiteral("source-ref")).toString()).isFile());
        const QJsonObject metadata = line.value(QStringLiteral("winnow-metadata")).toObject();
        QCOMPARE(line.value(QStringLiteral("winnow")).toInt(),
                 metadata.value(QStringLiteral("class-name")).toString() ==
                         QLatin1String("T-shirt/top")
                     ? 0
                     : 1);
        QCOMPARE(metadata.value(QStringLiteral("human-annotated")).toString(),
                 QStringLiteral("yes"));
        ++lineCount;
    }
    QCOMPARE(lineCount, 11); // 12 training images, one excluded
}

void ExportTest::subsetComesOutWithTheLabelsItsRunTrainedOn() {
    const auto items = m_project->items({}, 0, 4);
    QVERIFY(items.ok());
    const auto classes = m_project->classes();
    NewRun run;
    run.strategy = QStringLiteral("glister");
    run.fraction = 0.3;
    run.epochs = 2;
    run.parameters = QStringLiteral("{}");
    for (const ItemRecord &item : *items) // the run saw every one as the first class
        run.items.push_back({item.id, classes->at(0).id, QStringLiteral("train")});
    RunRepository runs(*m_project);
    const qint64 runId = runs.create(run);
    runs.recordSelection(runId, {0, 0, {(*items)[0].id, (*items)[3].id}, {0.5f, 2.0f}});
    runs.recordSelection(runId, {1, 1, {(*items)[1].id}, {1.0f}});

    const QString first = m_dir->filePath(QStringLiteral("round0"));
    QCOMPARE(exportTo(ExportFormat::Csv, first, SubsetRef{runId, 0}).written, qint64(2));
    QFile csv(first + QStringLiteral("/labels.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0], QStringLiteral("path,label,split,confidence,weight"));
    QVERIFY(lines[1].startsWith(u'"' + (*items)[0].path + u'"') ||
            lines[1].startsWith((*items)[0].path));
    QVERIFY(lines[1].endsWith(QStringLiteral(",T-shirt/top,train,1.000000,0.5")) ||
            lines[1].endsWith(QStringLiteral(",T-shirt/top,train,,0.5")));
    QVERIFY(lines[2].endsWith(QStringLiteral(",2")));

    const QString last = m_dir->filePath(QStringLiteral("last"));
    const auto tree = exportTo(ExportFormat::ImageFolder, last, SubsetRef{runId, -1});
    QCOMPARE(tree.written, qint64(1));
    QCOMPARE(filesUnder(last), QStringList{QStringLiteral("train/T-shirt%2Ftop/") +
                                           QFileInfo((*items)[1].path).fileName()});

    DatasetExportOptions missing;
    missing.folder = m_dir->filePath(QStringLiteral("none"));
    missing.subset = SubsetRef{runId, 5};
    const auto refused = exportDataset(*m_project, missing);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QStringLiteral("no selection round 5")),
             qPrintable(refused.error().message));
    QVERIFY(filesUnder(missing.folder).isEmpty());
}

void ExportTest::refusesAFolderThatHoldsFilesAndLeavesItAlone() {
    const QString folder = m_dir->filePath(QStringLiteral("busy"));
    QVERIFY(test::writeFile(folder + QStringLiteral("/notes.txt"), "mine"));
    DatasetExportOptions options;
    options.folder = folder;
    const auto refused = exportDataset(*m_project, options);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QStringLiteral("notes.txt")),
             qPrintable(refused.error().message));
    QCOMPARE(filesUnder(folder), QStringList{QStringLiteral("notes.txt")});
    options.folder.clear();
    QVERIFY(!exportDataset(*m_project, options).ok());
}

void ExportTest::cancelledExportLeavesTheFolderEmpty() {
    CancelToken cancel;
    cancel.cancel();
    DatasetExportOptions options;
    options.folder = m_dir->filePath(QStringLiteral("cancelled"));
    const auto summary = exportDataset(*m_project, options, {}, &cancel);
    QVERIFY(summary.ok());
    QVERIFY(summary->cancelled);
    QCOMPARE(QDir(options.folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{});
}

int main(int argc, char **argv) {
    ExportTest test;
    return test::runOnBothBackends(test, argc, argv);
}
#include "export_test.moc"
