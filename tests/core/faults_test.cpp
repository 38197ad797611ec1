#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace winnow::core;

// Processes killed with SIGKILL at random moments (import, consolidation, training) and two
// processes writing one project at once: the project always opens, passes SQLite's integrity
// check, and keeps everything that was committed before the kill.
class FaultsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void importKilledAtAnyMomentLosesNothing();
    void consolidationKilledLeavesWholeResultsOnly();
    void trainingKilledResumesFromItsLastCheckpoint();
    void twoImportsIntoOneProjectAtOnce();
};

namespace {

QProcess *startCli(const QStringList &args, QObject *parent) {
    auto *process = new QProcess(parent);
    process->start(QStringLiteral(WINNOW_CLI), args);
    if (!process->waitForStarted())
        qFatal("cannot start winnow-cli");
    return process;
}

int runCli(const QStringList &args, QByteArray *out = nullptr) {
    QProcess process;
    process.start(QStringLiteral(WINNOW_CLI), args);
    if (!process.waitForFinished(300000))
        return -1;
    if (out)
        *out = process.readAllStandardOutput();
    if (process.exitCode() != 0)
        qWarning("%s", process.readAllStandardError().constData());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

qint64 scalar(Project &project, const char *sql) {
    Statement query(databaseOf(project), sql);
    query.step();
    return query.int64(0);
}

// Opens the project for writing (recovering its write-ahead log) and checks it whole.
std::unique_ptr<Project> openChecked(const QString &dir) {
    auto project = Project::open(dir);
    if (!project)
        qFatal("a killed process left a project that does not open: %s",
               qPrintable(project.errorMessage()));
    Statement check(databaseOf(**project), "PRAGMA integrity_check");
    check.step();
    if (check.text(0) != QLatin1String("ok"))
        qFatal("integrity check: %s", qPrintable(check.text(0)));
    return std::move(project).value();
}

void writeImages(const QString &folder, int count, int seed) {
    for (int i = 0; i < count; ++i)
        winnow::test::writeImage(QStringLiteral("%1/%2.png").arg(folder).arg(i), 48, 48, 3,
                                 seed * 100000 + i);
}

} // namespace

void FaultsTest::importKilledAtAnyMomentLosesNothing() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("images"));
    const QString project = dir.filePath(QStringLiteral("p"));
    constexpr int kImages = 1500;
    writeImages(images, kImages, 1);
    QCOMPARE(runCli({QStringLiteral("init"), project}), 0);
    QRandomGenerator random(11);
    qint64 stored = 0;
    for (int round = 0; round < 6; ++round) {
        QProcess *import =
            startCli({QStringLiteral("import"), project, QStringLiteral("--images"), images}, this);
        QTest::qWait(int(random.bounded(30, 700)));
        winnow::test::killHard(*import);
        auto opened = openChecked(project);
        const qint64 now = scalar(*opened, "SELECT COUNT(*) FROM items");
        QVERIFY2(now >= stored, "items stored before a kill are still there");
        QVERIFY(now <= kImages);
        stored = now;
    }
    QByteArray out;
    QCOMPARE(runCli({QStringLiteral("import"), project, QStringLiteral("--images"), images}, &out),
             0);
    QVERIFY2(out.contains(QStringLiteral("already present %1").arg(stored).toUtf8()),
             out.constData());
    auto finished = openChecked(project);
    QCOMPARE(scalar(*finished, "SELECT COUNT(*) FROM items"), qint64(kImages));
    QCOMPARE(scalar(*finished, "SELECT COUNT(DISTINCT content_hash) FROM items"), qint64(kImages));
}

void FaultsTest::consolidationKilledLeavesWholeResultsOnly() {
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("p"));
    {
        auto created = winnow::test::createProject(project);
        const qint64 batch =
            *created->createBatch(QStringLiteral("folder"), QStringLiteral("/data"), std::nullopt);
        std::vector<NewItem> items(20000);
        for (size_t i = 0; i < items.size(); ++i) {
            items[i].path = QStringLiteral("/data/%1.png").arg(i);
            items[i].contentHash = QByteArray::number(qint64(i));
            items[i].width = items[i].height = 8;
            items[i].channels = 1;
        }
        QVERIFY(created->addItems(batch, std::nullopt, items, 0).ok());
    }
    // Three annotators per item, mostly agreeing.
    QByteArray csv("item,worker,label\n");
    QRandomGenerator random(5);
    for (int i = 0; i < 20000; ++i)
        for (int w = 0; w < 3; ++w)
            csv += QStringLiteral("/data/%1.png,w%2,c%3\n")
                       .arg(i)
                       .arg(w)
                       .arg(random.bounded(10) < 8 ? i % 4 : int(random.bounded(4)))
                       .toUtf8();
    const QString answers = dir.filePath(QStringLiteral("answers.csv"));
    QVERIFY(winnow::test::writeFile(answers, csv));
    QCOMPARE(runCli({QStringLiteral("answers"), project, QStringLiteral("--import"), answers}), 0);

    for (int round = 0; round < 6; ++round) {
        QProcess *consolidate =
            startCli({QStringLiteral("consolidate"), project, QStringLiteral("--method"),
                      QStringLiteral("dawid-skene")},
                     this);
        QTest::qWait(int(random.bounded(50, 1500)));
        winnow::test::killHard(*consolidate);
        auto opened = openChecked(project);
        // A consolidation is there with every item's label, or not at all.
        Statement partial(databaseOf(*opened),
                          "SELECT c.id, c.items, COUNT(l.item_id) FROM consolidations c"
                          " LEFT JOIN consolidated_labels l ON l.consolidation_id = c.id"
                          " GROUP BY c.id, c.items");
        while (partial.step())
            QCOMPARE(partial.int64(2), partial.int64(1));
    }
    QCOMPARE(runCli({QStringLiteral("consolidate"), project}), 0);
    openChecked(project);
}

void FaultsTest::trainingKilledResumesFromItsLastCheckpoint() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("images"));
    const QString project = dir.filePath(QStringLiteral("p"));
    winnow::test::writeColourClasses(images, {QStringLiteral("red"), QStringLiteral("green")}, 40,
                                     3);
    QCOMPARE(runCli({QStringLiteral("init"), project}), 0);
    QCOMPARE(runCli({QStringLiteral("import"), project, QStringLiteral("--images"), images,
                     QStringLiteral("--labels-from-folders")}),
             0);
    QProcess *train =
        startCli({QStringLiteral("train"), project, QStringLiteral("--epochs"),
                  QStringLiteral("30"), QStringLiteral("--width"), QStringLiteral("4"),
                  QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--json")},
                 this);
    // Kill it right after it reports its second epoch saved.
    qint64 run = 0;
    int reportedEpochs = 0;
    QByteArray pending;
    while (reportedEpochs < 2 && train->state() == QProcess::Running) {
        train->waitForReadyRead(60000);
        pending += train->readAllStandardOutput();
        while (pending.contains('\n')) {
            const qsizetype end = pending.indexOf('\n');
            const QJsonObject line = QJsonDocument::fromJson(pending.left(end)).object();
            pending.remove(0, end + 1);
            if (line.contains(QLatin1String("run")) && line.contains(QLatin1String("start_epoch")))
                run = line.value(QLatin1String("run")).toInteger();
            if (line.contains(QLatin1String("epoch")) &&
                line.contains(QLatin1String("val_accuracy")))
                ++reportedEpochs;
        }
    }
    QCOMPARE(reportedEpochs, 2);
    QVERIFY(run > 0);
    winnow::test::killHard(*train);
    openChecked(project);

    QByteArray out;
    QCOMPARE(
        runCli({QStringLiteral("train"), project, QStringLiteral("--resume"), QString::number(run),
                QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--json")},
               &out),
        0);
    const QJsonObject started = QJsonDocument::fromJson(out.left(out.indexOf('\n'))).object();
    QVERIFY2(started.value(QLatin1String("start_epoch")).toInt() >= 2, out.left(200).constData());
    auto finished = openChecked(project);
    Statement epochs(databaseOf(*finished), "SELECT COUNT(*) FROM run_epochs WHERE run_id = ?");
    epochs.bind(1, run);
    epochs.step();
    QCOMPARE(epochs.int64(0), qint64(30));
}

void FaultsTest::twoImportsIntoOneProjectAtOnce() {
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("p"));
    writeImages(dir.filePath(QStringLiteral("a")), 600, 2);
    writeImages(dir.filePath(QStringLiteral("b")), 600, 3);
    QCOMPARE(runCli({QStringLiteral("init"), project}), 0);
    QProcess *first = startCli({QStringLiteral("import"), project, QStringLiteral("--images"),
                                dir.filePath(QStringLiteral("a"))},
                               this);
    QProcess *second = startCli({QStringLiteral("import"), project, QStringLiteral("--images"),
                                 dir.filePath(QStringLiteral("b"))},
                                this);
    for (QProcess *process : {first, second}) {
        QVERIFY(process->waitForFinished(120000));
        QVERIFY2(process->exitCode() == 0, process->readAllStandardError().constData());
    }
    auto opened = openChecked(project);
    QCOMPARE(scalar(*opened, "SELECT COUNT(*) FROM items"), qint64(1200));
    QCOMPARE(scalar(*opened, "SELECT COUNT(*) FROM import_batches"), qint64(2));
}

QTEST_GUILESS_MAIN(FaultsTest)
#include "faults_test.moc"
