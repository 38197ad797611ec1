#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QString>

namespace winnow::core {

class Project;

// Decoded 8-bit pixels, rows tightly packed: 1 (grey), 3 (RGB) or 4 (RGBA) channels. The plain
// form in which core hands images to the UI without exposing OpenCV.
struct RasterImage {
    int width = 0;
    int height = 0;
    int channels = 0;
    QByteArray pixels;
    // Size of the original image when this is a reduced copy.
    int originalWidth = 0;
    int originalHeight = 0;
};

// Decodes an image file; with maxSide > 0 the result is reduced to fit in maxSide x maxSide.
Result<RasterImage> loadRasterImage(const QString &path, int maxSide = 0);
// Decodes image file bytes (`name` for messages).
Result<RasterImage> decodeRasterImage(const QByteArray &bytes, const QString &name,
                                      int maxSide = 0);
// The stored thumbnail of an item if it has one, else its file reduced to maxSide.
Result<RasterImage> loadThumbnail(Project &project, qint64 itemId, const QString &path,
                                  int maxSide);

} // namespace winnow::core
