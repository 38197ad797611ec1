#include "core/store/project.h"
#include "core/train/runs.h"
#include "tests/testsupport.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run cli(const QStringList &args) {
    QProcess process;
    process.start(QStringLiteral(WINNOW_CLI), args);
    process.waitForFinished(60000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class CliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void usageErrorsExitWithTwo_data();
    void usageErrorsExitWithTwo();
    void failuresExitWithOneAndNameTheFile();
    void initImportInfoRoundTrip();
    void consolidatesAnswerFilesWithoutAProject_data();
    void consolidatesAnswerFilesWithoutAProject();
    void consolidatesAProject();
    void dedupWritesClustersOfAFolder();
    void trainsSweepsAndListsRuns();
    void everyCommandAnswersHelp_data();
    void everyCommandAnswersHelp();
};

void CliTest::usageErrorsExitWithTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("init without dir") << QStringList{QStringLiteral("init")};
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("info"), QStringLiteral("x"), QStringLiteral("--bogus")};
    QTest::newRow("import without source")
        << QStringList{QStringLiteral("import"), QStringLiteral("x")};
    QTest::newRow("bad split") << QStringList{QStringLiteral("import"),   QStringLiteral("x"),
                                              QStringLiteral("--images"), QStringLiteral("y"),
                                              QStringLiteral("--split"),  QStringLiteral("dev")};
    QTest::newRow("bad strategy") << QStringList{QStringLiteral("train"), QStringLiteral("x"),
                                                 QStringLiteral("--strategy"),
                                                 QStringLiteral("best")};
    QTest::newRow("fraction above one") << QStringList{
        QStringLiteral("train"),  QStringLiteral("x"),          QStringLiteral("--strategy"),
        QStringLiteral("random"), QStringLiteral("--fraction"), QStringLiteral("1.5")};
    QTest::newRow("sweep with full")
        << QStringList{QStringLiteral("sweep"), QStringLiteral("x"), QStringLiteral("--strategies"),
                       QStringLiteral("full")};
    QTest::newRow("runs sorted by nonsense")
        << QStringList{QStringLiteral("runs"), QStringLiteral("x"), QStringLiteral("--sort"),
                       QStringLiteral("vibes")};
    QTest::newRow("export to nowhere")
        << QStringList{QStringLiteral("export"), QStringLiteral("x")};
    QTest::newRow("export as pickle") << QStringList{
        QStringLiteral("export"), QStringLiteral("x"),     QStringLiteral("--format"),
        QStringLiteral("pickle"), QStringLiteral("--out"), QStringLiteral("y")};
    QTest::newRow("export a subset of nothing") << QStringList{
        QStringLiteral("export"), QStringLiteral("x"),        QStringLiteral("--out"),
        QStringLiteral("y"),      QStringLiteral("--subset"), QStringLiteral("a:b")};
    QTest::newRow("idx without labels")
        << QStringList{QStringLiteral("import"), QStringLiteral("x"), QStringLiteral("--idx"),
                       QStringLiteral("y")};
}

void CliTest::usageErrorsExitWithTwo() {
    QFETCH(QStringList, args);
    const Run run = cli(args);
    QCOMPARE(run.code, 2);
    QVERIFY(run.err.contains(QStringLiteral("usage")));
}

void CliTest::failuresExitWithOneAndNameTheFile() {
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const Run info = cli({QStringLiteral("info"), missing});
    QCOMPARE(info.code, 1);
    QVERIFY2(info.err.contains(missing), qPrintable(info.err));

    const QString project = dir.filePath(QStringLiteral("p"));
    QCOMPARE(cli({QStringLiteral("init"), project}).code, 0);
    const Run again = cli({QStringLiteral("init"), project});
    QCOMPARE(again.code, 1);
    QVERIFY(again.err.contains(QStringLiteral("already exists")));
    const Run noFolder =
        cli({QStringLiteral("import"), project, QStringLiteral("--images"), missing});
    QCOMPARE(noFolder.code, 1);
    QVERIFY(noFolder.err.contains(missing));
}

void CliTest::initImportInfoRoundTrip() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("imgs"));
    for (int i = 0; i < 6; ++i)
        QVERIFY(winnow::test::writeImage(
            QStringLiteral("%1/%2/%3.jpg")
                .arg(images, i < 4 ? QStringLiteral("cat") : QStringLiteral("dog"))
                .arg(i),
            24, 24, 3, i, ".jpg"));
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/cat/bad.jpg"), QByteArray()));
    const QString project = dir.filePath(QStringLiteral("p"));
    QCOMPARE(cli({QStringLiteral("init"), project}).code, 0);
    const Run import = cli({QStringLiteral("import"), project, QStringLiteral("--images"), images,
                            QStringLiteral("--labels-from-folders"), QStringLiteral("--split"),
                            QStringLiteral("train")});
    QCOMPARE(import.code, 0);
    QVERIFY2(import.out.contains(QStringLiteral("imported 6")), qPrintable(import.out));
    QVERIFY2(import.err.contains(QStringLiteral("bad.jpg: empty file")), qPrintable(import.err));
    const Run info = cli({QStringLiteral("info"), project});
    QCOMPARE(info.code, 0);
    QVERIFY(info.out.contains(QStringLiteral("items\t6")));
    QVERIFY(info.out.contains(QStringLiteral("  cat\t4")));
    QVERIFY(info.out.contains(QStringLiteral("  dog\t2")));
    QVERIFY(info.out.contains(QStringLiteral("  train\t6")));
    QVERIFY(info.out.contains(QStringLiteral("  folder\t6")));

    // Exported as an ImageFolder tree, named relative to the working directory.
    QProcess exporter;
    exporter.setWorkingDirectory(dir.path());
    exporter.start(QStringLiteral(WINNOW_CLI),
                   {QStringLiteral("export"), QStringLiteral("p"), QStringLiteral("--format"),
                    QStringLiteral("imagefolder"), QStringLiteral("--out"),
                    QStringLiteral("tree")});
    QVERIFY(exporter.waitForFinished(60000));
    QCOMPARE(exporter.exitCode(), 0);
    QVERIFY2(QString::fromUtf8(exporter.readAllStandardOutput())
                 .contains(QStringLiteral("exported 6 images (6 train)")),
             qPrintable(QString::fromUtf8(exporter.readAllStandardError())));
    QCOMPARE(QDir(dir.filePath(QStringLiteral("tree/train")))
                 .entryList(QDir::Dirs | QDir::NoDotAndDotDot),
             (QStringList{QStringLiteral("cat"), QStringLiteral("dog")}));
    const Run again = cli({QStringLiteral("export"), project, QStringLiteral("--out"),
                           dir.filePath(QStringLiteral("tree"))});
    QCOMPARE(again.code, 1);
    QVERIFY2(again.err.contains(QStringLiteral("already holds files")), qPrintable(again.err));
}

void CliTest::consolidatesAnswerFilesWithoutAProject_data() {
    QTest::addColumn<QString>("method");
    for (const char *m : {"majority", "dawid-skene", "ground-truth", "one-coin", "mace"})
        QTest::newRow(m) << QString::fromLatin1(m);
}

void CliTest::consolidatesAnswerFilesWithoutAProject() {
    QFETCH(QString, method);
    QTemporaryDir dir;
    const QString answers = dir.filePath(QStringLiteral("answers.csv"));
    QVERIFY(winnow::test::writeFile(answers, "item,worker,label\n"
                                             "zebra.jpg,w1,Cat\n"
                                             "apple.jpg,w1,Dog\n"
                                             "zebra.jpg,w2,Cat\n"
                                             "broken line\n"
                                             "\"a, quoted item\",w3,Bird\n"
                                             "apple.jpg,w2,Dog\n"
                                             "zebra.jpg,w3,Dog\n"
                                             "apple.jpg,,Dog\n"
                                             "apple.jpg,w3,Dog\n"));
    const QString out = dir.filePath(QStringLiteral("out.csv"));
    const QString annotators = dir.filePath(QStringLiteral("annotators.csv"));
    const Run run = cli({QStringLiteral("consolidate"), QStringLiteral("--answers"), answers,
                         QStringLiteral("--method"), method, QStringLiteral("--out"), out,
                         QStringLiteral("--annotators-out"), annotators});
    QCOMPARE(run.code, 0);
    // Bad rows are reported with their line numbers; the rest is used.
    QVERIFY2(run.err.contains(answers + QStringLiteral(":5: expected 3 fields")),
             qPrintable(run.err));
    QVERIFY2(run.err.contains(answers + QStringLiteral(":9: empty worker")), qPrintable(run.err));
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QStringLiteral("item,label,confidence,answers"));
    // One row per item, in the order items first appear.
    QVERIFY(lines[1].startsWith(QStringLiteral("zebra.jpg,Cat,")));
    QVERIFY(lines[1].endsWith(QStringLiteral(",3")));
    QVERIFY(lines[2].startsWith(QStringLiteral("apple.jpg,Dog,")));
    QVERIFY(lines[2].endsWith(QStringLiteral(",3")));
    QVERIFY(lines[3].startsWith(QStringLiteral("\"a, quoted item\",Bird,")));
    QVERIFY(lines[3].endsWith(QStringLiteral(",1")));
    const double zebra = lines[1].section(u',', 2, 2).toDouble();
    const double apple = lines[2].section(u',', 2, 2).toDouble();
    QVERIFY(zebra > 0.3 && zebra <= 1.0);
    QVERIFY(apple >= zebra); // unanimous beats two against one
    QFile workers(annotators);
    QVERIFY(workers.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(workers.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows[0], QStringLiteral("worker,answers,accuracy,agreement"));
    QVERIFY(rows[1].startsWith(QStringLiteral("w1,2,")));
    QVERIFY(rows[3].startsWith(QStringLiteral("w3,3,")));
}

void CliTest::consolidatesAProject() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("imgs"));
    for (int i = 0; i < 4; ++i)
        QVERIFY(
            winnow::test::writeImage(QStringLiteral("%1/%2.png").arg(images).arg(i), 8, 8, 3, i));
    const QString project = dir.filePath(QStringLiteral("p"));
    QCOMPARE(cli({QStringLiteral("init"), project}).code, 0);
    QCOMPARE(cli({QStringLiteral("import"), project, QStringLiteral("--images"), images}).code, 0);
    const QString answers = dir.filePath(QStringLiteral("a.csv"));
    QVERIFY(winnow::test::writeFile(
        answers, "0.png,a,cat\n0.png,b,cat\n1.png,a,dog\n1.png,b,dog\n2.png,a,cat\n2.png,b,dog\n"));
    QCOMPARE(cli({QStringLiteral("answers"), project, QStringLiteral("--import"), answers}).code,
             0);
    const Run run = cli({QStringLiteral("consolidate"), project, QStringLiteral("--method"),
                         QStringLiteral("dawid-skene")});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(QStringLiteral("3 items from 6 answers")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("until a consolidation is marked current")),
             qPrintable(run.out));
    const Run current = cli({QStringLiteral("consolidate"), project, QStringLiteral("--method"),
                             QStringLiteral("majority"), QStringLiteral("--make-current")});
    QCOMPARE(current.code, 0);
    QVERIFY2(
        current.out.contains(QStringLiteral("training now takes its labels from consolidation 2")),
        qPrintable(current.out));
    const Run other = cli({QStringLiteral("consolidate"), project, QStringLiteral("--method"),
                           QStringLiteral("one-coin")});
    QVERIFY2(
        other.out.contains(QStringLiteral("training still takes its labels from consolidation 2")),
        qPrintable(other.out));
    const Run bad = cli({QStringLiteral("consolidate"), project, QStringLiteral("--method"),
                         QStringLiteral("vibes")});
    QCOMPARE(bad.code, 2);
    QVERIFY(bad.err.contains(QStringLiteral("unknown method")));
}

void CliTest::dedupWritesClustersOfAFolder() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("pics"));
    const cv::Mat a = winnow::test::drawImage(64, 64, 3, 1),
                  b = winnow::test::drawImage(64, 64, 3, 9);
    cv::Mat brighter;
    a.convertTo(brighter, -1, 1.05, 0);
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/x/a.png"),
                                    winnow::test::encodeImage(a, ".png")));
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/y/a copy.jpg"),
                                    winnow::test::encodeImage(a, ".jpg")));
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/y/a bright.png"),
                                    winnow::test::encodeImage(brighter, ".png")));
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/b.png"),
                                    winnow::test::encodeImage(b, ".png")));
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/b-again.png"),
                                    winnow::test::encodeImage(b, ".png")));
    QVERIFY(winnow::test::writeFile(
        images + QStringLiteral("/alone.png"),
        winnow::test::encodeImage(winnow::test::drawImage(64, 64, 3, 30), ".png")));
    QVERIFY(
        winnow::test::writeFile(images + QStringLiteral("/notes.txt"), QByteArray("not an image")));
    const QString out = dir.filePath(QStringLiteral("clusters.csv"));
    const Run run = cli({QStringLiteral("dedup"), QStringLiteral("--images"), images,
                         QStringLiteral("--out"), out});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.err.contains(QStringLiteral("notes.txt")), qPrintable(run.err));
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    // Clusters are numbered from 1 in path order; only images with a duplicate are listed.
    QCOMPARE(lines, (QStringList{QStringLiteral("cluster,path"),
                                 QStringLiteral("1,%1/b-again.png").arg(images),
                                 QStringLiteral("1,%1/b.png").arg(images),
                                 QStringLiteral("2,%1/x/a.png").arg(images),
                                 QStringLiteral("2,%1/y/a bright.png").arg(images),
                                 QStringLiteral("2,%1/y/a copy.jpg").arg(images)}));
    const Run bad =
        cli({QStringLiteral("dedup"), QStringLiteral("--images"), images, QStringLiteral("--out"),
             out, QStringLiteral("--max-distance"), QStringLiteral("99")});
    QCOMPARE(bad.code, 2);

    // A folder named relative to the working directory finds the same clusters, named as given.
    QProcess relative;
    relative.setWorkingDirectory(dir.path());
    relative.start(QStringLiteral(WINNOW_CLI),
                   {QStringLiteral("dedup"), QStringLiteral("--images"), QStringLiteral("pics"),
                    QStringLiteral("--out"), QStringLiteral("relative.csv")});
    QVERIFY(relative.waitForFinished(60000));
    QCOMPARE(relative.exitCode(), 0);
    QFile relativeFile(dir.filePath(QStringLiteral("relative.csv")));
    QVERIFY(relativeFile.open(QIODevice::ReadOnly));
    const QString relativeText = QString::fromUtf8(relativeFile.readAll());
    QVERIFY2(relativeText.contains(QStringLiteral("2,pics/y/a copy.jpg\n")),
             qPrintable(relativeText));
    QCOMPARE(relativeText.count(u'\n'), lines.size());
}

void CliTest::everyCommandAnswersHelp_data() {
    QTest::addColumn<QString>("command");
    for (const char *command :
         {"init",      "import",      "export",       "info",  "demo",  "version",
          "answers",   "consolidate", "labels",       "dedup", "flags", "split",
          "train",     "sweep",       "runs",         "copy",  "team",  "export-model",
          "predict",   "metrics",     "describe-run", "cv",    "tune",  "label-errors",
          "autolabel", "queue",       "subset"})
        QTest::newRow(command) << QString::fromLatin1(command);
}

void CliTest::everyCommandAnswersHelp() {
    QFETCH(QString, command);
    const Run run = cli({command, QStringLiteral("--help")});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.startsWith(QStringLiteral("usage: winnow-cli ") + command),
             qPrintable(run.out));
    QVERIFY(run.err.isEmpty());
    // The main usage lists the command too.
    QVERIFY(cli({QStringLiteral("--help")}).out.contains(QStringLiteral("  ") + command));
}

QTEST_GUILESS_MAIN(CliTest)
#include "cli_test.moc"

void CliTest::trainsSweepsAndListsRuns() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("images")),
                  project = dir.filePath(QStringLiteral("p"));
    winnow::test::writeColourClasses(images, {QStringLiteral("red"), QStringLiteral("green")}, 30,
                                     5);
    QCOMPARE(cli({QStringLiteral("init"), project}).code, 0);
    // No labels yet: a clear failure, no run stored.
    QCOMPARE(cli({QStringLiteral("import"), project, QStringLiteral("--images"), images}).code, 0);
    const Run unlabelled =
        cli({QStringLiteral("train"), project, QStringLiteral("--epochs"), QStringLiteral("1")});
    QCOMPARE(unlabelled.code, 1);
    QVERIFY2(unlabelled.err.contains(QStringLiteral("training set is empty")),
             qPrintable(unlabelled.err));

    const QString labelled = dir.filePath(QStringLiteral("q"));
    QCOMPARE(cli({QStringLiteral("init"), labelled}).code, 0);
    QCOMPARE(cli({QStringLiteral("import"), labelled, QStringLiteral("--images"), images,
                  QStringLiteral("--labels-from-folders")})
                 .code,
             0);
    const Run train =
        cli({QStringLiteral("train"), labelled, QStringLiteral("--strategy"),
             QStringLiteral("random"), QStringLiteral("--fraction"), QStringLiteral("0.5"),
             QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--width"),
             QStringLiteral("8"), QStringLiteral("--json")});
    QVERIFY2(train.code == 0, qPrintable(train.err));
    const QStringList lines = train.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    int epochs = 0;
    for (const QString &line : lines)
        epochs += line.contains(QStringLiteral("\"epoch\":")) &&
                  line.contains(QStringLiteral("\"val_accuracy\":"));
    QCOMPARE(epochs, 2);

    const QString table = dir.filePath(QStringLiteral("table.txt"));
    const Run sweep = cli(
        {QStringLiteral("sweep"), labelled, QStringLiteral("--fractions"), QStringLiteral("0.3"),
         QStringLiteral("--strategies"), QStringLiteral("glister"), QStringLiteral("--epochs"),
         QStringLiteral("2"), QStringLiteral("--select-every"), QStringLiteral("1"),
         QStringLiteral("--width"), QStringLiteral("8"), QStringLiteral("--out"), table});
    QVERIFY2(sweep.code == 0, qPrintable(sweep.err));
    QVERIFY(sweep.out.contains(QStringLiteral("speed-up")));
    QFile written(table);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QVERIFY(written.readAll().contains("glister"));

    const Run csv = cli({QStringLiteral("runs"), labelled, QStringLiteral("--csv"),
                         QStringLiteral("--sort"), QStringLiteral("test_accuracy")});
    QCOMPARE(csv.code, 0);
    const QStringList rows = csv.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 4); // header, random, full, glister
    QVERIFY(rows[0].startsWith(QStringLiteral(
        "run,strategy,fraction,epochs,total_seconds,seconds_per_epoch,selection_seconds,"
        "best_val_accuracy,test_accuracy")));
    for (int i = 1; i < rows.size(); ++i) {
        const QStringList cells = rows[i].split(QLatin1Char(','));
        QCOMPARE(cells[3], QStringLiteral("2"));
        QCOMPARE(cells[9], QStringLiteral("finished"));
        const double best = cells[7].toDouble();
        QVERIFY(best >= 0 && best <= 1);
        QVERIFY(cells[20].toDouble() > 0);                      // processor seconds
        QCOMPARE(cells[22], QStringLiteral("reviews:answers")); // nothing consolidated
    }

    // subset writes what the database holds: the items a round kept, with their labels.
    const QString subsetFile = dir.filePath(QStringLiteral("subset.csv"));
    const Run subset =
        cli({QStringLiteral("subset"), labelled, QStringLiteral("--run"), QStringLiteral("3"),
             QStringLiteral("--round"), QStringLiteral("0"), QStringLiteral("--out"), subsetFile});
    QVERIFY2(subset.code == 0, qPrintable(subset.err));
    // Two epochs with R = 1: the random start is the run's only round, so it is the one counted.
    QVERIFY2(subset.out.contains(QStringLiteral("round 0 (epoch 1")), qPrintable(subset.out));
    {
        auto opened = winnow::core::Project::open(labelled);
        QVERIFY(opened.ok());
        const auto rounds = winnow::core::runSelections(**opened, 3);
        QVERIFY(rounds.ok() && rounds->size() == 1);
        std::vector<qint64> stored = rounds->at(0).itemIds, listed;
        QFile file(subsetFile);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList subsetRows =
            QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(subsetRows.value(0), QStringLiteral("item,path,label,round,times_chosen,flags"));
        for (const QString &row : subsetRows.mid(1)) {
            const QStringList cells = row.split(u',');
            listed.push_back(cells[0].toLongLong());
            QCOMPARE(cells[3], QStringLiteral("0"));
            QCOMPARE(cells[4], QStringLiteral("1"));
            QVERIFY2(cells[1].contains(QStringLiteral("/") + cells[2] + QStringLiteral("/")),
                     qPrintable(row)); // labels come from the folders
        }
        std::sort(stored.begin(), stored.end());
        std::sort(listed.begin(), listed.end());
        QCOMPARE(listed, stored);
    }
    QCOMPARE(
        cli({QStringLiteral("subset"), labelled, QStringLiteral("--run"), QStringLiteral("3"),
             QStringLiteral("--round"), QStringLiteral("9"), QStringLiteral("--out"), subsetFile})
            .code,
        1);

    // A label source that does not exist is refused before anything is stored.
    const QStringList oneEpoch = {QStringLiteral("--epochs"), QStringLiteral("1"),
                                  QStringLiteral("--width"), QStringLiteral("8")};
    const Run noSuch =
        cli(QStringList{QStringLiteral("train"), labelled, QStringLiteral("--labels"),
                        QStringLiteral("consolidation:7")} +
            oneEpoch);
    QCOMPARE(noSuch.code, 1);
    QVERIFY2(noSuch.err.contains(QStringLiteral("no consolidation 7")), qPrintable(noSuch.err));
    const Run noneCurrent =
        cli(QStringList{QStringLiteral("train"), labelled, QStringLiteral("--labels"),
                        QStringLiteral("consolidation:current")} +
            oneEpoch);
    QCOMPARE(noneCurrent.code, 1);
    QVERIFY2(noneCurrent.err.contains(QStringLiteral("no consolidation is marked current")),
             qPrintable(noneCurrent.err));

    // A copy of a training image in the test split is a leak: train refuses, naming the count,
    // until --allow-leaks.
    const QString copies = dir.filePath(QStringLiteral("copies/red"));
    QVERIFY(QDir().mkpath(copies));
    QVERIFY(QFile::copy(images + QStringLiteral("/red/0.png"), copies + QStringLiteral("/0.png")));
    QCOMPARE(cli({QStringLiteral("import"), labelled, QStringLiteral("--images"),
                  dir.filePath(QStringLiteral("copies")), QStringLiteral("--labels-from-folders"),
                  QStringLiteral("--split"), QStringLiteral("test")})
                 .code,
             0);
    // The originals have no split: they train, so their copy in test is a leak.
    QCOMPARE(cli({QStringLiteral("dedup"), labelled}).code, 0);
    const Run leaky = cli(QStringList{QStringLiteral("train"), labelled} + oneEpoch);
    QCOMPARE(leaky.code, 1);
    QVERIFY2(leaky.err.contains(QStringLiteral("unresolved leaks")) &&
                 leaky.err.contains(QStringLiteral("--allow-leaks")),
             qPrintable(leaky.err));
    const Run allowed =
        cli(QStringList{QStringLiteral("train"), labelled, QStringLiteral("--allow-leaks"),
                        QStringLiteral("--labels"), QStringLiteral("import")} +
            oneEpoch);
    QVERIFY2(allowed.code == 0, qPrintable(allowed.err));
    const QStringList last = cli({QStringLiteral("runs"), labelled, QStringLiteral("--csv")})
                                 .out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                                 .last()
                                 .split(QLatin1Char(','));
    QCOMPARE(last[22], QStringLiteral("import"));
    QCOMPARE(last[23], QStringLiteral("1")); // leaks allowed

    // The model leaves the project as TorchScript and labels every image from there.
    const QString model = dir.filePath(QStringLiteral("model.pt"));
    const Run exported = cli({QStringLiteral("export-model"), labelled, QStringLiteral("--run"),
                              last[0], QStringLiteral("--out"), model});
    QVERIFY2(exported.code == 0, qPrintable(exported.err));
    QVERIFY2(exported.out.contains(QStringLiteral("classes green, red")), qPrintable(exported.out));
    const Run predicted =
        cli({QStringLiteral("predict"), labelled, QStringLiteral("--model"), model});
    QVERIFY2(predicted.code == 0, qPrintable(predicted.err));
    const QStringList predictions = predicted.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(predictions.size(), 62); // header, 60 images and their copy
    QCOMPARE(predictions[0], QStringLiteral("item,path,predicted,confidence"));
    QCOMPARE(cli({QStringLiteral("predict"), labelled, QStringLiteral("--model"), images}).code, 1);

    // Experiments: the sweep made one of its own; a run is moved into another, tagged and
    // noted; runs sort by an aggregate of a per-epoch metric; a run's metrics come out as CSV.
    const QStringList sweepRuns = cli({QStringLiteral("runs"), labelled, QStringLiteral("--csv")})
                                      .out.split(u'\n', Qt::SkipEmptyParts)
                                      .filter(QStringLiteral(",sweep "));
    QCOMPARE(sweepRuns.size(), 2); // full and glister
    QCOMPARE(cli({QStringLiteral("describe-run"), labelled, QStringLiteral("--run"), last[0],
                  QStringLiteral("--experiment"), QStringLiteral("fine, tuned"),
                  QStringLiteral("--tags"), QStringLiteral("leaky,import"),
                  QStringLiteral("--note"), QStringLiteral("trained with the copy")})
                 .code,
             0);
    const Run experiment = cli({QStringLiteral("runs"), labelled, QStringLiteral("--experiment"),
                                QStringLiteral("fine, tuned"), QStringLiteral("--csv")});
    const QStringList inExperiment = experiment.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(inExperiment.size(), 2);
    QVERIFY2(inExperiment[1].contains(QStringLiteral(",\"fine, tuned\",leaky;import,")),
             qPrintable(inExperiment[1]));
    QCOMPARE(cli({QStringLiteral("runs"), labelled, QStringLiteral("--tag"),
                  QStringLiteral("leaky"), QStringLiteral("--csv")})
                 .out.count(u'\n'),
             2);
    const Run sorted = cli({QStringLiteral("runs"), labelled, QStringLiteral("--sort"),
                            QStringLiteral("val_accuracy.max"), QStringLiteral("--csv")});
    QCOMPARE(sorted.code, 0);
    double previous = 2;
    for (const QString &row : sorted.out.split(u'\n', Qt::SkipEmptyParts).mid(1)) {
        const double best = row.split(u',')[7].toDouble(); // best_val_accuracy = val_accuracy.max
        QVERIFY(best <= previous);
        previous = best;
    }
    QCOMPARE(cli({QStringLiteral("runs"), labelled, QStringLiteral("--sort"),
                  QStringLiteral("val_accuracy.median")})
                 .code,
             2);
    const Run metrics =
        cli({QStringLiteral("metrics"), labelled, QStringLiteral("--run"), last[0]});
    QCOMPARE(metrics.code, 0);
    const QStringList epochRows = metrics.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(epochRows.size(), 2); // header and its one epoch
    QVERIFY(epochRows[0].startsWith(QStringLiteral("epoch,train_loss,train_accuracy,val_loss")));
    QCOMPARE(
        cli({QStringLiteral("metrics"), labelled, QStringLiteral("--run"), QStringLiteral("99")})
            .code,
        1);

    // The model in the loop: cross-fitted label errors, stored and read again without training;
    // a run's predictions kept; automated labeling rounds listed; the queue ranked and restored.
    const Run errors =
        cli(QStringList{QStringLiteral("label-errors"), labelled, QStringLiteral("--folds"),
                        QStringLiteral("2"), QStringLiteral("--allow-leaks")} +
            oneEpoch);
    QVERIFY2(errors.code == 0, qPrintable(errors.err));
    QVERIFY(errors.out.startsWith(QStringLiteral("item,path,given,suggested,score\n")));
    QVERIFY2(errors.err.contains(QStringLiteral("likely label errors among 61 items")),
             qPrintable(errors.err));
    QVERIFY2(errors.err.contains(QStringLiteral("the noise model expects ")) &&
                 errors.err.contains(QStringLiteral(" labels held out to be wrong (")),
             qPrintable(errors.err));
    const Run again = cli({QStringLiteral("label-errors"), labelled,
                           QStringLiteral("--predictions"), QStringLiteral("latest")});
    QCOMPARE(again.code, 0);
    QCOMPARE(again.out, errors.out);
    QCOMPARE(cli({QStringLiteral("label-errors"), labelled, QStringLiteral("--predictions"),
                  QStringLiteral("x")})
                 .code,
             2);
    // The confident joint's count, one option away; a count it does not know is refused.
    const Run joint = cli({QStringLiteral("label-errors"), labelled,
                           QStringLiteral("--predictions"), QStringLiteral("latest"),
                           QStringLiteral("--count"), QStringLiteral("confident-joint")});
    QVERIFY2(joint.code == 0 && joint.out.startsWith(QStringLiteral("item,path,given")) &&
                 joint.err.contains(QStringLiteral("the confident joint expects ")),
             qPrintable(joint.err));
    const Run unknownCount =
        cli({QStringLiteral("label-errors"), labelled, QStringLiteral("--predictions"),
             QStringLiteral("latest"), QStringLiteral("--count"), QStringLiteral("all")});
    QVERIFY2(unknownCount.code == 2 && unknownCount.err.contains(QStringLiteral("noise-model")),
             qPrintable(unknownCount.err));
    const Run stored = cli({QStringLiteral("predict"), labelled, QStringLiteral("--run"), last[0]});
    QVERIFY2(stored.code == 0 && stored.err.contains(QStringLiteral("stored as prediction set")),
             qPrintable(stored.err));
    const Run labeling = cli({QStringLiteral("autolabel"), labelled, QStringLiteral("--run"),
                              last[0], QStringLiteral("--target-accuracy"), QStringLiteral("0.5"),
                              QStringLiteral("--apply")});
    // Every image has a label already: nothing to label, whether or not a threshold is found.
    QVERIFY2(labeling.out == QStringLiteral("item,path,label,confidence\n") ||
                 labeling.err.contains(QStringLiteral("no confidence threshold")),
             qPrintable(labeling.out + labeling.err));
    QVERIFY(cli({QStringLiteral("autolabel"), labelled, QStringLiteral("--rounds")})
                .out.startsWith(QStringLiteral("round,predictions,target")));
    QCOMPARE(cli({QStringLiteral("autolabel"), labelled, QStringLiteral("--revert"),
                  QStringLiteral("42")})
                 .code,
             1);
    const Run ranked = cli({QStringLiteral("queue"), labelled, QStringLiteral("--order"),
                            QStringLiteral("uncertainty")});
    QVERIFY2(ranked.code == 0 && ranked.out.contains(QStringLiteral("the 0 unlabeled items")),
             qPrintable(ranked.out + ranked.err));
    QCOMPARE(cli({QStringLiteral("queue"), labelled, QStringLiteral("--order"),
                  QStringLiteral("default")})
                 .code,
             0);
    QCOMPARE(cli({QStringLiteral("queue"), labelled, QStringLiteral("--order"),
                  QStringLiteral("sideways")})
                 .code,
             2);
}
