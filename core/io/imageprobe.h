#pragma once

#include "core/io/importsummary.h"
#include "core/store/project.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace winnow::core {

// The outcome of reading one image: a fingerprinted item ready to store, or why it was skipped.
struct ImageProbe {
    QString path;
    std::optional<NewItem> item;
    QString error;
};

constexpr int kThumbnailSide = 128;
constexpr int kMaxImageSide = 32768;
constexpr qint64 kMaxImagePixels = qint64(1) << 28;
constexpr qint64 kMaxImageFileBytes = qint64(1) << 30;

// Checks, decodes and fingerprints an encoded image (content, pixel and perceptual hashes, size,
// channels, a thumbnail when the image is larger than kThumbnailSide). Thread-safe.
// Images over `maxPixels` are refused, from the header where the format has one.
ImageProbe probeImage(const QByteArray &bytes, const QString &path,
                      qint64 maxPixels = kDefaultMaxPixels);
ImageProbe probeImageFile(const QString &path, qint64 maxPixels = kDefaultMaxPixels);

} // namespace winnow::core
