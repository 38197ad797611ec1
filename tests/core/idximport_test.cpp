#include "core/io/idximporter.h"
#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "tests/testsupport.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <zlib.h>

using namespace winnow::core;

namespace {

void appendBigEndian(QByteArray &bytes, quint32 value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        bytes.append(char((value >> shift) & 0xFF));
}

QByteArray idxImages(int count, int rows, int cols) {
    QByteArray bytes("\x00\x00\x08\x03", 4);
    appendBigEndian(bytes, quint32(count));
    appendBigEndian(bytes, quint32(rows));
    appendBigEndian(bytes, quint32(cols));
    for (int i = 0; i < count; ++i)
        for (int p = 0; p < rows * cols; ++p)
            bytes.append(char((p * 3 + i * 17) % 256));
    return bytes;
}

QByteArray idxLabels(int count, int classes) {
    QByteArray bytes("\x00\x00\x08\x01", 4);
    appendBigEndian(bytes, quint32(count));
    for (int i = 0; i < count; ++i)
        bytes.append(char(i % classes));
    return bytes;
}

bool writeGzip(const QString &path, const QByteArray &bytes) {
    gzFile file = gzopen(QFile::encodeName(path).constData(), "wb");
    if (!file)
        return false;
    const int written = gzwrite(file, bytes.constData(), unsigned(bytes.size()));
    gzclose(file);
    return written == bytes.size();
}

} // namespace

class IdxImportTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importsRawAndGzip_data();
    void importsRawAndGzip();
    void reimportAddsNothingTwice();
    void limitImportsTheFirstImages();
    void labelsCanBeAHiddenReference();
    void rejectsBadFiles_data();
    void rejectsBadFiles();
    void reportsTruncatedData();
    void headerPromisingBillionsCostsNothing();
};

void IdxImportTest::importsRawAndGzip_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void IdxImportTest::importsRawAndGzip() {
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    const QString images = dir.filePath(gzip ? QStringLiteral("imgs-idx3-ubyte.gz")
                                             : QStringLiteral("imgs-idx3-ubyte"));
    const QString labels = dir.filePath(gzip ? QStringLiteral("lbls-idx1-ubyte.gz")
                                             : QStringLiteral("lbls-idx1-ubyte"));
    if (gzip) {
        QVERIFY(writeGzip(images, idxImages(30, 28, 28)));
        QVERIFY(writeGzip(labels, idxLabels(30, 3)));
    } else {
        QVERIFY(winnow::test::writeFile(images, idxImages(30, 28, 28)));
        QVERIFY(winnow::test::writeFile(labels, idxLabels(30, 3)));
    }
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    IdxOptions options;
    options.split = Split::Train;
    options.classNames = {QStringLiteral("zero"), QStringLiteral("one"), QStringLiteral("two")};
    const auto summary = importIdx(*project, images, labels, options);
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QCOMPARE(summary->imported, qint64(30));
    QCOMPARE(summary->skipped, qint64(0));

    const auto items = project->items({}, 0, 100);
    QVERIFY(items.ok());
    QCOMPARE(items->size(), size_t(30));
    const ItemRecord &first = items->front();
    QVERIFY(first.path.startsWith(project->directory() + QStringLiteral("/images/")));
    QVERIFY(QFile::exists(first.path));
    QCOMPARE(first.width, 28);
    QCOMPARE(first.height, 28);
    QCOMPARE(first.channels, 1);
    QCOMPARE(first.split, Split::Train);
    // The PNG holds exactly the IDX pixels.
    const cv::Mat decoded = cv::imread(first.path.toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(decoded.at<uchar>(0, 5), uchar(15));

    const auto classes = project->classes();
    QCOMPARE(classes->size(), size_t(3));
    QCOMPARE((*classes)[0].name, QStringLiteral("zero"));
    const auto stats = project->summary();
    QCOMPARE(stats->perClass[1].name, QStringLiteral("one"));
    QCOMPARE(stats->perClass[1].count, qint64(10));
    QCOMPARE(stats->perAnnotator[0].name, QStringLiteral("idx"));
}

void IdxImportTest::reimportAddsNothingTwice() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("i-idx3-ubyte"));
    const QString labels = dir.filePath(QStringLiteral("l-idx1-ubyte"));
    QVERIFY(winnow::test::writeFile(images, idxImages(12, 8, 8)));
    QVERIFY(winnow::test::writeFile(labels, idxLabels(12, 4)));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    QCOMPARE(importIdx(*project, images, labels, {})->imported, qint64(12));
    const auto again = importIdx(*project, images, labels, {});
    QCOMPARE(again->imported, qint64(0));
    QCOMPARE(again->alreadyPresent, qint64(12));
    QCOMPARE(project->summary()->answers, qint64(12));
    // Without class names the label values name the classes.
    QCOMPARE(project->classes()->front().name, QStringLiteral("0"));
}

// The demo's training labels: reference labels that score the crowd, not answers.
void IdxImportTest::labelsCanBeAHiddenReference() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("i-idx3-ubyte"));
    const QString labels = dir.filePath(QStringLiteral("l-idx1-ubyte"));
    QVERIFY(winnow::test::writeFile(images, idxImages(12, 8, 8)));
    QVERIFY(winnow::test::writeFile(labels, idxLabels(12, 4)));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    IdxOptions options;
    options.labelsAsReference = true;
    QCOMPARE(importIdx(*project, images, labels, options)->imported, qint64(12));
    QCOMPARE(project->summary()->answers, qint64(0));
    const auto reference = ConsolidationRepository(*project).referenceLabels();
    QCOMPARE(reference.size(), size_t(12));
    QHash<qint64, QString> names;
    for (const ClassInfo &c : *project->classes())
        names.insert(c.id, c.name);
    for (size_t i = 0; i < reference.size(); ++i) // items in file order, labels i % 4
        QCOMPARE(names.value(reference[i].second), QString::number(i % 4));
}

void IdxImportTest::limitImportsTheFirstImages() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("i-idx3-ubyte"));
    const QString labels = dir.filePath(QStringLiteral("l-idx1-ubyte"));
    QVERIFY(winnow::test::writeFile(images, idxImages(50, 8, 8)));
    QVERIFY(winnow::test::writeFile(labels, idxLabels(50, 5)));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    IdxOptions options;
    options.limit = 7;
    const auto summary = importIdx(*project, images, labels, options);
    QCOMPARE(summary->found, qint64(7));
    QCOMPARE(summary->imported, qint64(7));
}

void IdxImportTest::rejectsBadFiles_data() {
    QTest::addColumn<QByteArray>("images");
    QTest::addColumn<QByteArray>("labels");
    QTest::addColumn<QString>("reason");
    QTest::newRow("labels given as images")
        << idxLabels(4, 2) << idxLabels(4, 2) << "not an IDX file";
    QTest::newRow("images given as labels")
        << idxImages(4, 8, 8) << idxImages(4, 8, 8) << "not an IDX file";
    QTest::newRow("empty images file") << QByteArray() << idxLabels(4, 2) << "too short";
    QTest::newRow("header cut short")
        << idxImages(4, 8, 8).left(9) << idxLabels(4, 2) << "header cut short";
    QTest::newRow("count mismatch")
        << idxImages(5, 8, 8) << idxLabels(4, 2) << "holds 5 images but";
    const auto header = [](quint32 count, quint32 rows, quint32 cols) {
        QByteArray bytes("\x00\x00\x08\x03", 4);
        appendBigEndian(bytes, count);
        appendBigEndian(bytes, rows);
        appendBigEndian(bytes, cols);
        return bytes + QByteArray(64, '\x07');
    };
    QTest::newRow("record size over 32 bits")
        << header(4, 65536, 65536) << idxLabels(4, 2) << "absurd record size";
    QTest::newRow("record size product over 64 bits")
        << header(4, 0xFFFFFFFF, 0xFFFFFFFF) << idxLabels(4, 2) << "absurd record size";
    QTest::newRow("zero rows") << header(4, 0, 28) << idxLabels(4, 2) << "absurd record size";
    QTest::newRow("not idx at all")
        << QByteArray("hello world, no header") << idxLabels(4, 2) << "not an IDX file";
}

void IdxImportTest::rejectsBadFiles() {
    QFETCH(QByteArray, images);
    QFETCH(QByteArray, labels);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString imagesFile = dir.filePath(QStringLiteral("images-idx3-ubyte"));
    QVERIFY(winnow::test::writeFile(imagesFile, images));
    QVERIFY(winnow::test::writeFile(dir.filePath(QStringLiteral("labels-idx1-ubyte")), labels));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    const auto summary =
        importIdx(*project, imagesFile, dir.filePath(QStringLiteral("labels-idx1-ubyte")), {});
    QVERIFY(!summary.ok());
    QVERIFY2(summary.errorMessage().contains(reason), qPrintable(summary.errorMessage()));
    QVERIFY2(summary.errorMessage().contains(QStringLiteral("-idx")),
             qPrintable(summary.errorMessage()));
    QCOMPARE(project->summary()->items, qint64(0));
}

void IdxImportTest::headerPromisingBillionsCostsNothing() {
    // Both headers promise four billion records; the files hold three. Nothing may be sized by
    // the promise: the import takes the three and reports the rest missing.
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("i-idx3-ubyte"));
    const QString labels = dir.filePath(QStringLiteral("l-idx1-ubyte"));
    QByteArray imageBytes = idxImages(3, 8, 8);
    QByteArray labelBytes = idxLabels(3, 2);
    const QByteArray billions("\xEE\x6B\x28\x00", 4); // 4,000,000,000
    imageBytes.replace(4, 4, billions);
    labelBytes.replace(4, 4, billions);
    QVERIFY(winnow::test::writeFile(images, imageBytes));
    QVERIFY(winnow::test::writeFile(labels, labelBytes));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    QElapsedTimer timer;
    timer.start();
    const auto summary = importIdx(*project, images, labels, {});
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QVERIFY(timer.elapsed() < 10000);
    QCOMPARE(summary->imported, qint64(3));
    QCOMPARE(summary->issues.size(), size_t(1));
    QVERIFY2(summary->issues[0].reason.contains(
                 QStringLiteral("the header promises 4000000000 records, the data holds 3")),
             qPrintable(summary->issues[0].reason));
}

void IdxImportTest::reportsTruncatedData() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("i-idx3-ubyte"));
    const QString labels = dir.filePath(QStringLiteral("l-idx1-ubyte"));
    const QByteArray full = idxImages(10, 8, 8);
    QVERIFY(winnow::test::writeFile(images, full.left(16 + 64 * 6 + 10))); // 6 whole images
    QVERIFY(winnow::test::writeFile(labels, idxLabels(10, 2)));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    const auto summary = importIdx(*project, images, labels, {});
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QCOMPARE(summary->imported, qint64(6));
    QCOMPARE(summary->skipped, qint64(4));
    QCOMPARE(summary->issues.size(), size_t(1));
    QCOMPARE(summary->issues[0].path, images);
    QVERIFY(summary->issues[0].reason.contains(QStringLiteral("truncated")));
}

QTEST_APPLESS_MAIN(IdxImportTest)
#include "idximport_test.moc"
