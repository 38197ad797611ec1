#include "core/consensus/consolidation.h"
#include "core/io/answerfiles.h"
#include "core/io/csvreader.h"
#include "core/io/folderimporter.h"
#include "core/io/labelexport.h"
#include "core/io/manifestreader.h"
#include "core/store/project.h"
#include "tests/testsupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;
using namespace winnow::core;

// Names are data: class, annotator and item names that look like SQL, paths, CSV or control
// text are stored, consolidated and exported exactly as given, on both backends, and never
// change a query.
class NamesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hostileNamesRoundTrip_data();
    void hostileNamesRoundTrip();
};

namespace {

QByteArray csvField(const QString &field) {
    return CsvReader::quote(field).toUtf8();
}

} // namespace

void NamesTest::hostileNamesRoundTrip_data() {
    // Answer files trim the spaces around a field, so these names have none at their ends.
    QTest::addColumn<QString>("name");     // class and annotator name
    QTest::addColumn<QString>("fileName"); // item file name (what a file system allows)
    QTest::newRow("quotes") << QStringLiteral("it's \"quoted\"")
                            << QStringLiteral("it's \"q\".png");
    QTest::newRow("sql") << QStringLiteral("x'); DROP TABLE answers; --")
                         << QStringLiteral("x'); DROP TABLE items; --.png");
    QTest::newRow("semicolons and commas")
        << QStringLiteral("a;b,c") << QStringLiteral("a;b,c.png");
    QTest::newRow("slashes and dots")
        << QStringLiteral("../../etc/passwd") << QStringLiteral("a..b.png");
    QTest::newRow("backslashes") << QStringLiteral("C:\\temp\\x") << QStringLiteral("a\\b.png");
    QTest::newRow("control characters")
        << QStringLiteral("tab\there\x01\x1b[31mred") << QStringLiteral("bell\x07.png");
    QTest::newRow("line breaks") << QStringLiteral("two\nlines\rthree")
                                 << QStringLiteral("n\nl.png");
    QTest::newRow("right-to-left mark")
        << QStringLiteral("\u202Egnp.exe") << QStringLiteral("\u202Egnp.exe.png");
    QTest::newRow("percent and placeholders")
        << QStringLiteral("%1 %s ?1 $1 :name") << QStringLiteral("%1 ?1 $1.png");
    QTest::newRow("non-BMP") << QStringLiteral("猫 🐈 é") << QStringLiteral("猫 🐈.png");
    QTest::newRow("100,000 characters")
        << QString(100000, u'n') << QStringLiteral("long %1.png").arg(QString(200, u'x'));
}

void NamesTest::hostileNamesRoundTrip() {
    QFETCH(QString, name);
    QFETCH(QString, fileName);
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("images"));
    QVERIFY(test::writeImage(folder + u'/' + fileName, 8, 8, 3, 1));
    QVERIFY(test::writeImage(folder + QStringLiteral("/plain.png"), 8, 8, 3, 2));
    auto project = test::createBackendProject(dir.filePath(QStringLiteral("p")));
    const auto imported = importImageFolder(*project, folder, {});
    QVERIFY2(imported.ok(), qPrintable(imported.errorMessage()));
    QCOMPARE(imported->imported, qint64(2));

    // The hostile name is both an annotator and a class; a second annotator agrees.
    const QString itemPath = QDir(folder).filePath(fileName);
    QByteArray csv("item,worker,label\n");
    for (const QString &worker : {name, QStringLiteral("plain worker")})
        csv += csvField(itemPath) + ',' + csvField(worker) + ',' + csvField(name) + '\n';
    csv += csvField(QDir(folder).filePath(QStringLiteral("plain.png"))) + ',' + csvField(name) +
           ",plain\n";
    const QString answers = dir.filePath(QStringLiteral("answers.csv"));
    QVERIFY(test::writeFile(answers, csv));
    const auto summary = importAnswersCsv(*project, answers);
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QVERIFY2(summary->issues.empty(),
             qPrintable(summary->issues.empty() ? QString() : summary->issues[0].reason));
    QCOMPARE(summary->imported, qint64(3));

    const auto classes = project->classes();
    QVERIFY(classes.ok());
    QVERIFY(std::any_of(classes->begin(), classes->end(),
                        [&](const ClassInfo &c) { return c.name == name; }));
    const auto annotators = project->annotators();
    QVERIFY(annotators.ok());
    QVERIFY(std::any_of(annotators->begin(), annotators->end(),
                        [&](const AnnotatorInfo &a) { return a.name == name; }));

    const auto consolidation =
        consolidateProject(*project, *makeConsensusMethod(QStringLiteral("dawid-skene")), {});
    QVERIFY2(consolidation.ok(), qPrintable(consolidation.errorMessage()));

    // Exports read back to the very same names.
    const QString labels = dir.filePath(QStringLiteral("labels.csv"));
    const auto rows =
        exportConsolidatedLabels(*project, consolidation->id, labels, LabelFormat::Csv);
    QVERIFY2(rows.ok(), qPrintable(rows.errorMessage()));
    QFile labelFile(labels);
    QVERIFY(labelFile.open(QIODevice::ReadOnly));
    CsvReader reader(labelFile.readAll());
    QStringList fields;
    QString error;
    bool found = false;
    while (reader.next(fields, error)) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
        if (fields.value(0).endsWith(fileName)) {
            QCOMPARE(fields.value(1), name);
            found = true;
        }
    }
    QVERIFY(found);

    const QString manifest = dir.filePath(QStringLiteral("labels.manifest"));
    QVERIFY(exportConsolidatedLabels(*project, consolidation->id, manifest,
                                     LabelFormat::GroundTruthManifest)
                .ok());
    QFile manifestFile(manifest);
    QVERIFY(manifestFile.open(QIODevice::ReadOnly));
    ManifestReader lines(manifestFile.readAll());
    ManifestLine line;
    found = false;
    while (lines.next(line)) {
        QVERIFY2(line.problem.isEmpty(), qPrintable(line.problem));
        if (line.source.endsWith(fileName)) {
            QCOMPARE(line.responses.at(0).second, name);
            found = true;
        }
    }
    QVERIFY(found);

    // Every answer out and into a fresh project: the same rows.
    const QString exported = dir.filePath(QStringLiteral("exported.csv"));
    QCOMPARE(*exportAnswersCsv(*project, exported), qint64(3));
    auto other = test::createBackendProject(dir.filePath(QStringLiteral("q")));
    QVERIFY(importImageFolder(*other, folder, {}).ok());
    const auto again = importAnswersCsv(*other, exported);
    QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
    QCOMPARE(again->imported, qint64(3));
    QVERIFY(again->issues.empty());
    QCOMPARE(other->summary()->answers, qint64(3));
    QCOMPARE(project->summary()->items, qint64(2)); // no query was changed by a name
}

int main(int argc, char **argv) {
    NamesTest test;
    return test::runOnBothBackends(test, argc, argv);
}
#include "names_test.moc"
