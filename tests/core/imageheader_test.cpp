#include "core/io/imagedecode.h"
#include "core/io/imageheader.h"
#include "core/io/imageprobe.h"
#include "tests/testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <zlib.h>

using namespace winnow::core;
using winnow::test::drawImage;

namespace {

QByteArray encode(const cv::Mat &image, const char *extension, std::vector<int> params = {}) {
    std::vector<uchar> out;
    try {
        if (!cv::imencode(extension, image, out, params))
            return {};
    } catch (const cv::Exception &) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
}

QByteArray bigEndian(quint32 v, int bytes = 4) {
    QByteArray out;
    for (int i = bytes - 1; i >= 0; --i)
        out.append(char((v >> (8 * i)) & 0xFF));
    return out;
}

QByteArray littleEndian(quint32 v, int bytes = 4) {
    QByteArray out;
    for (int i = 0; i < bytes; ++i)
        out.append(char((v >> (8 * i)) & 0xFF));
    return out;
}

QByteArray pngChunk(const char *type, const QByteArray &data) {
    QByteArray body = QByteArray(type, 4) + data;
    const quint32 crc =
        quint32(crc32(0, reinterpret_cast<const Bytef *>(body.constData()), uInt(body.size())));
    return bigEndian(quint32(data.size())) + body + bigEndian(crc);
}

QByteArray png(quint32 width, quint32 height, const QByteArray &compressed) {
    return QByteArray("\x89PNG\r\n\x1A\n", 8) +
           pngChunk("IHDR",
                    bigEndian(width) + bigEndian(height) + QByteArray("\x08\x00\x00\x00\x00", 5)) +
           pngChunk("IDAT", compressed) + pngChunk("IEND", {});
}

// Headers of every format that claim a size the file does not hold: only the header is real.
QByteArray claiming(const QString &format, quint32 w, quint32 h) {
    const QByteArray tail(64, '\0');
    if (format == QLatin1String("png"))
        return png(w, h, tail);
    if (format == QLatin1String("jpeg"))
        return QByteArray("\xFF\xD8\xFF\xE0", 4) + bigEndian(16, 2) + QByteArray(14, 'J') +
               QByteArray("\xFF\xC0", 2) + bigEndian(17, 2) + QByteArray("\x08", 1) +
               bigEndian(h, 2) + bigEndian(w, 2) + QByteArray(10, '\x01') + tail +
               QByteArray("\xFF\xDA\x00\x02\xFF\xD9", 6);
    if (format == QLatin1String("bmp"))
        return "BM" + littleEndian(0) + littleEndian(0) + littleEndian(54) + littleEndian(40) +
               littleEndian(w) + littleEndian(h) + littleEndian(1, 2) + littleEndian(24, 2) + tail;
    if (format == QLatin1String("tiff big-endian"))
        return QByteArray("MM\0*", 4) + bigEndian(8) + bigEndian(2, 2) + bigEndian(256, 2) +
               bigEndian(4, 2) + bigEndian(1) + bigEndian(w) + bigEndian(257, 2) + bigEndian(3, 2) +
               bigEndian(1) + bigEndian(h, 2) + QByteArray(2, '\0') + bigEndian(0) + tail;
    if (format == QLatin1String("tiff little-endian"))
        return QByteArray("II*\0", 4) + littleEndian(8) + littleEndian(2, 2) +
               littleEndian(257, 2) + littleEndian(4, 2) + littleEndian(1) + littleEndian(h) +
               littleEndian(256, 2) + littleEndian(4, 2) + littleEndian(1) + littleEndian(w) +
               littleEndian(0) + tail;
    if (format == QLatin1String("webp"))
        return "RIFF" + littleEndian(30) + "WEBPVP8X" + littleEndian(10) + littleEndian(0) +
               littleEndian(w - 1, 3) + littleEndian(h - 1, 3) + tail;
    if (format == QLatin1String("pgm"))
        return QStringLiteral("P5\n# a comment\n%1 %2\n255\n").arg(w).arg(h).toLatin1() + tail;
    if (format == QLatin1String("pam"))
        return QStringLiteral("P7\nWIDTH %1\nHEIGHT %2\nDEPTH 1\nMAXVAL 255\nENDHDR\n")
                   .arg(w)
                   .arg(h)
                   .toLatin1() +
               tail;
    if (format == QLatin1String("pfm"))
        return QStringLiteral("Pf\n%1 %2\n-1.0\n").arg(w).arg(h).toLatin1() + tail;
    if (format == QLatin1String("jpeg 2000 codestream"))
        return QByteArray("\xFF\x4F\xFF\x51", 4) + bigEndian(41, 2) + bigEndian(0, 2) +
               bigEndian(w + 5) + bigEndian(h + 7) + bigEndian(5) + bigEndian(7) + tail;
    if (format == QLatin1String("jp2"))
        return QByteArray("\x00\x00\x00\x0CjP  \r\n\x87\n", 12) + bigEndian(20) + "ftypjp2 " +
               bigEndian(0) + "jp2 " + bigEndian(8 + 22) + "jp2h" + bigEndian(22) + "ihdr" +
               bigEndian(h) + bigEndian(w) + bigEndian(3, 2) + QByteArray("\x07\x07\x00\x00", 4) +
               tail;
    return {};
}

const QStringList kClaimingFormats{QStringLiteral("png"),
                                   QStringLiteral("jpeg"),
                                   QStringLiteral("bmp"),
                                   QStringLiteral("tiff big-endian"),
                                   QStringLiteral("tiff little-endian"),
                                   QStringLiteral("webp"),
                                   QStringLiteral("pgm"),
                                   QStringLiteral("pam"),
                                   QStringLiteral("pfm"),
                                   QStringLiteral("jpeg 2000 codestream"),
                                   QStringLiteral("jp2")};

// Resident memory at its peak since the last reset, in bytes (Linux).
qint64 peakResidentBytes() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return -1;
}

bool resetPeakResident() {
    QFile refs(QStringLiteral("/proc/self/clear_refs"));
    return refs.open(QIODevice::WriteOnly) && refs.write("5") == 1;
}

} // namespace

class ImageHeaderTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsTheSizeOfEveryFormat_data();
    void readsTheSizeOfEveryFormat();
    void refusesLyingHeadersBeforeDecoding_data();
    void refusesLyingHeadersBeforeDecoding();
    void cutFilesAreRefusedAtEveryLength_data();
    void cutFilesAreRefusedAtEveryLength();
    void decompressionBombStaysSmall();
    void jpegsAreTurnedUprightByTheirOrientation_data();
    void jpegsAreTurnedUprightByTheirOrientation();
};

void ImageHeaderTest::readsTheSizeOfEveryFormat_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason"); // empty: decodes
    const cv::Mat colour = drawImage(37, 23, 3, 4);
    const cv::Mat grey = drawImage(37, 23, 1, 4);
    cv::Mat floating;
    grey.convertTo(floating, CV_32F, 1.0 / 255);
    QTest::newRow("jpeg") << encode(colour, ".jpg") << QString();
    QTest::newRow("progressive jpeg")
        << encode(colour, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}) << QString();
    QTest::newRow("png") << encode(colour, ".png") << QString();
    QTest::newRow("png with alpha") << encode(drawImage(37, 23, 4, 4), ".png") << QString();
    QTest::newRow("bmp") << encode(colour, ".bmp") << QString();
    QTest::newRow("tiff") << encode(colour, ".tiff") << QString();
    QTest::newRow("lossy webp") << encode(colour, ".webp", {cv::IMWRITE_WEBP_QUALITY, 80})
                                << QString();
    QTest::newRow("lossless webp")
        << encode(colour, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}) << QString();
    QTest::newRow("pbm") << encode(grey, ".pbm") << QString();
    QTest::newRow("pgm") << encode(grey, ".pgm") << QString();
    QTest::newRow("ppm") << encode(colour, ".ppm") << QString();
    QTest::newRow("pam") << encode(colour, ".pam") << QString();
    QTest::newRow("pfm") << encode(floating, ".pfm") << QString();
    // OpenJPEG needs room for its resolution levels: the same 37x23 picture, scaled up 8 times.
    cv::Mat large;
    cv::resize(colour, large, {}, 8, 8, cv::INTER_NEAREST);
    QTest::newRow("jpeg 2000") << encode(large, ".jp2") << QString();
    QTest::newRow("gif") << QByteArray("GIF89a") + littleEndian(37, 2) + littleEndian(23, 2) +
                                QByteArray(32, '\0')
                         << QStringLiteral("GIF is not read");
}

void ImageHeaderTest::readsTheSizeOfEveryFormat() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QVERIFY(!bytes.isEmpty());
    const auto header = readImageHeader(bytes);
    QVERIFY(header);
    const qint64 scale = header->width == 37 * 8 ? 8 : 1;
    QCOMPARE(header->width, 37 * scale);
    QCOMPARE(header->height, 23 * scale);
    const ImageProbe probe = probeImage(bytes, QStringLiteral("x"));
    if (reason.isEmpty()) {
        QVERIFY2(probe.item, qPrintable(probe.error));
        QCOMPARE(probe.item->width, 37 * scale);
        QCOMPARE(probe.item->height, 23 * scale);
    } else {
        QVERIFY(!probe.item);
        QVERIFY2(probe.error.contains(reason), qPrintable(probe.error));
    }
}

void ImageHeaderTest::refusesLyingHeadersBeforeDecoding_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    for (const QString &format : kClaimingFormats) {
        QTest::addRow("%s over the limit", qPrintable(format))
            << claiming(format, 12000, 12000)
            << QStringLiteral("12000x12000 is 144.0 megapixels, over the limit of 100");
        QTest::addRow("%s absurd", qPrintable(format))
            << claiming(format, 60000, 3)
            << QStringLiteral("header gives absurd dimensions 60000x3");
    }
}

void ImageHeaderTest::refusesLyingHeadersBeforeDecoding() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QElapsedTimer timer;
    timer.start();
    const ImageProbe probe = probeImage(bytes, QStringLiteral("liar"));
    QVERIFY(!probe.item);
    QVERIFY2(probe.error.contains(reason), qPrintable(probe.error));
    QVERIFY2(timer.elapsed() < 1000, "a refusal from the header is instant");
}

void ImageHeaderTest::cutFilesAreRefusedAtEveryLength_data() {
    readsTheSizeOfEveryFormat_data();
}

void ImageHeaderTest::cutFilesAreRefusedAtEveryLength() {
    QFETCH(QByteArray, bytes);
    // Every prefix: the header reader never reads past the end (sanitizer builds prove it), and
    // a file cut short is either refused or decodes to exactly the size its header gave.
    for (qsizetype n = 0; n < bytes.size(); n += n < 256 ? 1 : 97) {
        const QByteArray cut = bytes.left(n);
        const auto header = readImageHeader(cut);
        const ImageProbe probe = probeImage(cut, QStringLiteral("cut"));
        if (probe.item) {
            QVERIFY(header);
            QCOMPARE(qint64(probe.item->width), header->width);
            QCOMPARE(qint64(probe.item->height), header->height);
        } else {
            QVERIFY(!probe.error.isEmpty());
        }
    }
}

void ImageHeaderTest::decompressionBombStaysSmall() {
    // A 64x64 PNG whose compressed data inflates to 256 MiB: only what the header declares may
    // be decoded, so the peak memory stays far below what the data inflates to.
    const QByteArray zeros(256 << 20, '\0');
    uLongf size = compressBound(uLong(zeros.size()));
    QByteArray compressed(qsizetype(size), Qt::Uninitialized);
    QCOMPARE(compress2(reinterpret_cast<Bytef *>(compressed.data()), &size,
                       reinterpret_cast<const Bytef *>(zeros.constData()), uLong(zeros.size()), 9),
             Z_OK);
    compressed.resize(qsizetype(size));
    const QByteArray bomb = png(64, 64, compressed);
    compressed.clear();
    QVERIFY(bomb.size() < (1 << 20));

    if (!resetPeakResident())
        QSKIP("this kernel cannot reset the peak resident size");
    const qint64 before = peakResidentBytes();
    const ImageProbe probe = probeImage(bomb, QStringLiteral("bomb.png"));
    const qint64 growth = peakResidentBytes() - before;
    QVERIFY2(growth < (32 << 20),
             qPrintable(QStringLiteral("peak grew by %1 MiB").arg(growth >> 20)));
    if (probe.item)
        QCOMPARE(probe.item->width, 64);
}

void ImageHeaderTest::jpegsAreTurnedUprightByTheirOrientation_data() {
    QTest::addColumn<int>("orientation");
    QTest::addColumn<bool>("intel"); // little-endian EXIF
    for (int orientation = 1; orientation <= 8; ++orientation)
        QTest::addRow("orientation %d", orientation) << orientation << false;
    QTest::newRow("orientation 6, little-endian EXIF") << 6 << true;
}

void ImageHeaderTest::jpegsAreTurnedUprightByTheirOrientation() {
    QFETCH(int, orientation);
    QFETCH(bool, intel);
    // A 40x20 picture with a bright corner, as a phone stores it, with an EXIF block that says
    // how to turn it.
    cv::Mat picture(20, 40, CV_8UC3, cv::Scalar(40, 40, 40));
    picture(cv::Rect(0, 0, 10, 5)).setTo(cv::Scalar(250, 250, 250));
    const QByteArray plain = encode(picture, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    const auto field = [&](quint32 value, int bytes) {
        return intel ? littleEndian(value, bytes) : bigEndian(value, bytes);
    };
    const QByteArray tiff = (intel ? QByteArray("II*\0", 4) : QByteArray("MM\0*", 4)) +
                            field(8, 4) + field(1, 2) + field(0x0112, 2) + field(3, 2) +
                            field(1, 4) + field(quint32(orientation), 2) + QByteArray(2, '\0') +
                            field(0, 4);
    const QByteArray exif = QByteArray("Exif\0\0", 6) + tiff;
    const QByteArray jpeg = plain.left(2) + QByteArray("\xFF\xE1", 2) +
                            bigEndian(quint32(exif.size() + 2), 2) + exif + plain.mid(2);
    QCOMPARE(exifOrientation(jpeg), orientation);

    // OpenCV's own colour decoding applies the orientation: the upright decoding must match it.
    std::vector<uchar> buffer(jpeg.begin(), jpeg.end());
    const cv::Mat reference = cv::imdecode(buffer, cv::IMREAD_COLOR);
    const cv::Mat upright = decodeUpright(jpeg);
    QCOMPARE(upright.cols, reference.cols);
    QCOMPARE(upright.rows, reference.rows);
    QCOMPARE(cv::norm(upright, reference, cv::NORM_INF), 0.0);
    const bool turned = orientation >= 5;
    const ImageProbe probe = probeImage(jpeg, QStringLiteral("phone.jpg"));
    QVERIFY2(probe.item, qPrintable(probe.error));
    QCOMPARE(probe.item->width, turned ? 20 : 40);
    QCOMPARE(probe.item->height, turned ? 40 : 20);
}

QTEST_GUILESS_MAIN(ImageHeaderTest)
#include "imageheader_test.moc"
