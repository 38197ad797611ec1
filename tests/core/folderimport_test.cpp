#include "core/io/folderimporter.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"

#include <QElapsedTimer>
#include <QMap>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace winnow::core;
using winnow::test::drawImage;
using winnow::test::encodeImage;

namespace {

QByteArray pngHeaderClaiming(quint32 width, quint32 height) {
    QByteArray bytes = encodeImage(drawImage(8, 8, 3, 1), ".png");
    for (int i = 0; i < 4; ++i) {
        bytes[16 + i] = char((width >> (24 - 8 * i)) & 0xFF);
        bytes[20 + i] = char((height >> (24 - 8 * i)) & 0xFF);
    }
    return bytes;
}

qint64 count(Project &project, const char *sql) {
    Statement query(databaseOf(project), sql);
    query.step();
    return query.int64(0);
}

} // namespace

class FolderImportTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importsOrSkipsEachFile_data();
    void importsOrSkipsEachFile();
    void reimportAddsNothingTwice();
    void labelsFromFoldersBecomeAnswersOfFolder();
    void tagsTheBatchWithItsSplit();
    void storesThumbnailsOnlyForLargeImages();
    void cancelledImportKeepsWhatWasStored();
    void missingFolderIsAnError();
    void devicesFifosAndLinkLoopsAreNeverRead();
};

void FolderImportTest::importsOrSkipsEachFile_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason"); // empty: imported

    const cv::Mat picture = drawImage(40, 30, 3, 7);
    const QByteArray jpeg = encodeImage(picture, ".jpg");
    QTest::newRow("png") << "a.png" << encodeImage(picture, ".png") << QString();
    QTest::newRow("jpeg") << "b.jpg" << jpeg << QString();
    QTest::newRow("upper-case extension") << "C.JPEG" << jpeg << QString();
    QTest::newRow("bmp") << "d.bmp" << encodeImage(picture, ".bmp") << QString();
    QTest::newRow("webp") << "e.webp" << encodeImage(picture, ".webp") << QString();
    QTest::newRow("tiff") << "f.TIF" << encodeImage(picture, ".tiff") << QString();
    QTest::newRow("grey pgm") << "g.pgm" << encodeImage(drawImage(20, 20, 1, 2), ".pgm")
                              << QString();
    QTest::newRow("png with alpha")
        << "h.png" << encodeImage(drawImage(20, 20, 4, 3), ".png") << QString();
    QTest::newRow("spaces and non-ASCII")
        << "été chat 猫.png" << encodeImage(picture, ".png") << QString();
    QTest::newRow("jpeg named png")
        << "misnamed.png" << encodeImage(drawImage(16, 16, 3, 9), ".jpg") << QString();
    QTest::newRow("zero bytes") << "empty.jpg" << QByteArray() << "empty file";
    QTest::newRow("text file") << "notes.txt" << QByteArray("just some notes\n") << "not an image";
    QTest::newRow("text named jpg")
        << "fake.jpg" << QByteArray("<html>not a picture</html>") << "not an image";
    QTest::newRow("truncated jpeg") << "cut.jpg" << jpeg.left(jpeg.size() / 2) << "truncated JPEG";
    const QByteArray png = encodeImage(drawImage(64, 64, 3, 5), ".png");
    QTest::newRow("truncated png")
        << "cut.png" << png.left(png.size() / 2) << "corrupt or truncated PNG";
    QTest::newRow("absurd dimensions")
        << "huge.png" << pngHeaderClaiming(100000, 100000) << "absurd dimensions";
    QTest::newRow("over the pixel limit")
        << "big.png" << pngHeaderClaiming(12000, 12000)
        << "12000x12000 is 144.0 megapixels, over the limit of 100";
    QTest::newRow("zero dimensions")
        << "flat.png" << pngHeaderClaiming(0, 10) << "absurd dimensions";
}

void FolderImportTest::importsOrSkipsEachFile() {
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);

    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("images"));
    QVERIFY(winnow::test::writeFile(folder + u'/' + name, bytes));
    // A good neighbour shows that one bad file does not stop the import.
    QVERIFY(winnow::test::writeImage(folder + QStringLiteral("/zz-good.png"), 12, 12, 3, 1));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));

    const auto summary = importImageFolder(*project, folder, {});
    QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
    QCOMPARE(summary->found, qint64(2));
    if (reason.isEmpty()) {
        QCOMPARE(summary->imported, qint64(2));
        QCOMPARE(summary->skipped, qint64(0));
        QVERIFY(summary->issues.empty());
    } else {
        QCOMPARE(summary->imported, qint64(1));
        QCOMPARE(summary->skipped, qint64(1));
        QCOMPARE(summary->issues.size(), size_t(1));
        QVERIFY2(summary->issues[0].path.endsWith(name), qPrintable(summary->issues[0].path));
        QVERIFY2(summary->issues[0].reason.contains(reason), qPrintable(summary->issues[0].reason));
    }
    const auto items = project->items({}, 0, 10);
    QVERIFY(items.ok());
    QCOMPARE(qint64(items->size()), summary->imported);
    if (reason.isEmpty()) {
        const auto it = std::find_if(items->begin(), items->end(),
                                     [&](const ItemRecord &r) { return r.path.endsWith(name); });
        QVERIFY(it != items->end());
        QVERIFY(QFile::exists(it->path));
        QVERIFY(it->width > 0 && it->height > 0);
        QVERIFY(it->channels == 1 || it->channels == 3 || it->channels == 4);
    }
}

void FolderImportTest::reimportAddsNothingTwice() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("images"));
    for (int i = 0; i < 20; ++i)
        QVERIFY(winnow::test::writeImage(
            QStringLiteral("%1/%2/%3.png").arg(folder).arg(i % 2 ? "cat" : "dog").arg(i), 16, 16, 3,
            i));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    const ImportOptions options{Split::Train, true};
    const auto first = importImageFolder(*project, folder, options);
    QVERIFY(first.ok());
    QCOMPARE(first->imported, qint64(20));
    const auto second = importImageFolder(*project, folder + QStringLiteral("/"), options);
    QVERIFY(second.ok());
    QCOMPARE(second->imported, qint64(0));
    QCOMPARE(second->alreadyPresent, qint64(20));
    QCOMPARE(count(*project, "SELECT COUNT(*) FROM items"), qint64(20));
    QCOMPARE(count(*project, "SELECT COUNT(*) FROM answers"), qint64(20));
    // One new file: only it is added.
    QVERIFY(winnow::test::writeImage(folder + QStringLiteral("/cat/new.png"), 16, 16, 3, 99));
    const auto third = importImageFolder(*project, folder, options);
    QVERIFY(third.ok());
    QCOMPARE(third->imported, qint64(1));
    QCOMPARE(count(*project, "SELECT COUNT(*) FROM items"), qint64(21));
}

void FolderImportTest::labelsFromFoldersBecomeAnswersOfFolder() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("images"));
    QVERIFY(winnow::test::writeImage(folder + QStringLiteral("/cat/1.png"), 16, 16, 3, 1));
    QVERIFY(winnow::test::writeImage(folder + QStringLiteral("/cat/2.png"), 16, 16, 3, 2));
    QVERIFY(winnow::test::writeImage(folder + QStringLiteral("/nested/dog/3.png"), 16, 16, 3, 3));
    QVERIFY(winnow::test::writeImage(folder + QStringLiteral("/root.png"), 16, 16, 3, 4));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    const auto summary = importImageFolder(*project, folder, {std::nullopt, true});
    QVERIFY(summary.ok());
    QCOMPARE(summary->imported, qint64(4));
    const auto stats = project->summary();
    QVERIFY(stats.ok());
    QCOMPARE(stats->answers, qint64(3)); // the root image has no folder label
    QCOMPARE(stats->perClass.size(), size_t(2));
    QCOMPARE(stats->perClass[0].name, QStringLiteral("cat"));
    QCOMPARE(stats->perClass[0].count, qint64(2));
    QCOMPARE(stats->perClass[1].name, QStringLiteral("dog"));
    QCOMPARE(stats->perAnnotator.size(), size_t(1));
    QCOMPARE(stats->perAnnotator[0].name, QStringLiteral("folder"));
}

void FolderImportTest::tagsTheBatchWithItsSplit() {
    QTemporaryDir dir;
    QVERIFY(winnow::test::writeImage(dir.filePath(QStringLiteral("a/1.png")), 8, 8, 3, 1));
    QVERIFY(winnow::test::writeImage(dir.filePath(QStringLiteral("b/2.png")), 8, 8, 3, 2));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    QVERIFY(
        importImageFolder(*project, dir.filePath(QStringLiteral("a")), {Split::Val, false}).ok());
    QVERIFY(importImageFolder(*project, dir.filePath(QStringLiteral("b")), {}).ok());
    ItemFilter val;
    val.split = Split::Val;
    QCOMPARE(*project->countItems(val), qint64(1));
    ItemFilter unassigned;
    unassigned.split = Split::Unassigned;
    QCOMPARE(*project->countItems(unassigned), qint64(1));
    const auto batches = project->batches();
    QVERIFY(batches.ok());
    QCOMPARE(batches->size(), size_t(2));
    QCOMPARE((*batches)[0].split, QStringLiteral("val"));
    QCOMPARE((*batches)[0].imported, qint64(1));
}

void FolderImportTest::storesThumbnailsOnlyForLargeImages() {
    QTemporaryDir dir;
    QVERIFY(winnow::test::writeImage(dir.filePath(QStringLiteral("i/small.png")), 64, 64, 3, 1));
    QVERIFY(winnow::test::writeImage(dir.filePath(QStringLiteral("i/large.jpg")), 900, 600, 3, 2,
                                     ".jpg"));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    QVERIFY(importImageFolder(*project, dir.filePath(QStringLiteral("i")), {}).ok());
    QCOMPARE(count(*project, "SELECT COUNT(*) FROM thumbnails"), qint64(1));
    QCOMPARE(count(*project, "SELECT COUNT(*) FROM items WHERE perceptual_hash IS NOT NULL AND "
                             "pixel_hash IS NOT NULL"),
             qint64(2));
}

void FolderImportTest::cancelledImportKeepsWhatWasStored() {
    QTemporaryDir dir;
    for (int i = 0; i < 1200; ++i)
        QVERIFY(winnow::test::writeImage(
            dir.filePath(QStringLiteral("i/%1.png").arg(i, 4, 10, QLatin1Char('0'))), 8, 8, 3, i));
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    CancelToken cancel;
    // Cancel as soon as the first chunk is stored.
    const auto summary = importImageFolder(
        *project, dir.filePath(QStringLiteral("i")), {},
        [&](qint64 done, qint64, const QString &) {
            if (done > 0)
                cancel.cancel();
        },
        &cancel);
    QVERIFY(summary.ok());
    QVERIFY(summary->cancelled);
    QVERIFY(summary->imported > 0);
    QVERIFY(summary->imported < 1200);
    QCOMPARE(count(*project, "SELECT COUNT(*) FROM items"), summary->imported);
    // Importing again finishes the job.
    const auto rest = importImageFolder(*project, dir.filePath(QStringLiteral("i")), {});
    QVERIFY(rest.ok());
    QCOMPARE(rest->imported + summary->imported, qint64(1200));
}

void FolderImportTest::missingFolderIsAnError() {
    QTemporaryDir dir;
    auto project = winnow::test::createProject(dir.filePath(QStringLiteral("project")));
    const auto summary = importImageFolder(*project, dir.filePath(QStringLiteral("nope")), {});
    QVERIFY(!summary.ok());
    QVERIFY(summary.errorMessage().contains(QStringLiteral("nope")));
}

// A link to a character device once made an import read /dev/zero until memory ran out; a FIFO
// blocks whoever opens it. None of them, nor a socket, is read, and a link loop is not walked;
// each is named in the report.
void FolderImportTest::devicesFifosAndLinkLoopsAreNeverRead() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("images"));
    QVERIFY(winnow::test::writeImage(images + QStringLiteral("/good.png"), 8, 8, 3, 1));
    QVERIFY(QFile::link(QStringLiteral("/dev/zero"), images + QStringLiteral("/zero.png")));
    QVERIFY(QFile::link(QStringLiteral("/dev/urandom"), images + QStringLiteral("/random.jpg")));
    QVERIFY(::mkfifo(QFile::encodeName(images + QStringLiteral("/fifo.png")).constData(), 0600) ==
            0);
    const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray socketPath = QFile::encodeName(images + QStringLiteral("/socket.png"));
    QVERIFY(size_t(socketPath.size()) < sizeof address.sun_path);
    std::memcpy(address.sun_path, socketPath.constData(), size_t(socketPath.size()));
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    const auto closeListener = qScopeGuard([&] { ::close(listener); });
    QDir(images).mkdir(QStringLiteral("sub"));
    QVERIFY(QFile::link(images, images + QStringLiteral("/sub/loop")));
    // A picture elsewhere on the disk, linked from the folder, and a link inside the folder.
    QVERIFY(
        winnow::test::writeImage(dir.filePath(QStringLiteral("elsewhere/secret.png")), 8, 8, 3, 2));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("elsewhere/secret.png")),
                        images + QStringLiteral("/secret.png")));
    QVERIFY(QFile::link(images + QStringLiteral("/good.png"),
                        images + QStringLiteral("/sub/same.png")));

    // By default nothing outside the folder is read through a link; with followLinksOutside the
    // outside picture comes in, and the devices are still refused without reading them.
    for (const bool follow : {false, true}) {
        auto project = winnow::test::createProject(
            dir.filePath(follow ? QStringLiteral("followed") : QStringLiteral("project")));
        ImportOptions options;
        options.followLinksOutside = follow;
        QElapsedTimer timer;
        timer.start();
        const auto summary = importImageFolder(*project, images, options);
        QVERIFY2(summary.ok(), qPrintable(summary.errorMessage()));
        QVERIFY(timer.elapsed() < 10000);
        QCOMPARE(summary->imported, qint64(follow ? 3 : 2)); // good, sub/same (and secret)
        QMap<QString, QString> expected{
            {QStringLiteral("fifo.png"), QStringLiteral("not a regular file (a FIFO)")},
            {QStringLiteral("socket.png"), QStringLiteral("not a regular file (a socket)")},
            {QStringLiteral("loop"), QStringLiteral("links to folders are not followed")},
            {QStringLiteral("zero.png"), QStringLiteral("not a regular file")},
            {QStringLiteral("random.jpg"), QStringLiteral("not a regular file")}};
        if (!follow) {
            expected[QStringLiteral("zero.png")] = QStringLiteral("outside the folder");
            expected[QStringLiteral("random.jpg")] = QStringLiteral("outside the folder");
            expected[QStringLiteral("secret.png")] = QStringLiteral("outside the folder");
        }
        QCOMPARE(summary->issues.size(), size_t(expected.size()));
        for (const ImportIssue &issue : summary->issues) {
            const QString name = QFileInfo(issue.path).fileName();
            QVERIFY2(expected.contains(name), qPrintable(name));
            QVERIFY2(issue.reason.contains(expected[name]),
                     qPrintable(name + QStringLiteral(": ") + issue.reason));
        }
    }
}

QTEST_APPLESS_MAIN(FolderImportTest)
#include "folderimport_test.moc"
