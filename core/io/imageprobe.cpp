#include "core/io/imageprobe.h"

#include "core/io/perceptualhash.h"
#include "core/io/regularfile.h"

#include <QCryptographicHash>
#include <QFile>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace winnow::core {
namespace {

enum class Format { Unknown, Jpeg, Png, Bmp, Gif, Tiff, Webp, Pnm, Jpeg2000 };

QString overPixelLimit(qint64 width, qint64 height, qint64 maxPixels) {
    return QStringLiteral("%1x%2 is %3 megapixels, over the limit of %4")
        .arg(width)
        .arg(height)
        .arg(double(width) * double(height) / 1e6, 0, 'f', 1)
        .arg(double(maxPixels) / 1e6, 0, 'g', 4);
}

Format sniffFormat(const QByteArray &b) {
    auto starts = [&](const char *magic, int n) {
        return b.size() >= n && b.startsWith(QByteArray(magic, n));
    };
    if (starts("\xFF\xD8\xFF", 3))
        return Format::Jpeg;
    if (starts("\x89PNG\r\n\x1A\n", 8))
        return Format::Png;
    if (starts("BM", 2))
        return Format::Bmp;
    if (starts("GIF8", 4))
        return Format::Gif;
    if (starts("II*\0", 4) || starts("MM\0*", 4))
        return Format::Tiff;
    if (b.size() >= 12 && starts("RIFF", 4) && b.mid(8, 4) == "WEBP")
        return Format::Webp;
    if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6')
        return Format::Pnm;
    if (starts("\x00\x00\x00\x0CjP  ", 8) || starts("\xFF\x4F\xFF\x51", 4))
        return Format::Jpeg2000;
    return Format::Unknown;
}

const char *formatName(Format format) {
    switch (format) {
    case Format::Jpeg:
        return "JPEG";
    case Format::Png:
        return "PNG";
    case Format::Bmp:
        return "BMP";
    case Format::Gif:
        return "GIF";
    case Format::Tiff:
        return "TIFF";
    case Format::Webp:
        return "WebP";
    case Format::Pnm:
        return "PNM";
    case Format::Jpeg2000:
        return "JPEG 2000";
    case Format::Unknown:
        break;
    }
    return "unknown";
}

quint32 bigEndian32(const QByteArray &b, int at) {
    return (quint32(quint8(b[at])) << 24) | (quint32(quint8(b[at + 1])) << 16) |
           (quint32(quint8(b[at + 2])) << 8) | quint32(quint8(b[at + 3]));
}

// Width and height from the header, for the formats where a huge image is cheap to fake.
std::optional<std::pair<qint64, qint64>> headerSize(const QByteArray &b, Format format) {
    if (format == Format::Png && b.size() >= 24)
        return std::pair<qint64, qint64>(bigEndian32(b, 16), bigEndian32(b, 20));
    if (format == Format::Jpeg) {
        int at = 2;
        while (at + 9 < b.size()) {
            if (quint8(b[at]) != 0xFF)
                return std::nullopt;
            const quint8 marker = quint8(b[at + 1]);
            const int length = (quint8(b[at + 2]) << 8) | quint8(b[at + 3]);
            const bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
                                      marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                const qint64 height = (quint8(b[at + 5]) << 8) | quint8(b[at + 6]);
                const qint64 width = (quint8(b[at + 7]) << 8) | quint8(b[at + 8]);
                return std::pair(width, height);
            }
            at += 2 + length;
        }
    }
    return std::nullopt;
}

// libjpeg fills a cut-off scan with grey and reports success; the missing end-of-image marker
// after the last start-of-scan gives the truncation away.
bool jpegLooksComplete(const QByteArray &bytes) {
    const qsizetype endOfImage = bytes.lastIndexOf(QByteArrayView("\xFF\xD9", 2));
    const qsizetype startOfScan = bytes.lastIndexOf(QByteArrayView("\xFF\xDA", 2));
    return endOfImage > startOfScan && startOfScan > 0;
}

QByteArray sha256(const char *data, qsizetype size) {
    return QCryptographicHash::hash(QByteArrayView(data, size), QCryptographicHash::Sha256);
}

QByteArray pixelHash(const cv::Mat &image) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const int header[3] = {image.cols, image.rows, image.type()};
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(header), sizeof header));
    for (int y = 0; y < image.rows; ++y)
        hash.addData(QByteArrayView(image.ptr<char>(y), qsizetype(image.cols * image.elemSize())));
    return hash.result();
}

void makeThumbnail(const cv::Mat &image, NewItem &item) {
    const int side = std::max(image.cols, image.rows);
    if (side <= kThumbnailSide)
        return;
    const double scale = double(kThumbnailSide) / side;
    cv::Mat small;
    cv::resize(image, small,
               cv::Size(std::max(1, int(image.cols * scale)), std::max(1, int(image.rows * scale))),
               0, 0, cv::INTER_AREA);
    if (small.depth() != CV_8U)
        small.convertTo(small, CV_8U, small.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
    std::vector<uchar> encoded;
    const bool alpha = small.channels() == 4;
    if (alpha)
        cv::imencode(".png", small, encoded);
    else
        cv::imencode(".jpg", small, encoded, {cv::IMWRITE_JPEG_QUALITY, 85});
    item.thumbnail =
        QByteArray(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size()));
    item.thumbnailFormat = QString::fromLatin1(alpha ? "png" : "jpeg");
}

ImageProbe probeUnchecked(const QByteArray &bytes, const QString &path, qint64 maxPixels) {
    ImageProbe probe;
    if (bytes.isEmpty()) {
        probe.error = QStringLiteral("empty file (0 bytes)");
        return probe;
    }
    const Format format = sniffFormat(bytes);
    if (format == Format::Unknown) {
        probe.error = QStringLiteral("not an image (unrecognised file format)");
        return probe;
    }
    if (const auto size = headerSize(bytes, format)) {
        const auto [width, height] = *size;
        if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide ||
            width * height > kMaxImagePixels) {
            probe.error = QStringLiteral("%1 header gives absurd dimensions %2x%3")
                              .arg(QString::fromLatin1(formatName(format)))
                              .arg(width)
                              .arg(height);
            return probe;
        }
        if (width * height > maxPixels) {
            probe.error = overPixelLimit(width, height, maxPixels);
            return probe;
        }
    }
    if (format == Format::Jpeg && !jpegLooksComplete(bytes)) {
        probe.error = QStringLiteral("truncated JPEG (no end-of-image marker)");
        return probe;
    }

    cv::Mat image;
    try {
        const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char *>(bytes.constData()));
        image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &e) {
        probe.error =
            QStringLiteral("cannot decode %1: %2")
                .arg(QString::fromLatin1(formatName(format)), QString::fromStdString(e.msg));
        return probe;
    }
    if (image.empty()) {
        probe.error = QStringLiteral("corrupt or truncated %1 data")
                          .arg(QString::fromLatin1(formatName(format)));
        return probe;
    }
    if (image.cols > kMaxImageSide || image.rows > kMaxImageSide) {
        probe.error = QStringLiteral("absurd dimensions %1x%2").arg(image.cols).arg(image.rows);
        return probe;
    }
    if (qint64(image.cols) * image.rows > maxPixels) {
        probe.error = overPixelLimit(image.cols, image.rows, maxPixels);
        return probe;
    }

    NewItem item;
    item.path = path;
    item.width = image.cols;
    item.height = image.rows;
    item.channels = image.channels();
    item.contentHash = sha256(bytes.constData(), bytes.size());
    item.pixelHash = pixelHash(image);
    item.perceptualHash = perceptualHash(image);
    cv::Mat mirrored;
    cv::flip(image, mirrored, 1);
    item.mirroredHash = perceptualHash(mirrored);
    makeThumbnail(image, item);
    probe.item = std::move(item);
    return probe;
}

} // namespace

ImageProbe probeImage(const QByteArray &bytes, const QString &path, qint64 maxPixels) {
    ImageProbe probe;
    try {
        probe = probeUnchecked(bytes, path, maxPixels);
    } catch (const cv::Exception &e) {
        probe.error = QStringLiteral("cannot decode: %1").arg(QString::fromStdString(e.msg));
    } catch (const std::exception &e) {
        probe.error = QStringLiteral("cannot decode: %1").arg(QString::fromUtf8(e.what()));
    }
    probe.path = path;
    return probe;
}

ImageProbe probeImageFile(const QString &path, qint64 maxPixels) {
    auto bytes = readRegularFile(path, kMaxImageFileBytes);
    if (!bytes)
        return {path, std::nullopt, bytes.error().message};
    return probeImage(*bytes, path, maxPixels);
}

} // namespace winnow::core
