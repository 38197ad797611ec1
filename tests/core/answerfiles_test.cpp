#include "core/consensus/consolidation.h"
#include "core/io/answerfiles.h"
#include "core/io/folderimporter.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow::core;

namespace {

// A project with images a/cat/1.png, a/cat/2.png, a/dog/3.png and b/dog/3.png (the same file
// name under two import folders, so "dog/3.png" alone is ambiguous).
std::unique_ptr<Project> makeProject(QTemporaryDir &dir) {
    for (const char *name : {"a/cat/1.png", "a/cat/2.png", "a/dog/3.png", "b/dog/3.png"})
        winnow::test::writeImage(dir.filePath(QLatin1String(name)), 8, 8, 3,
                                 int(qHash(QLatin1String(name)) % 100));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    for (const char *folder : {"a", "b"}) {
        if (!importImageFolder(*project, dir.filePath(QLatin1String(folder)), {}).ok())
            qFatal("cannot import the fixture images");
    }
    return project;
}

QString writeText(QTemporaryDir &dir, const QString &name, const QByteArray &text) {
    const QString path = dir.filePath(name);
    winnow::test::writeFile(path, text);
    return path;
}

QStringList answerRows(Project &project) {
    QStringList rows;
    Statement query(
        databaseOf(project),
        "SELECT i.path, n.name, c.name FROM answers a JOIN items i ON i.id = a.item_id"
        " JOIN annotators n ON n.id = a.annotator_id JOIN classes c ON c.id = a.class_id"
        " WHERE a.revokes IS NULL ORDER BY a.id");
    while (query.step())
        rows << QStringLiteral("%1|%2|%3")
                    .arg(query.text(0).section(u'/', -3), query.text(1), query.text(2));
    return rows;
}

// Each reported issue, as "line: reason", starts with the expected text, in order.
void compareIssues(const AnswerImportSummary &summary, const QStringList &expected) {
    QCOMPARE(summary.issues.size(), size_t(expected.size()));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const LineIssue &issue = summary.issues[size_t(i)];
        const QString got = QStringLiteral("%1: %2").arg(issue.line).arg(issue.reason);
        QVERIFY2(got.startsWith(expected[i]),
                 qPrintable(got + QStringLiteral(" vs ") + expected[i]));
    }
}

} // namespace

class AnswerFilesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importsCsvRows_data();
    void importsCsvRows();
    void importsGroundTruthManifestLines_data();
    void importsGroundTruthManifestLines();
    void reimportAddsNothingTwice();
    void exportThenImportRoundTrips();
    void missingFileIsAnError();
    void cancelledImportStoresNothingMoreAndSaysSo();
    void importsAGroundTruthJobFolder();
};

void AnswerFilesTest::importsCsvRows_data() {
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("imported");
    QTest::addColumn<QStringList>("issues"); // "line: reason part"

    QTest::newRow("header and good rows")
        << QByteArray("item,worker,label\ncat/1.png,alice,cat\n1.png,bob,dog\r\n2.png,alice,cat\n")
        << 3 << QStringList{};
    QTest::newRow("no header") << QByteArray("cat/1.png,alice,cat\n") << 1 << QStringList{};
    QTest::newRow("quoted fields and BOM")
        << QByteArray(
               "\xEF\xBB\xBFitem,worker,label\n\"cat/2.png\",\"Smith, Jo\",\"big \"\"cat\"\"\"\n")
        << 1 << QStringList{};
    QTest::newRow("absolute and longer paths")
        << QByteArray("x/a/cat/1.png,w1,cat\n/elsewhere/a/dog/3.png,w1,dog\n") << 2
        << QStringList{};
    QTest::newRow("s3 uri") << QByteArray("s3://bucket/pets/cat/2.png,w2,cat\n") << 1
                            << QStringList{};
    QTest::newRow("blank lines are ignored")
        << QByteArray("\n1.png,w,cat\n\n") << 1 << QStringList{};
    QTest::newRow("malformed rows keep their line numbers")
        << QByteArray("item,worker,label\n"
                      "1.png,alice\n"           // line 2: two fields
                      "2.png,alice,cat,extra\n" // line 3: four fields
                      "nowhere.png,alice,cat\n" // line 4: unknown
                      "dog/3.png,alice,dog\n"   // line 5: ambiguous
                      ",alice,cat\n"            // line 6: empty item
                      "1.png,,cat\n"            // line 7: empty worker
                      "1.png,alice,\n"          // line 8: empty label
                      "a/dog/3.png,alice,dog\n" // line 9: good
                      "\"2.png,alice,cat\n")    // line 10: quote never closed
        << 1
        << QStringList{QStringLiteral("2: expected 3 fields"),
                       QStringLiteral("3: expected 3 fields"),
                       QStringLiteral("4: unknown item 'nowhere.png'"),
                       QStringLiteral("5: 'dog/3.png' names several items"),
                       QStringLiteral("6: empty item"),
                       QStringLiteral("7: empty worker"),
                       QStringLiteral("8: empty label"),
                       QStringLiteral("10: a quoted field is not closed")};
    QTest::newRow("CRLF line endings")
        << QByteArray("item,worker,label\r\ncat/1.png,alice,cat\r\n2.png,bob,dog\r\n") << 2
        << QStringList{};
    QTest::newRow("CR-only line endings")
        << QByteArray("item,worker,label\rcat/1.png,alice,cat\r2.png,bob,dog\rnope.png,w,cat\r")
        << 2 << QStringList{QStringLiteral("4: unknown item")};
    QTest::newRow("bytes no name can hold")
        << QByteArray("1.png,w\xFF\xFE,cat\n") +  // line 1: not UTF-8
               QByteArray("1.png,w,c\0t\n", 12) + // line 2: NUL
               QByteArray("1.png,w,\xC3\x28\n") + // line 3: broken sequence
               QByteArray("1.png,\"\xE2\x80\xAE"
                          "evil\",\"\x01\tc;'\"\"\"\n") + // line 4: good
               "2.png,w," +
               QByteArray(2 << 20, 'x') + "\n" // line 5: 2 MiB label
        << 1
        << QStringList{QStringLiteral("1: worker is not valid UTF-8"),
                       QStringLiteral("2: label holds a NUL byte"),
                       QStringLiteral("3: label is not valid UTF-8"),
                       QStringLiteral("5: label is longer than 1048576 bytes")};
    QTest::newRow("quoted line break counts lines")
        << QByteArray("\"1.png\",\"multi\nline\",cat\nnope.png,w,cat\n") << 1
        << QStringList{QStringLiteral("3: unknown item")};
}

void AnswerFilesTest::importsCsvRows() {
    QFETCH(QByteArray, csv);
    QFETCH(int, imported);
    QFETCH(QStringList, issues);
    QTemporaryDir dir;
    auto project = makeProject(dir);
    const auto summary =
        importAnswersCsv(*project, writeText(dir, QStringLiteral("answers.csv"), csv));
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    compareIssues(*summary, issues);
    QCOMPARE(summary->imported, qint64(imported));
    QCOMPARE(summary->rejected, qint64(issues.size()));
    QCOMPARE(project->summary()->answers, qint64(imported));
    for (const QString &row : answerRows(*project))
        QVERIFY2(!row.contains(u'\r'), qPrintable(row));
}

void AnswerFilesTest::importsGroundTruthManifestLines_data() {
    QTest::addColumn<QByteArray>("manifest");
    QTest::addColumn<QStringList>("answers"); // path tail|worker|label
    QTest::addColumn<QStringList>("issues");

    QTest::newRow("consolidated label, job as worker")
        << QByteArray(
               R"({"source-ref":"s3://b/data/cat/1.png","pets":0,"pets-metadata":{"class-name":"cat","confidence":0.93,"type":"groundtruth/image-classification","job-name":"labeling-job/pets","human-annotated":"yes","creation-date":"2026-01-01T00:00:00"}})"
               "\n")
        << QStringList{QStringLiteral("a/cat/1.png|labeling-job/pets|cat")} << QStringList{};
    QTest::newRow("worker responses")
        << QByteArray(
               R"({"source-ref":"s3://b/cat/2.png","animal":1,"animal-metadata":{"class-name":"dog","class-map":{"0":"cat","1":"dog"},"worker-responses":[{"workerId":"private.w1","label":0},{"workerId":"private.w2","class-name":"dog"}]}})"
               "\n")
        << QStringList{QStringLiteral("a/cat/2.png|private.w1|cat"),
                       QStringLiteral("a/cat/2.png|private.w2|dog")}
        << QStringList{};
    const QByteArray twoLines =
        R"({"source-ref":"s3://b/cat/1.png","pets":0,"pets-metadata":{"class-name":"cat"}})"
        "%1"
        R"({"source-ref":"s3://b/cat/2.png","pets":1,"pets-metadata":{"class-name":"dog"}})"
        "%1";
    const QStringList twoAnswers{QStringLiteral("a/cat/1.png|ground-truth|cat"),
                                 QStringLiteral("a/cat/2.png|ground-truth|dog")};
    QTest::newRow("byte-order mark")
        << "\xEF\xBB\xBF" + QByteArray(twoLines).replace("%1", "\n") << twoAnswers << QStringList{};
    QTest::newRow("CRLF line endings")
        << QByteArray(twoLines).replace("%1", "\r\n") << twoAnswers << QStringList{};
    QTest::newRow("CR-only line endings and a bad line")
        << QByteArray(twoLines).replace("%1", "\r") + "{broken\r" << twoAnswers
        << QStringList{QStringLiteral("3: not JSON")};
    QTest::newRow("malformed lines")
        << QByteArray(
               "{not json\n"
               "[1,2]\n"
               R"({"pets":0,"pets-metadata":{"class-name":"cat"}})"
               "\n"
               R"({"source-ref":"s3://b/cat/1.png","pets":0})"
               "\n"
               R"({"source-ref":"s3://b/cat/1.png","pets":0,"pets-metadata":{"confidence":1}})"
               "\n"
               R"({"source-ref":"s3://b/zebra/9.png","pets":0,"pets-metadata":{"class-name":"cat"}})"
               "\n"
               R"({"source-ref":"s3://b/cat/1.png","pets":0,"pets-metadata":{"class-name":"cat","worker-responses":[{"label":"cat"}]}})"
               "\n"
               "\n"
               R"({"source-ref":"s3://b/a/dog/3.png","pets":1,"pets-metadata":{"class-name":"dog"}})"
               "\n"
               R"({"source-ref":17,"pets":0,"pets-metadata":{"class-name":"cat"}})"
               "\n"
               R"({"source-ref":"s3://b/cat/1.png","pets":0,"pets-metadata":{"class-name":"c\u0000t"}})"
               "\n"
               R"({"source-ref":"s3://b/cat/1.png","p":0,"p-metadata":{"class-map":{"0":"cat"},"worker-responses":[{"workerId":"w","label":1e300}]}})"
               "\n"
               R"({"source-ref":"s3://b/cat/1.png","p":0,"p-metadata":{"class-name":["cat"]}})"
               "\n" +
               QByteArray(5000, '[') + "\n")
        << QStringList{QStringLiteral("a/dog/3.png|ground-truth|dog")}
        << QStringList{QStringLiteral("1: not JSON"),
                       QStringLiteral("2: not a JSON object"),
                       QStringLiteral("3: no \"source-ref\""),
                       QStringLiteral("4: no label attribute"),
                       QStringLiteral("5: \"pets-metadata\" has no \"class-name\""),
                       QStringLiteral("6: unknown item"),
                       QStringLiteral("7: a worker response lacks"),
                       QStringLiteral("10: \"source-ref\" is not a non-empty string"),
                       QStringLiteral("11: a label holds a NUL character"),
                       QStringLiteral("12: a worker response lacks"),
                       QStringLiteral("13: \"p-metadata\" has no \"class-name\""),
                       QStringLiteral("14: not JSON")};
}

void AnswerFilesTest::importsGroundTruthManifestLines() {
    QFETCH(QByteArray, manifest);
    QFETCH(QStringList, answers);
    QFETCH(QStringList, issues);
    QTemporaryDir dir;
    auto project = makeProject(dir);
    const auto summary =
        importAnswers(*project, writeText(dir, QStringLiteral("output.manifest"), manifest));
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QCOMPARE(answerRows(*project), answers);
    compareIssues(*summary, issues);
}

void AnswerFilesTest::reimportAddsNothingTwice() {
    QTemporaryDir dir;
    auto project = makeProject(dir);
    const QString file = writeText(dir, QStringLiteral("a.csv"),
                                   "1.png,alice,cat\n2.png,alice,cat\n2.png,alice,cat\n");
    const auto first = importAnswersCsv(*project, file);
    QCOMPARE(first->imported, qint64(2));
    QCOMPARE(first->duplicates, qint64(1));
    const auto second = importAnswersCsv(*project, file);
    QCOMPARE(second->imported, qint64(0));
    QCOMPARE(second->duplicates, qint64(3));
    QCOMPARE(project->summary()->answers, qint64(2));
}

void AnswerFilesTest::exportThenImportRoundTrips() {
    QTemporaryDir dir;
    auto project = makeProject(dir);
    QVERIFY(importAnswersCsv(
                *project,
                writeText(dir, QStringLiteral("a.csv"),
                          "1.png,\"Smith, "
                          "Jo\",cat\n2.png,bob,cat\na/dog/3.png,bob,dog\nb/dog/3.png,bob,dog\n"))
                .ok());
    const QString exported = dir.filePath(QStringLiteral("out.csv"));
    const auto rows = exportAnswersCsv(*project, exported);
    QVERIFY(rows.ok());
    QCOMPARE(*rows, qint64(4));
    QFile file(exported);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.startsWith("item,worker,label\n"));
    QVERIFY(text.contains("cat/1.png,\"Smith, Jo\",cat\n"));

    // Into a second project over the same folders: the same answers, item for item.
    QTemporaryDir other;
    auto copy = winnow::test::createProject(other.filePath(QStringLiteral("p")));
    QVERIFY(importImageFolder(*copy, dir.filePath(QStringLiteral("a")), {}).ok());
    QVERIFY(importImageFolder(*copy, dir.filePath(QStringLiteral("b")), {}).ok());
    const auto summary = importAnswersCsv(*copy, exported);
    QVERIFY(summary.ok());
    QCOMPARE(summary->rejected, qint64(0));
    QCOMPARE(answerRows(*copy), answerRows(*project));
}

void AnswerFilesTest::missingFileIsAnError() {
    QTemporaryDir dir;
    auto project = makeProject(dir);
    const auto summary = importAnswers(*project, dir.filePath(QStringLiteral("none.csv")));
    QVERIFY(!summary.ok());
    QVERIFY(summary.errorMessage().contains(QStringLiteral("none.csv")));
}

void AnswerFilesTest::cancelledImportStoresNothingMoreAndSaysSo() {
    QTemporaryDir dir;
    auto project = makeProject(dir);
    CancelToken cancel;
    cancel.cancel();
    const auto summary = importAnswers(
        *project, writeText(dir, QStringLiteral("a.csv"), "1.png,w,cat\n2.png,w,dog\n"), {},
        &cancel);
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QVERIFY(summary->cancelled);
    QCOMPARE(summary->imported, qint64(0));
    QCOMPARE(summary->duplicates, qint64(0));
    QCOMPARE(project->summary()->answers, qint64(0));
}

// A labeling job's output folder as Ground Truth lays it out: the output manifest (data object
// ids are its lines) and one worker-response file per data object and iteration.
void AnswerFilesTest::importsAGroundTruthJobFolder() {
    QTemporaryDir dir;
    auto project = makeProject(dir);
    const QString job = dir.filePath(QStringLiteral("pets-job"));
    const auto line = [](const char *path, const char *label, double confidence) {
        const QJsonObject metadata{
            {QStringLiteral("class-name"), QLatin1String(label)},
            {QStringLiteral("confidence"), confidence},
            {QStringLiteral("type"), QStringLiteral("groundtruth/image-classification")},
            {QStringLiteral("job-name"), QStringLiteral("labeling-job/pets")},
            {QStringLiteral("human-annotated"), QStringLiteral("yes")}};
        const QJsonObject object{
            {QStringLiteral("source-ref"), QStringLiteral("s3://b/") + QLatin1String(path)},
            {QStringLiteral("animal"), 0},
            {QStringLiteral("animal-metadata"), metadata}};
        return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    };
    QVERIFY(winnow::test::writeFile(job + QStringLiteral("/manifests/output/output.manifest"),
                                    line("a/cat/1.png", "cat", 0.91) +
                                        line("a/cat/2.png", "dog", 0.55) +
                                        line("zebra/9.png", "cat", 0.99)));
    const auto response = [](std::initializer_list<std::pair<const char *, const char *>> given) {
        QJsonArray answers;
        for (const auto &[worker, label] : given)
            answers.append(QJsonObject{
                {QStringLiteral("answerContent"),
                 QJsonObject{{QStringLiteral("crowd-image-classifier"),
                              QJsonObject{{QStringLiteral("label"), QLatin1String(label)}}}}},
                {QStringLiteral("workerId"), QLatin1String(worker)},
                {QStringLiteral("timeSpentInSeconds"), 3.1}});
        return QJsonDocument(QJsonObject{{QStringLiteral("answers"), answers}}).toJson();
    };
    const QString responses = job + QStringLiteral("/annotations/worker-response/iteration-1/");
    QVERIFY(winnow::test::writeFile(
        responses + QStringLiteral("0/2026-11-30_10:00:00.json"),
        response({{"private.w1", "cat"}, {"private.w2", "cat"}, {"private.w3", "dog"}})));
    QVERIFY(winnow::test::writeFile(responses + QStringLiteral("1/2026-11-30_10:01:00.json"),
                                    response({{"private.w1", "dog"}, {"private.w2", "cat"}})));
    QVERIFY(winnow::test::writeFile(responses + QStringLiteral("1/broken.json"), "{not json"));
    QVERIFY(winnow::test::writeFile(responses + QStringLiteral("2/x.json"),
                                    response({{"private.w1", "cat"}})));
    QVERIFY(winnow::test::writeFile(responses + QStringLiteral("7/x.json"),
                                    response({{"private.w1", "cat"}})));

    const auto summary = importGroundTruthJob(*project, job);
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QCOMPARE(summary->job, QStringLiteral("labeling-job/pets"));
    QCOMPARE(summary->imported, qint64(5));
    QStringList reasons;
    for (const LineIssue &issue : summary->issues)
        reasons << issue.reason;
    QCOMPARE(reasons.size(), 4);
    QVERIFY2(reasons.filter(QStringLiteral("unknown item 's3://b/zebra/9.png'")).size() == 1,
             qPrintable(reasons.join(u'|')));
    QVERIFY(reasons.filter(QStringLiteral("broken.json: not JSON")).size() == 1);
    QVERIFY(reasons
                .filter(QStringLiteral("2/x.json: its data object (manifest line 3) is not in "
                                       "the project"))
                .size() == 1);
    QVERIFY(reasons.filter(QStringLiteral("7/x.json: data object 7 is not a line")).size() == 1);
    QCOMPARE(answerRows(*project), (QStringList{QStringLiteral("a/cat/1.png|private.w1|cat"),
                                                QStringLiteral("a/cat/1.png|private.w2|cat"),
                                                QStringLiteral("a/cat/1.png|private.w3|dog"),
                                                QStringLiteral("a/cat/2.png|private.w1|dog"),
                                                QStringLiteral("a/cat/2.png|private.w2|cat")}));

    // The job's own consolidation is kept, not made current.
    QCOMPARE(summary->consolidated, qint64(2));
    const auto consolidations = listConsolidations(*project);
    QVERIFY(consolidations.ok());
    QCOMPARE(consolidations->size(), size_t(1));
    QCOMPARE(consolidations->front().method, QStringLiteral("ground-truth-job"));
    QCOMPARE(consolidations->front().id, summary->consolidationId);
    QCOMPARE(*currentConsolidationId(*project), qint64(0));
    Statement labels(databaseOf(*project),
                     "SELECT i.path, c.name, l.confidence, l.answers FROM consolidated_labels l"
                     " JOIN items i ON i.id = l.item_id JOIN classes c ON c.id = l.class_id"
                     " ORDER BY i.path");
    QStringList rows;
    while (labels.step())
        rows << QStringLiteral("%1|%2|%3|%4")
                    .arg(labels.text(0).section(u'/', -3), labels.text(1))
                    .arg(labels.real(2))
                    .arg(labels.int64(3));
    QCOMPARE(rows, (QStringList{QStringLiteral("a/cat/1.png|cat|0.91|3"),
                                QStringLiteral("a/cat/2.png|dog|0.55|2")}));

    // Again: nothing twice.
    const auto again = importGroundTruthJob(*project, job);
    QVERIFY(again.ok());
    QCOMPARE(again->imported, qint64(0));
    QCOMPARE(again->duplicates, qint64(5));
    QVERIFY(!importGroundTruthJob(*project, dir.filePath(QStringLiteral("nowhere"))).ok());
}

QTEST_APPLESS_MAIN(AnswerFilesTest)
#include "answerfiles_test.moc"
