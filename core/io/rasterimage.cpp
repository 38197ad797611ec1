#include "core/io/rasterimage.h"

#include "core/io/imagedecode.h"
#include "core/io/imageprobe.h"
#include "core/io/regularfile.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QFile>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace winnow::core {
namespace {

RasterImage toRaster(const cv::Mat &decoded, int maxSide) {
    cv::Mat image = decoded;
    if (image.depth() != CV_8U)
        image.convertTo(image, CV_8U, image.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
    switch (image.channels()) {
    case 1:
        break;
    case 3:
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
        break;
    case 4:
        cv::cvtColor(image, image, cv::COLOR_BGRA2RGBA);
        break;
    default:
        throw StoreError(QStringLiteral("unsupported channel count %1").arg(image.channels()));
    }
    RasterImage raster;
    raster.originalWidth = image.cols;
    raster.originalHeight = image.rows;
    const int side = std::max(image.cols, image.rows);
    if (maxSide > 0 && side > maxSide) {
        const double scale = double(maxSide) / side;
        cv::resize(
            image, image,
            cv::Size(std::max(1, int(image.cols * scale)), std::max(1, int(image.rows * scale))), 0,
            0, cv::INTER_AREA);
    }
    if (!image.isContinuous())
        image = image.clone();
    raster.width = image.cols;
    raster.height = image.rows;
    raster.channels = image.channels();
    raster.pixels = QByteArray(reinterpret_cast<const char *>(image.data),
                               qsizetype(image.total() * image.elemSize()));
    return raster;
}

cv::Mat decode(const QByteArray &bytes) {
    return decodeUpright(bytes);
}

} // namespace

Result<RasterImage> loadRasterImage(const QString &path, int maxSide) {
    return attempt([&] {
        const auto bytes = readRegularFile(path, kMaxImageFileBytes);
        if (!bytes)
            throw StoreError(QStringLiteral("%1: %2").arg(path, bytes.error().message));
        const cv::Mat image = decode(*bytes);
        if (image.empty())
            throw StoreError(QStringLiteral("%1: cannot decode the image").arg(path));
        return toRaster(image, maxSide);
    });
}

Result<RasterImage> decodeRasterImage(const QByteArray &bytes, const QString &name, int maxSide) {
    return attempt([&] {
        const cv::Mat image = decode(bytes);
        if (image.empty())
            throw StoreError(QStringLiteral("%1: cannot decode the image").arg(name));
        return toRaster(image, maxSide);
    });
}

Result<RasterImage> loadThumbnail(Project &project, qint64 itemId, const QString &path,
                                  int maxSide) {
    const auto stored = project.thumbnail(itemId);
    if (stored && !stored->isEmpty()) {
        return attempt([&] {
            const cv::Mat image = decode(*stored);
            if (image.empty())
                throw StoreError(QStringLiteral("%1: stored thumbnail is damaged").arg(path));
            return toRaster(image, maxSide);
        });
    }
    return loadRasterImage(path, maxSide);
}

} // namespace winnow::core
