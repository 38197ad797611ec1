#include "core/io/imageprobe.h"

#include "core/io/imagedecode.h"
#include "core/io/imageheader.h"
#include "core/io/perceptualhash.h"
#include "core/io/regularfile.h"

#include <QCryptographicHash>
#include <QFile>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace winnow::core {
namespace {

QString overPixelLimit(qint64 width, qint64 height, qint64 maxPixels) {
    return QStringLiteral("%1x%2 is %3 megapixels, over the limit of %4")
        .arg(width)
        .arg(height)
        .arg(double(width) * double(height) / 1e6, 0, 'f', 1)
        .arg(double(maxPixels) / 1e6, 0, 'g', 4);
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
    const ImageFormat format = sniffImageFormat(bytes);
    const QString formatText = QString::fromLatin1(imageFormatName(format));
    if (format == ImageFormat::Unknown) {
        probe.error = QStringLiteral("not an image (unrecognised file format)");
        return probe;
    }
    // Nothing is decoded before the header has said how large the image is.
    const auto header = readImageHeader(bytes);
    if (!header) {
        probe.error = QStringLiteral("%1 header is cut short or malformed").arg(formatText);
        return probe;
    }
    if (header->width <= 0 || header->height <= 0 || header->width > kMaxImageSide ||
        header->height > kMaxImageSide || header->width * header->height > kMaxImagePixels) {
        probe.error = QStringLiteral("%1 header gives absurd dimensions %2x%3")
                          .arg(formatText)
                          .arg(header->width)
                          .arg(header->height);
        return probe;
    }
    if (header->width * header->height > maxPixels) {
        probe.error = overPixelLimit(header->width, header->height, maxPixels);
        return probe;
    }
    if (format == ImageFormat::Gif) {
        probe.error = QStringLiteral("GIF is not read by this build (convert it to PNG)");
        return probe;
    }
    if (format == ImageFormat::Jpeg && !jpegLooksComplete(bytes)) {
        probe.error = QStringLiteral("truncated JPEG (no end-of-image marker)");
        return probe;
    }

    cv::Mat image;
    try {
        image = decodeUpright(bytes);
    } catch (const cv::Exception &e) {
        probe.error =
            QStringLiteral("cannot decode %1: %2").arg(formatText, QString::fromStdString(e.msg));
        return probe;
    }
    if (image.empty()) {
        probe.error = QStringLiteral("corrupt or truncated %1 data").arg(formatText);
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
