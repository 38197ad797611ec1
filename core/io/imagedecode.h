#pragma once

#include <QByteArray>
#include <opencv2/core.hpp>

namespace winnow::core {

// Decodes an encoded image as stored (any depth, any channels, alpha kept) and turns it upright
// by its EXIF orientation, as viewers show it: what is shown, hashed and trained on is the
// same picture. Empty when the data cannot be decoded. Throws cv::Exception from the decoder.
cv::Mat decodeUpright(const QByteArray &bytes);

// Turns `image` by an EXIF orientation (1 to 8).
cv::Mat applyExifOrientation(const cv::Mat &image, int orientation);

} // namespace winnow::core
